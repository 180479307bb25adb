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

  /** A lifecycle command on one incident, authorized as `action`. */
  function run(action: AuthorizeAction, id: unknown, actor: Actor, build: BuildEvent) {
    return command(parseInput(schemas.incidentId, id, action), actor, build, action);
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
      await core.authorizeOrThrow(parsed.actor, 'declare');
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
      if (resolved === undefined) return linkSimilar(await create({ ...rest, type: undefined, actor, at }));
      return linkSimilar(await create({ ...rest, fields: resolved.fields, actor, at }, [], resolved.policy));
    },

    importIncident,

    async *scan(filter, options) {
      const actor = reader(options, 'scan');
      for await (const incident of scanAll(filter)) {
        if (await mayRead(actor, incident)) yield incident;
      }
    },

    async acknowledge(id, input) {
      const { actor } = parseInput(schemas.acknowledge, input, 'acknowledge');
      return run('acknowledge', id, actor, () => ({ type: 'ACKNOWLEDGE' }));
    },

    async assignRole(id, input) {
      const { actor, role, assignee } = parseInput(schemas.assignRole, input, 'assignRole');
      return run('assignRole', id, actor, () => ({ type: 'ASSIGN_ROLE', role, assignee }));
    },

    async setSeverity(id, input) {
      const { actor, severity, reason } = parseInput(schemas.setSeverity, input, 'setSeverity');
      return run('setSeverity', id, actor, (stored) => {
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
      const { actor, text } = parseInput(schemas.addNote, input, 'addNote');
      return run('addNote', id, actor, () => ({ type: 'ADD_NOTE', text }));
    },

    async postUpdate(id, input) {
      const { actor, audience, message } = parseInput(schemas.postUpdate, input, 'postUpdate');
      return run('postUpdate', id, actor, () => ({ type: 'POST_UPDATE', audience, message }));
    },

    async mitigate(id, input) {
      const { actor, summary } = parseInput(schemas.mitigate, input, 'mitigate');
      return run('mitigate', id, actor, () => ({ type: 'MITIGATE', summary }));
    },

    async recordRootCause(id, input) {
      const { actor, summary, contributingFactors } = parseInput(schemas.recordRootCause, input, 'recordRootCause');
      return run('recordRootCause', id, actor, () => ({
        type: 'RECORD_ROOT_CAUSE',
        summary,
        contributingFactors: contributingFactors ?? [],
      }));
    },

    async resolve(id, input) {
      const { actor, summary } = parseInput(schemas.resolve, input, 'resolve');
      return run('resolve', id, actor, () => ({
        type: 'RESOLVE',
        ...(summary === undefined ? {} : { summary }),
      }));
    },

    async reopen(id, input) {
      const { actor, reason } = parseInput(schemas.reopen, input, 'reopen');
      return run('reopen', id, actor, () => ({ type: 'REOPEN', reason }));
    },

    async startReview(id, input) {
      const { actor, owner } = parseInput(schemas.startReview, input, 'startReview');
      return run('startReview', id, actor, () => ({
        type: 'START_REVIEW',
        ...(owner === undefined ? {} : { owner }),
      }));
    },

    async completeReview(id, input) {
      const { actor, summary } = parseInput(schemas.completeReview, input, 'completeReview');
      return run('completeReview', id, actor, () => ({
        type: 'COMPLETE_REVIEW',
        ...(summary === undefined ? {} : { summary }),
      }));
    },

    async addActionItem(id, input) {
      const { actor, title, owner, dueAt, kind, strength } = parseInput(schemas.addActionItem, input, 'addActionItem');
      const actionItemId = ids('actionItem');
      return run('addActionItem', id, actor, () => ({
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
      const { actor, actionItemId, status } = parseInput(schemas.updateActionItem, input, 'updateActionItem');
      const incidentId = parseInput(schemas.incidentId, id, 'updateActionItem');
      return command(incidentId, actor, (stored) => {
        if (!stored.incident.actionItems.some((item) => item.id === actionItemId)) {
          throw new NotFoundError({ entity: 'action item', id: actionItemId, tenantId, incidentId });
        }
        return { type: 'UPDATE_ACTION_ITEM', actionItemId, status };
      }, 'updateActionItem');
    },

    async close(id, input) {
      const { actor } = parseInput(schemas.close, input, 'close');
      return run('close', id, actor, () => ({ type: 'CLOSE' }));
    },

    async cancel(id, input) {
      const { actor, reason, mergedInto } = parseInput(schemas.cancel, input, 'cancel');
      const incidentId = parseInput(schemas.incidentId, id, 'cancel');
      if (mergedInto !== undefined) {
        if (mergedInto === incidentId) {
          throw new ValidationError('cancel', [
            { code: 'custom', path: ['mergedInto'], message: 'An incident cannot be merged into itself.' },
          ]);
        }
        await loadOrThrow(mergedInto);
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
      );
    },

    async escalate(id, input) {
      const { actor, level } = parseInput(schemas.escalate, input, 'escalate');
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
      }, 'escalate');
    },

    async updateFields(id, input) {
      const { actor, fields } = parseInput(schemas.updateFields, input, 'updateFields');
      return run('updateFields', id, actor, (stored) => classification.fieldsUpdate(stored.incident, fields));
    },

    async setStatusLabel(id, input) {
      const { actor, label } = parseInput(schemas.setStatusLabel, input, 'setStatusLabel');
      return run('setStatusLabel', id, actor, (stored) => classification.statusLabel(stored.incident, label));
    },

    async startClock(id, input) {
      const { actor, ...rest } = parseInput(schemas.startClock, input, 'startClock');
      return run('startClock', id, actor, (stored) => clocks.start(stored.incident, rest));
    },

    async fileReport(id, input) {
      const { actor, ...rest } = parseInput(schemas.fileReport, input, 'fileReport');
      return run('fileReport', id, actor, (stored) => clocks.file(stored.incident, rest));
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

    deadLetters: () => store.deadLetters(tenantId),

    async redeliver(messageId) {
      const id = parseInput(schemas.incidentId, messageId, 'redeliver');
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

