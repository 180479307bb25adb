import { DuplicateIncidentError, NotFoundError, ValidationError } from '../errors.js';
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
import type { IncidentEngine, IncidentEngineOptions } from './types.js';
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
export function createIncidentEngine(options: IncidentEngineOptions): IncidentEngine {
  const core = createEngineCore(options);
  const { store, tenantId, schemas, scale, emitter, ids, now, loadOrThrow, command, create, tick } = core;
  const { ingest } = createIngest(core, options.ingest);
  const { importIncident, scan, linkSimilar } = createHistory(core);
  const dispatcher = createDispatcher({
    store,
    tenantId,
    notifiers: options.notifiers ?? {},
    clock: core.clock,
    emit: (name, payload) => {
      emitter.emit(name, payload as IncidentEngineEvents[typeof name]);
    },
    owner: core.workerId,
    ...(options.delivery === undefined ? {} : { delivery: options.delivery }),
    ...(options.random === undefined ? {} : { random: options.random }),
  });

  const engine: IncidentEngine = {
    tenantId,
    severityScale: scale,

    async declare(input) {
      const parsed = parseInput(schemas.declare, input, 'declare');
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
      return linkSimilar(await create({ ...rest, actor, at }));
    },

    importIncident,

    scan,

    async acknowledge(id, input) {
      const { actor } = parseInput(schemas.acknowledge, input, 'acknowledge');
      return command(parseInput(schemas.incidentId, id, 'acknowledge'), actor, () => ({ type: 'ACKNOWLEDGE' }));
    },

    async assignRole(id, input) {
      const { actor, role, assignee } = parseInput(schemas.assignRole, input, 'assignRole');
      return command(parseInput(schemas.incidentId, id, 'assignRole'), actor, () => ({ type: 'ASSIGN_ROLE', role, assignee }));
    },

    async setSeverity(id, input) {
      const { actor, severity, reason } = parseInput(schemas.setSeverity, input, 'setSeverity');
      return command(parseInput(schemas.incidentId, id, 'setSeverity'), actor, (stored) => ({
        type: 'SET_SEVERITY',
        severity,
        previous: stored.incident.severity,
        ...(reason === undefined ? {} : { reason }),
      }));
    },

    async addNote(id, input) {
      const { actor, text } = parseInput(schemas.addNote, input, 'addNote');
      return command(parseInput(schemas.incidentId, id, 'addNote'), actor, () => ({ type: 'ADD_NOTE', text }));
    },

    async postUpdate(id, input) {
      const { actor, audience, message } = parseInput(schemas.postUpdate, input, 'postUpdate');
      return command(parseInput(schemas.incidentId, id, 'postUpdate'), actor, () => ({ type: 'POST_UPDATE', audience, message }));
    },

    async mitigate(id, input) {
      const { actor, summary } = parseInput(schemas.mitigate, input, 'mitigate');
      return command(parseInput(schemas.incidentId, id, 'mitigate'), actor, () => ({ type: 'MITIGATE', summary }));
    },

    async recordRootCause(id, input) {
      const { actor, summary, contributingFactors } = parseInput(schemas.recordRootCause, input, 'recordRootCause');
      return command(parseInput(schemas.incidentId, id, 'recordRootCause'), actor, () => ({
        type: 'RECORD_ROOT_CAUSE',
        summary,
        contributingFactors: contributingFactors ?? [],
      }));
    },

    async resolve(id, input) {
      const { actor, summary } = parseInput(schemas.resolve, input, 'resolve');
      return command(parseInput(schemas.incidentId, id, 'resolve'), actor, () => ({
        type: 'RESOLVE',
        ...(summary === undefined ? {} : { summary }),
      }));
    },

    async reopen(id, input) {
      const { actor, reason } = parseInput(schemas.reopen, input, 'reopen');
      return command(parseInput(schemas.incidentId, id, 'reopen'), actor, () => ({ type: 'REOPEN', reason }));
    },

    async startReview(id, input) {
      const { actor, owner } = parseInput(schemas.startReview, input, 'startReview');
      return command(parseInput(schemas.incidentId, id, 'startReview'), actor, () => ({
        type: 'START_REVIEW',
        ...(owner === undefined ? {} : { owner }),
      }));
    },

    async completeReview(id, input) {
      const { actor, summary } = parseInput(schemas.completeReview, input, 'completeReview');
      return command(parseInput(schemas.incidentId, id, 'completeReview'), actor, () => ({
        type: 'COMPLETE_REVIEW',
        ...(summary === undefined ? {} : { summary }),
      }));
    },

    async addActionItem(id, input) {
      const { actor, title, owner, dueAt, kind, strength } = parseInput(schemas.addActionItem, input, 'addActionItem');
      const actionItemId = ids('actionItem');
      return command(parseInput(schemas.incidentId, id, 'addActionItem'), actor, () => ({
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
      });
    },

    async close(id, input) {
      const { actor } = parseInput(schemas.close, input, 'close');
      return command(parseInput(schemas.incidentId, id, 'close'), actor, () => ({ type: 'CLOSE' }));
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
      return command(incidentId, actor, () => ({
        type: 'CANCEL',
        reason,
        ...(mergedInto === undefined ? {} : { mergedInto }),
      }));
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
      });
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

    async get(id) {
      return (await loadOrThrow(parseInput(schemas.incidentId, id, 'get'))).incident;
    },

    async list(input) {
      const page: Page<Incident> = await store.list(tenantId, toListQuery(parseInput(schemas.list, input, 'list')));
      return page;
    },

    async timeline(id) {
      const incidentId = parseInput(schemas.incidentId, id, 'timeline');
      await loadOrThrow(incidentId);
      return store.events(tenantId, incidentId);
    },

    async verifyTimeline(id): Promise<TimelineVerification> {
      const incidentId = parseInput(schemas.incidentId, id, 'verifyTimeline');
      const stored = await loadOrThrow(incidentId);
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

