import { DuplicateIncidentError, ValidationError } from '../errors.js';
import { createCursorSeal } from '../kernel/cursorSeal.js';
import { canonicalJson } from '../kernel/hash.js';
import { parseInput } from '../kernel/parse.js';
import { verifyChain, type TimelineAnchor, type TimelineVerification } from '../lifecycle/eventChain.js';
import { withoutAlertCounters } from '../lifecycle/actions/alerts.js';
import { projectionDrift, replayAlerts } from '../lifecycle/projection.js';
import { nextEscalation } from '../lifecycle/timers.js';
import type { Actor } from '../model/actor.js';
import type { AlertSummary, Incident } from '../model/incident.js';
import { checkSeverity } from '../model/severity.js';
import type { StoredEvent } from '../model/event.js';
import type { EventRange, Page } from '../storage/types.js';
import { toListQuery, type ReadOptions } from './commands.js';
import { readerOf, runIncidentCommand, withoutActor, type BuildEvent, type EngineCore } from './core.js';
import { createIngest } from './ingest.js';
import { createLinks } from './links.js';
import { createMerges } from './merge.js';
import type { IngestOptions } from './ingestOptions.js';
import type { AuthorizeAction, EngineApi } from './types.js';
import { runLoop } from './workers.js';

/** The events after which an incident's alert rows came from, or went to, another incident's timeline. */
const MERGE_EVENTS: ReadonlySet<string> = /* @__PURE__ */ new Set(['MERGED_INTO', 'MERGED_FROM', 'UNMERGED', 'UNMERGED_FROM']);

/**
 * The events of `range` among `events` (in `seq` order). A store that honours the range returned
 * exactly these; one written before ranges existed returned the whole timeline, cut here.
 */
function pageOf(events: readonly StoredEvent[], range: EventRange): readonly StoredEvent[] {
  const afterSeq = range.afterSeq ?? 0;
  const after = (events[0]?.seq ?? afterSeq + 1) > afterSeq ? events : events.filter((event) => event.seq > afterSeq);
  return range.limit === undefined || after.length <= range.limit ? after : after.slice(0, range.limit);
}

/**
 * The engine's own methods over its kernel: `declare`, the lifecycle commands, ingest, the
 * workers, the reads and the events. Features add theirs beside them.
 *
 * @internal
 */
