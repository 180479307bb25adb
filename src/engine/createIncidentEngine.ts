import { DuplicateIncidentError, ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import { nextEscalation } from '../lifecycle/timers.js';
import type { Incident } from '../model/incident.js';
import { parseInput } from '../model/parse.js';
import type { Page } from '../storage/types.js';
import { toListQuery } from './commands.js';
import { createEngineCore } from './core.js';
import { createIngest } from './ingest.js';
import { createHistory } from './history.js';
import { createDispatcher } from '../notify/dispatcher.js';
import { verifyChain, type TimelineVerification } from './hash.js';
import type { IncidentEngineEvents } from './emitter.js';
import type { AnyIncidentType } from '../classification/defineIncidentType.js';
import { SYSTEM_ACTOR, type Actor } from '../model/actor.js';
import type { ReadOptions } from './commands.js';
import { createClassification, checkSeverity } from './classification.js';
import { createClocks } from './clocks.js';
import type { BuildEvent } from './core.js';
import type { AuthorizeAction, IncidentEngine, IncidentEngineOptions } from './types.js';
import { runLoop } from './workers.js';

/** A command's validated input as `authorize` sees it: everything but the actor. */
function withoutActor(parsed: { readonly actor: Actor }): Readonly<Record<string, unknown>> {
  const { actor: _actor, ...input } = parsed;
  return input;
}

/**
 * Creates an incident engine over a store: the object a host app drives incidents with.
 *
 * @remarks
 * Every command validates its input with zod, loads the incident's projection, computes the
 * next state with the pure {@link incidentMachine} (`transition()`), and writes the new
 * event, projection, snapshot and timers in one atomic, version-checked commit. When another
 * writer got there first, the engine reloads and retries the command while it is still valid.
 * After each commit it emits `incident.<event type>` (and `'*'`) to subscribers.
 *
 * @example
 * ```ts
 * import { createIncidentEngine, memoryStore } from 'incidentkit';
 *
 * const engine = createIncidentEngine({ store: memoryStore() });
 * const actor = { id: 'u_alice', name: 'Alice' };
 * const incident = await engine.declare({ title: 'Checkout is down', severity: 'SEV1', service: 'checkout', actor });
 * await engine.acknowledge(incident.id, { actor });
 * await engine.resolve(incident.id, { summary: 'Rolled back release 2026.11.3', actor });
 * ```
 * @throws ConfigError (`CONFIG_INVALID`) when the options are invalid.
 */
export function createIncidentEngine<const Types extends readonly AnyIncidentType[] = readonly []>(
  options: IncidentEngineOptions & { readonly types?: Types },
): IncidentEngine<Types> {
  const core = createEngineCore(options);
  const { store, tenantId, schemas, scale, emitter, ids, now, loadOrThrow, command, create, tick } = core;
  const { ingest } = createIngest(core, options.ingest);
  const { importIncident, scan: scanAll, linkSimilar } = createHistory(core);
  const classification = createClassification(core, options);
  const clocks = createClocks(core, options);
  core.timerEvent = (draft, stored) => clocks.timerEvent(draft, stored.incident);

  /** A lifecycle command on one incident, authorized as `action` with its validated input. */
  function run(action: AuthorizeAction, id: unknown, parsed: { readonly actor: Actor }, build: BuildEvent) {
    return command(parseInput(schemas.incidentId, id, action), parsed.actor, build, action, withoutActor(parsed));
  }

  /** Who reads: the given actor, or the system actor when the host names none. */
  function reader(options: ReadOptions | undefined, subject: string): Actor {
    return parseInput(schemas.read, options, subject).actor ?? SYSTEM_ACTOR;
  }

  /** Whether `actor` may read `incident` (always, without an `authorize` hook). */
  async function mayRead(actor: Actor, incident: Incident): Promise<boolean> {
    if (!core.authorizes) return true;
    try {
      await core.authorizeOrThrow(actor, 'read', incident);
      return true;
    } catch (error) {
      if (error instanceof ForbiddenError) return false;
      throw error;
    }
  }

  /** Loads an incident the actor may read. */
  async function readable(id: unknown, options: ReadOptions | undefined, subject: string) {
    const incidentId = parseInput(schemas.incidentId, id, subject);
    const actor = reader(options, subject);
    const stored = await loadOrThrow(incidentId);
    await core.authorizeOrThrow(actor, 'read', stored.incident);
    return stored;
  }
  const dispatcher = createDispatcher({
    store,
    tenantId,
    notifiers: options.notifiers ?? {},
    clock: core.clock,
    emit: (name, payload) => {
      emitter.emit(name, payload as IncidentEngineEvents[typeof name]);
    },
    owner: core.workerId,
    // Outbox claims expire with the engine's leaseMs, as timers do (a killed worker's messages
    // are taken over after one lease); an attempt must time out well inside it.
    leaseMs: core.leaseMs,
    delivery: { ...options.delivery, timeoutMs: options.delivery?.timeoutMs ?? Math.min(15_000, Math.floor(core.leaseMs / 2)) },
    ...(options.random === undefined ? {} : { random: options.random }),
  });

  const engine: IncidentEngine<Types> = {
    tenantId,
    severityScale: scale,

    async declare(input) {
      const raw: unknown = input;
      const typed = typeof raw === 'object' && raw !== null && (raw as { type?: unknown }).type !== undefined;
      const parsed = typed ? parseInput(schemas.declareTyped, input, 'declare') : parseInput(schemas.declare, input, 'declare');
      await core.authorizeOrThrow(parsed.actor, 'declare', undefined, withoutActor(parsed));
      const resolved = 'type' in parsed && parsed.type !== undefined ? await classification.typedCreateInput(parsed) : undefined;
      const at = now();
      if (parsed.startedAt !== undefined && parsed.startedAt > at) {
        throw new ValidationError('declare', [
          { code: 'custom', path: ['startedAt'], message: 'Impact cannot start after the incident is declared.' },
        ]);
      }
      if (parsed.dedupKey !== undefined) {
        const existing = await store.findOpenByDedupKey(tenantId, parsed.dedupKey);
        if (existing !== undefined) {
          throw new DuplicateIncidentError({ tenantId, dedupKey: parsed.dedupKey, existingIncidentId: existing.id });
        }
      }
      const { actor, ...rest } = parsed;
      const created = resolved === undefined ? await create({ ...rest, type: undefined, actor, at }) : await create({ ...rest, fields: resolved.fields, actor, at }, [], resolved.policy);
      // Similar incidents are linked with their titles: only those the declaring actor may read.
      return linkSimilar(created, (candidate) => mayRead(actor, candidate));
    },

    importIncident,

    async *scan(filter, options) {
      const actor = reader(options, 'scan');
      for await (const incident of scanAll(filter)) {
        if (await mayRead(actor, incident)) yield incident;
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
        checkSeverity(classification.scaleOf(stored.incident), severity, 'setSeverity');
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
      const { summary, contributingFactors } = parsed;
      return run('recordRootCause', id, parsed, () => ({
        type: 'RECORD_ROOT_CAUSE',
        summary,
        contributingFactors: contributingFactors ?? [],
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

    async startReview(id, input) {
      const parsed = parseInput(schemas.startReview, input, 'startReview');
      const { owner } = parsed;
      return run('startReview', id, parsed, () => ({
        type: 'START_REVIEW',
        ...(owner === undefined ? {} : { owner }),
      }));
    },

    async completeReview(id, input) {
      const parsed = parseInput(schemas.completeReview, input, 'completeReview');
      const { summary } = parsed;
      return run('completeReview', id, parsed, () => ({
        type: 'COMPLETE_REVIEW',
        ...(summary === undefined ? {} : { summary }),
      }));
    },

    async addActionItem(id, input) {
      const parsed = parseInput(schemas.addActionItem, input, 'addActionItem');
      const { title, owner, dueAt, kind, strength } = parsed;
      const actionItemId = ids('actionItem');
      return run('addActionItem', id, parsed, () => ({
        type: 'ADD_ACTION_ITEM',
        actionItemId,
        title,
        ...(owner === undefined ? {} : { owner }),
        ...(dueAt === undefined ? {} : { dueAt }),
        ...(kind === undefined ? {} : { kind }),
        ...(strength === undefined ? {} : { strength }),
      }));
    },

    async updateActionItem(id, input) {
      const parsed = parseInput(schemas.updateActionItem, input, 'updateActionItem');
      const { actor, actionItemId, status } = parsed;
      const incidentId = parseInput(schemas.incidentId, id, 'updateActionItem');
      return command(incidentId, actor, (stored) => {
        if (!stored.incident.actionItems.some((item) => item.id === actionItemId)) {
          throw new NotFoundError({ entity: 'action item', id: actionItemId, tenantId, incidentId });
        }
        return { type: 'UPDATE_ACTION_ITEM', actionItemId, status };
      }, 'updateActionItem', withoutActor(parsed));
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
        const target = await loadOrThrow(mergedInto);
        await core.authorizeOrThrow(actor, 'read', target.incident);
      }
      return command(
        incidentId,
        actor,
        () => ({
          type: 'CANCEL',
          reason,
          ...(mergedInto === undefined ? {} : { mergedInto }),
        }),
        'cancel',
        withoutActor(parsed),
      );
    },

    async escalate(id, input) {
      const parsed = parseInput(schemas.escalate, input, 'escalate');
      const { actor, level } = parsed;
      const incidentId = parseInput(schemas.incidentId, id, 'escalate');
      return command(incidentId, actor, (stored) => {
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
      }, 'escalate', withoutActor(parsed));
    },

    async updateFields(id, input) {
      const parsed = parseInput(schemas.updateFields, input, 'updateFields');
      const { fields } = parsed;
      return run('updateFields', id, parsed, (stored) => classification.fieldsUpdate(stored.incident, fields));
    },

    async setStatusLabel(id, input) {
      const parsed = parseInput(schemas.setStatusLabel, input, 'setStatusLabel');
      const { label } = parsed;
      return run('setStatusLabel', id, parsed, (stored) => classification.statusLabel(stored.incident, label));
    },

    async startClock(id, input) {
      const parsed = parseInput(schemas.startClock, input, 'startClock');
      const { actor: _actor, ...rest } = parsed;
      return run('startClock', id, parsed, (stored) => clocks.start(stored.incident, rest));
    },

    async fileReport(id, input) {
      const parsed = parseInput(schemas.fileReport, input, 'fileReport');
      const { actor: _actor, ...rest } = parsed;
      return run('fileReport', id, parsed, (stored) => clocks.file(stored.incident, rest));
    },

    ingest,

    tick,

    runWorkers(options) {
      return runLoop(async () => {
        await tick();
        await dispatcher.dispatchOnce();
      }, options);
    },

    dispatch: () => dispatcher.dispatchOnce(),

    async deadLetters(options) {
      const actor = reader(options, 'deadLetters');
      const letters = await store.deadLetters(tenantId);
      if (!core.authorizes) return letters;
      // A dead letter carries its incident (title, fields): only those the reader may read.
      // One load and one decision per incident, however many of its messages failed.
      const readable = new Map<string, boolean>();
      const visible: typeof letters[number][] = [];
      for (const letter of letters) {
        let allowed = readable.get(letter.incidentId);
        if (allowed === undefined) {
          const stored = await store.load(tenantId, letter.incidentId);
          allowed = stored === undefined || (await mayRead(actor, stored.incident));
          readable.set(letter.incidentId, allowed);
        }
        if (allowed) visible.push(letter);
      }
      return visible;
    },

    async redeliver(messageId, options) {
      const id = parseInput(schemas.incidentId, messageId, 'redeliver');
      const actor = reader(options, 'redeliver');
      if (core.authorizes) {
        const letter = (await store.deadLetters(tenantId)).find((l) => l.id === id);
        const stored = letter === undefined ? undefined : await store.load(tenantId, letter.incidentId);
        if (letter !== undefined) await core.authorizeOrThrow(actor, 'redeliver', stored?.incident, { messageId: id });
      }
      if (!(await store.redeliver(tenantId, id, now()))) {
        throw new NotFoundError({ entity: 'dead letter', id, tenantId });
      }
    },

    async get(id, options) {
      return (await readable(id, options, 'get')).incident;
    },

    async list(input, options) {
      const query = toListQuery(parseInput(schemas.list, input, 'list'));
      const actor = reader(options, 'list');
      const page: Page<Incident> = await store.list(tenantId, query);
      if (!core.authorizes) return page;
      // The cursor still follows the store's page, so paging continues past what was left out.
      const items: Incident[] = [];
      for (const incident of page.items) if (await mayRead(actor, incident)) items.push(incident);
      return { ...page, items };
    },

    async timeline(id, options) {
      const stored = await readable(id, options, 'timeline');
      return store.events(tenantId, stored.incident.id);
    },

    async verifyTimeline(id, options): Promise<TimelineVerification> {
      const stored = await readable(id, options, 'verifyTimeline');
      const incidentId = stored.incident.id;
      const events = await store.events(tenantId, incidentId);
      const result = await verifyChain(events);
      if (!result.ok) return result;
      // A chain that verifies but stops short of the projection lost its newest events.
      if (events.length !== stored.incident.version) return { ok: false, brokenAt: events.length + 1 };
      if ((events.at(-1)?.hash ?? '') !== stored.lastHash) return { ok: false, brokenAt: events.length };
      return { ok: true };
    },

    on: emitter.on,
    off: emitter.off,
  };
  return engine;
}

