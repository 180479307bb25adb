/**
 * A sandbox engine for a scenario: in memory, on a manual clock, with numbered ids and notifiers
 * that record what they would send instead of sending it.
 */
import { createIncidentEngine } from '../createIncidentEngine.js';
import { ahrqHarmScale, itilPriorityScale, nccMerpScale, pagerDutySeverityScale } from '../features/classification/scales.js';
import { defineRoutes } from '../features/routing/defineRoutes.js';
import type { IncidentEngine, IncidentEngineOptions } from '../incidentEngine.js';
import { createManualClock, type ManualClock } from '../kernel/manualClock.js';
import { sequentialIds } from '../kernel/sequentialIds.js';
import type { NotificationMessage, Notifier } from '../model/notification.js';
import type { SeverityScale } from '../model/severity.js';
import type { StorageAdapter } from '../storage/types.js';
import { memoryStore } from '../storage/memory.js';
import { parseScenario, type Scenario } from './scenario.js';

/** A message a recording channel received: what would have been sent. */
export interface RecordedMessage {
  readonly channel: string;
  readonly at: string;
  readonly incidentId: string;
  readonly eventType: string;
  readonly title: string;
  /** The person, for a message a route addressed to people. */
  readonly recipient?: string;
}

/** What {@link createScenarioEngine} returns. */
export interface ScenarioEngine {
  readonly engine: IncidentEngine;
  /** The manual clock the engine runs on, at the scenario's start: pass it to `runScenario`. */
  readonly clock: ManualClock;
  /** Every message the recording channels received, in order. */
  readonly sent: readonly RecordedMessage[];
}

/** Options of {@link createScenarioEngine}: what a JSON scenario cannot hold. */
export interface ScenarioEngineOptions {
  /** The store; default a fresh `memoryStore()`. */
  readonly store?: StorageAdapter;
  readonly tenantId?: string;
  /** More engine options, applied over those of the scenario (e.g. `types`, `playbooks`). `store`, `clock` and `ids` are the sandbox's. */
  readonly engine?: Omit<IncidentEngineOptions, 'store' | 'clock' | 'ids'>;
}

const SCALES: Readonly<Record<string, SeverityScale>> = { nccMerp: nccMerpScale, itilPriority: itilPriorityScale, pagerDuty: pagerDutySeverityScale, ahrqHarm: ahrqHarmScale };

/**
 * Builds the engine a scenario's `engine` section describes: in memory (or over `options.store`),
 * on a manual clock set to the scenario's start, with sequential ids (`inc_1`, `evt_1`, …) so two
 * runs report the same ids, and one recording notifier per name in `engine.channels` (default
 * `pager`): they record each message in `sent` and send nothing. Schedules in `engine.schedules`
 * are stored at the start.
 *
 * @example
 * ```ts
 * import { createScenarioEngine, parseScenario, runScenario } from 'incidentkit/drills';
 *
 * const scenario = parseScenario({
 *   name: 'Nobody answers',
 *   start: '2026-11-29T02:14:00Z',
 *   engine: { policies: { escalation: { levels: [{ afterMinutes: 5, targets: ['team-web'] }] } }, channels: ['pager'] },
 *   steps: [{ at: 'PT0S', do: 'declare', as: 'web', input: { title: 'Website down', severity: 'SEV1' } }],
 *   runFor: 'PT10M',
 * });
 * const { engine, clock, sent } = await createScenarioEngine(scenario);
 * const report = await runScenario(engine, scenario, { clock });
 * console.log(report.pages.length, sent.length);
 * ```
 * @throws ValidationError (`VALIDATION_FAILED`) for an invalid scenario or schedule.
 * @throws ConfigError (`CONFIG_INVALID`) for invalid engine options (policies, ingest, routes).
 */
export async function createScenarioEngine(input: Scenario, options: ScenarioEngineOptions = {}): Promise<ScenarioEngine> {
  const scenario = parseScenario(input);
  const setup = scenario.engine ?? {};
  const clock = createManualClock(scenario.start);
  const sent: RecordedMessage[] = [];
  const recorder = (channel: string): Notifier => ({
    name: `recording:${channel}`,
    // Nothing leaves the sandbox, so its channels may hear of drills.
    drillSafe: true,
    send(message: NotificationMessage) {
      sent.push({
        channel,
        at: clock.now().toISOString(),
        incidentId: message.incident.id,
        eventType: message.event.type,
        title: message.title,
        ...(message.recipient === undefined ? {} : { recipient: message.recipient.userId }),
      });
      return Promise.resolve();
    },
    sendNotice() {
      return Promise.resolve();
    },
  });
  const channels = setup.channels ?? ['pager'];
  const scale = typeof setup.severityScale === 'string' ? SCALES[setup.severityScale] : (setup.severityScale as SeverityScale | undefined);
  const engine = createIncidentEngine({
    store: options.store ?? memoryStore(),
    clock,
    // A drill engine: every incident of a scenario is a drill, whatever its steps say.
    drill: true,
    ids: sequentialIds(),
    notifiers: Object.fromEntries(channels.map((channel) => [channel, recorder(channel)])),
    // Any message a recording channel gets names its person: a recipient without an address would be dead-lettered.
    contacts: (userId: string) => Object.fromEntries(channels.map((channel) => [channel, userId])),
    ...(options.tenantId === undefined ? {} : { tenantId: options.tenantId }),
    ...(setup.policies === undefined ? {} : { policies: setup.policies }),
    ...(setup.ingest === undefined ? {} : { ingest: setup.ingest }),
    ...(setup.routing === undefined ? {} : { routing: defineRoutes(setup.routing as never) }),
    ...(setup.routes === undefined ? {} : { routes: setup.routes as never }),
    ...(scale === undefined ? {} : { severityScale: scale }),
    ...(setup.calendar === undefined ? {} : { calendar: setup.calendar }),
    ...options.engine,
  });
  for (const schedule of setup.schedules ?? []) {
    await engine.schedules.put(schedule as never, { actor: { kind: 'system', id: 'scenario', name: scenario.name } });
  }
  return { engine, clock, sent };
}