export function createEngineApi(core: EngineCore, ingestOptions: IngestOptions | undefined): EngineApi {
  const { store, tenantId, schemas, emitter, now, load, create, tick } = core;
  const { ingest, flush } = createIngest(core, ingestOptions);
  const { link } = createLinks(core);
  const { merge, unmerge } = createMerges(core);

  /** A lifecycle command on one incident, authorized as `action` with its validated input. */
  function run(action: AuthorizeAction, id: unknown, parsed: { readonly actor: Actor }, build: BuildEvent) {
    return runIncidentCommand(core, action, id, parsed, build);
  }

  const cursors = createCursorSeal(core.cursorSecret);

  /** The store's cursor sealed in a `nextCursor` this engine handed out. */
  async function openCursor(token: string): Promise<string> {
    const cursor = await cursors.open(token, tenantId);
    if (cursor === undefined) {
      throw new ValidationError('list', [
        { code: 'custom', path: ['cursor'], message: 'Unknown cursor; pass the nextCursor of a previous page unchanged (cursors are sealed with the engine’s cursorSecret).' },
      ]);
    }
    return cursor;
  }

  /** Incidents as `actor` reads them: completed by every feature's `read` hook, in order. */
  async function asRead(incidents: readonly Incident[], actor: Actor): Promise<Incident[]> {
    let read = incidents;
    for (const { parts } of core.features) if (parts.read !== undefined && read.length > 0) read = await parts.read(read, actor);
    return [...read];
  }

  /** Who reads: the given actor, or the system actor when the host names none. */
  function reader(options: ReadOptions | undefined, subject: string): Actor {
    return readerOf(core, options, subject);
  }

  /** Loads an incident the actor may read. */
  async function readable(id: unknown, options: ReadOptions | undefined, subject: string) {
    const incidentId = parseInput(schemas.incidentId, id, subject);
    const actor = reader(options, subject);
    const stored = await load(incidentId);
    await core.authorize(actor, 'read', stored.incident);
    return stored;
  }

  /** Whether the store's alert rows of the incident are exactly `replayed` (repeat counters aside), page by page. */
  async function alertRowsReplay(incidentId: string, replayed: readonly AlertSummary[]): Promise<boolean> {
    let seen = 0;
    let cursor: string | undefined;
    do {
      const page = await store.alerts(tenantId, incidentId, { limit: 1_000, ...(cursor === undefined ? {} : { cursor }) });
      for (const row of page.items) {
        const expected = replayed[seen];
        if (expected === undefined || canonicalJson(withoutAlertCounters(row)) !== canonicalJson(expected)) return false;
        seen += 1;
      }
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return seen === replayed.length;
  }

  /** How many alert rows the store has for the incident, page by page. */
  async function alertRowCount(incidentId: string): Promise<number> {
    let seen = 0;
    let cursor: string | undefined;
    do {
      const page = await store.alerts(tenantId, incidentId, { limit: 1_000, ...(cursor === undefined ? {} : { cursor }) });
      seen += page.items.length;
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return seen;
  }

  return {
    link,
    merge,
    unmerge,
    tenantId,
    severityScale: core.severityScale,

    async declare(input) {
      const raw: unknown = input;
      const typed = typeof raw === 'object' && raw !== null && (raw as { type?: unknown }).type !== undefined;
      const parsed = typed ? parseInput(schemas.declareTyped, input, 'declare') : parseInput(schemas.declare, input, 'declare');
      await core.authorize(parsed.actor, 'declare', undefined, withoutActor(parsed));
      const resolved = 'type' in parsed && parsed.type !== undefined ? await core.prepareType(parsed) : undefined;
      const at = now();
      if (parsed.startedAt !== undefined && parsed.startedAt > at) {
        throw new ValidationError('declare', [
          { code: 'custom', path: ['startedAt'], message: 'Impact cannot start after the incident is declared.' },
        ]);
      }
      if (parsed.dedupKey !== undefined) {
        const existing = await store.findOpenByDedupKey(tenantId, parsed.dedupKey);
        if (existing !== undefined) {
          // The existing incident's id only for a caller who may read it.
          const visible = await core.mayRead(parsed.actor, existing);
          throw new DuplicateIncidentError({ tenantId, dedupKey: parsed.dedupKey, ...(visible ? { existingIncidentId: existing.id } : {}) });
        }
      }
      const { actor, ...rest } = parsed;
      const created = resolved === undefined ? await create({ ...rest, type: undefined, actor, at }) : await create({ ...rest, fields: resolved.fields, actor, at }, [], resolved.policy);
      let incident = created;
      for (const { parts } of core.features) if (parts.declare?.after !== undefined) incident = await parts.declare.after(incident, actor);
      return (await core.openFields([incident]))[0] ?? incident;
    },

    async *scan(filter, options) {
      const actor = reader(options, 'scan');
      await flush();
      for await (const incident of core.scan(filter)) {
        if (await core.mayRead(actor, incident)) yield (await core.openFields([incident]))[0] ?? incident;
      }
    },

    async acknowledge(id, input) {
      const parsed = parseInput(schemas.acknowledge, input, 'acknowledge');
      return run('acknowledge', id, parsed, () => ({ type: 'ACKNOWLEDGE' }));
    },

    async assignRole(id, input) {
      const parsed = parseInput(schemas.assignRole, input, 'assignRole');
      const { role, assignee } = parsed;
      return run('assignRole', id, parsed, () => ({ type: 'ASSIGN_ROLE', role, assignee }));
    },

    async setSeverity(id, input) {
      const parsed = parseInput(schemas.setSeverity, input, 'setSeverity');
      const { severity, reason } = parsed;
      return run('setSeverity', id, parsed, (stored) => {
        checkSeverity(core.severityScaleOf(stored.incident), severity, 'setSeverity');
        return {
        type: 'SET_SEVERITY',
        severity,
        previous: stored.incident.severity,
        ...(reason === undefined ? {} : { reason }),
        };
      });
    },

    async addNote(id, input) {
      const parsed = parseInput(schemas.addNote, input, 'addNote');
      const { text } = parsed;
      return run('addNote', id, parsed, () => ({ type: 'ADD_NOTE', text }));
    },

    async postUpdate(id, input) {
      const parsed = parseInput(schemas.postUpdate, input, 'postUpdate');
      const { audience, message } = parsed;
      return run('postUpdate', id, parsed, () => ({ type: 'POST_UPDATE', audience, message }));
    },

    async mitigate(id, input) {
      const parsed = parseInput(schemas.mitigate, input, 'mitigate');
      const { summary } = parsed;
      return run('mitigate', id, parsed, () => ({ type: 'MITIGATE', summary }));
    },

    async recordRootCause(id, input) {
      const parsed = parseInput(schemas.recordRootCause, input, 'recordRootCause');
      const { summary, contributingFactors, causes, taxonomy } = parsed;
      return run('recordRootCause', id, parsed, () => ({
        type: 'RECORD_ROOT_CAUSE',
        summary,
        contributingFactors: contributingFactors ?? [],
        // The investigation feature checks the categories and names the default taxonomy.
        ...(causes === undefined ? {} : { causes: causes.map((c) => (c.contributing === true ? { category: c.category, description: c.description, contributing: true } : { category: c.category, description: c.description })) }),
        ...(taxonomy === undefined ? {} : { taxonomy }),
      }));
    },

    async resolve(id, input) {
      const parsed = parseInput(schemas.resolve, input, 'resolve');
      const { summary } = parsed;
      return run('resolve', id, parsed, () => ({
        type: 'RESOLVE',
        ...(summary === undefined ? {} : { summary }),
      }));
    },

    async reopen(id, input) {
      const parsed = parseInput(schemas.reopen, input, 'reopen');
      const { reason } = parsed;
      return run('reopen', id, parsed, () => ({ type: 'REOPEN', reason }));
    },

    async close(id, input) {
      const parsed = parseInput(schemas.close, input, 'close');
      return run('close', id, parsed, () => ({ type: 'CLOSE' }));
    },

    async cancel(id, input) {
      const parsed = parseInput(schemas.cancel, input, 'cancel');
      const { actor, reason, mergedInto } = parsed;
      const incidentId = parseInput(schemas.incidentId, id, 'cancel');
      if (mergedInto !== undefined) {
        if (mergedInto === incidentId) {
          throw new ValidationError('cancel', [
            { code: 'custom', path: ['mergedInto'], message: 'An incident cannot be merged into itself.' },
          ]);
        }
        // The target's id ends up on this incident: the actor must be able to read it.
        const target = await load(mergedInto);
        await core.authorize(actor, 'read', target.incident);
      }
      return run('cancel', incidentId, parsed, () => ({
        type: 'CANCEL',
        reason,
        ...(mergedInto === undefined ? {} : { mergedInto }),
      }));
    },

    async escalate(id, input) {
      const parsed = parseInput(schemas.escalate, input, 'escalate');
      const { level } = parsed;
      const incidentId = parseInput(schemas.incidentId, id, 'escalate');
      return run('escalate', incidentId, parsed, (stored) => {
        const incident = stored.incident;
        const levels = incident.policy.escalation?.levels ?? [];
        const current = incident.escalation;
        const chosen = level ?? Math.min((current?.level ?? 0) + 1, Math.max(levels.length, 1));
        if (levels.length > 0 && chosen > levels.length) {
          throw new ValidationError('escalate', [
            {
              code: 'too_big',
              path: ['level'],
              message: `Incident ${incidentId}'s escalation policy has ${String(levels.length)} level(s).`,
            },
          ]);
        }
        const targets = levels[chosen - 1]?.targets ?? nextEscalation(incident.policy.escalation, undefined)?.targets ?? [];
        return {
          type: 'ESCALATE',
          trigger: 'manual',
          step: (current?.count ?? 0) + 1,
          level: chosen,
          cycle: current?.cycle ?? 0,
          targets: [...targets],
        };
      });
    },

    ingest,

    flush,

    tick,

    runWorkers(options) {
      const loop = runLoop(async () => {
        await tick();
        for (const { parts } of core.features) await parts.work?.();
      }, options, core.logger === undefined ? undefined : { logger: core.logger, tenantId });
      return {
        async stop() {
          await loop.stop();
          await flush();
        },
      };
    },

    async get(id, options) {
      await flush();
      const stored = await readable(id, options, 'get');
      const [incident] = await asRead([stored.incident], reader(options, 'get'));
      return incident ?? stored.incident;
    },

    async alerts(id, options) {
      const { limit, cursor, ...read } = parseInput(schemas.alerts, options, 'alerts');
      await flush();
      const stored = await readable(id, read, 'alerts');
      const incidentId = stored.incident.id;
      // Bound to the incident: a cursor of another incident's alerts is refused, not followed.
      const context = `${tenantId}\u0000alerts\u0000${incidentId}`;
      const after = cursor === undefined ? undefined : await cursors.open(cursor, context);
      if (cursor !== undefined && after === undefined) {
        throw new ValidationError('alerts', [
          { code: 'custom', path: ['cursor'], message: `Unknown cursor; pass the nextCursor of a previous page of incident ${incidentId}'s alerts unchanged.` },
        ]);
      }
      const page = await store.alerts(tenantId, incidentId, { limit, ...(after === undefined ? {} : { cursor: after }) });
      const nextCursor = page.nextCursor === undefined ? undefined : await cursors.seal(page.nextCursor, context);
      return { items: page.items, ...(nextCursor === undefined ? {} : { nextCursor }) };
    },

    async list(input, options) {
      const parsed = parseInput(schemas.list, input, 'list');
      await flush();
      const actor = reader(options, 'list');
      const query = toListQuery(parsed.cursor === undefined ? parsed : { ...parsed, cursor: await openCursor(parsed.cursor) });
      const page: Page<Incident> = await store.list(tenantId, query);
      // The cursor still follows the store's page, so paging continues past what was left out;
      // sealed, it names no incident.
      const nextCursor = page.nextCursor === undefined ? undefined : await cursors.seal(page.nextCursor, tenantId);
      const items: Incident[] = [];
      if (core.authorizes) {
        for (const incident of page.items) if (await core.mayRead(actor, incident)) items.push(incident);
      }
      return { ...page, items: await asRead(core.authorizes ? items : page.items, actor), ...(nextCursor === undefined ? {} : { nextCursor }) };
    },

    async timeline(id, options) {
      const { afterSeq, limit, ...read } = parseInput(schemas.timeline, options, 'timeline');
      const stored = await readable(id, read, 'timeline');
      // Sealed sensitive fields (a keyring) are opened: the copies' hashes are of the stored form (verifyTimeline reads that).
      if (afterSeq === undefined && limit === undefined) return core.openEvents(stored.incident, await store.events(tenantId, stored.incident.id));
      const range: EventRange = { ...(afterSeq === undefined ? {} : { afterSeq }), ...(limit === undefined ? {} : { limit }) };
      return core.openEvents(stored.incident, pageOf(await store.events(tenantId, stored.incident.id, range), range));
    },

    async verifyTimeline(id, options): Promise<TimelineVerification> {
      const { anchor, ...read } = parseInput(schemas.verifyTimeline, options, 'verifyTimeline');
      const incidentId = (await readable(id, read, 'verifyTimeline')).incident.id;
      // Audit the rows the database holds, not a state the store remembers of the incident.
      const stored = (await store.load(tenantId, incidentId, { fresh: true })) ?? (await load(incidentId));
      if (anchor?.incidentId !== undefined && anchor.incidentId !== incidentId) {
        throw new ValidationError('verifyTimeline', [
          { code: 'custom', path: ['anchor', 'incidentId'], message: `The anchor belongs to incident ${anchor.incidentId}, not ${incidentId}.` },
        ]);
      }
      const events = await store.events(tenantId, incidentId);
      const result = await verifyChain(events);
      if (!result.ok) return result;
      // A chain that verifies but stops short of the projection lost its newest events.
      if (events.length !== stored.incident.version) return { ok: false, brokenAt: events.length + 1, reason: 'truncated' };
      if ((events.at(-1)?.hash ?? '') !== stored.lastHash) return { ok: false, brokenAt: events.length, reason: 'truncated' };
      // A tail cut together with a rewound version and last hash only shows against a hash kept elsewhere.
      if (anchor !== undefined && events[anchor.seq - 1]?.hash !== anchor.hash) return { ok: false, brokenAt: anchor.seq, reason: 'anchor' };
      const fields = projectionDrift(stored.incident, events);
      if (fields.length > 0) return { ok: false, brokenAt: stored.incident.version, reason: 'projection', fields };
      // The alerts beyond the newest 100 the projection carries are rows of their own: they must replay too.
      // A merge moved rows between two timelines, so only their number is this timeline's to check.
      const merged = events.some((event) => MERGE_EVENTS.has(event.type));
      const rowsAgree = merged ? (await alertRowCount(incidentId)) === stored.incident.alertCount : await alertRowsReplay(incidentId, replayAlerts(events));
      return rowsAgree ? { ok: true } : { ok: false, brokenAt: stored.incident.version, reason: 'projection', fields: ['alerts'] };
    },

    async anchor(id, options): Promise<TimelineAnchor> {
      await flush();
      const stored = await readable(id, options, 'anchor');
      return { incidentId: stored.incident.id, seq: stored.incident.version, hash: stored.lastHash };
    },

    on: emitter.on,
    off: emitter.off,
  };
}
