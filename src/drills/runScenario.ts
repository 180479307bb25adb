/**
 * Plays a {@link Scenario} on an engine that runs on a manual clock, at full speed: the clock
 * jumps from step to step in small increments, and at every increment the engine's durable
 * timers fire (`engine.tick`) and its outbox is delivered (`engine.dispatch`), as the host's
 * workers would do in real time.
 */
import { ConfigError, isIncidentKitError } from '../errors.js';
import type { IncidentEngine } from '../incidentEngine.js';
import type { ManualClock } from '../kernel/manualClock.js';
import { describeEvent } from '../lifecycle/describeEvent.js';
import type { StoredEvent } from '../model/event.js';
import type { Incident } from '../model/incident.js';
import type { JsonValue } from '../model/primitives.js';
import type { IngestOutcome } from '../engine/ingestOptions.js';
import { parseOffset, parseScenario, type Scenario, type ScenarioAction } from './scenario.js';

/** Options of {@link runScenario}. */
export interface RunScenarioOptions {
  /** The manual clock the engine was created with; the runner sets it to the scenario's start and moves it. */
  readonly clock: ManualClock;
  /**
   * How far the clock moves between two worker passes, in milliseconds (default 60 000): a
   * timer fires at most this long after it is due (its event records when it was due). 1 000
   * to 3 600 000.
   */
  readonly tickMs?: number;
  /** Stop at the first step the engine refuses and rethrow its error. Default: the refusal is reported in `steps` and the story goes on. */
  readonly strict?: boolean;
}

/** What one step did. */
export interface ScenarioStepResult {
  readonly index: number;
  readonly at: string;
  /** From the start, as an ISO 8601 duration. */
  readonly offset: string;
  readonly action: ScenarioAction | 'signal';
  /** The incident the step acted on or opened. */
  readonly incidentId?: string;
  readonly outcome: 'done' | 'refused';
  /** For a signal step: what `engine.ingest` did with each signal. */
  readonly ingested?: readonly IngestOutcome[];
  /** Why the engine refused the step (`outcome: 'refused'`). */
  readonly error?: { readonly code: string; readonly message: string };
}

/** One timeline entry of a scenario's incident. */
export interface ScenarioTimelineEntry {
  readonly seq: number;
  readonly at: string;
  readonly offset: string;
  readonly type: string;
  /** Who did it: the actor's name, or id. */
  readonly actor: string;
  /** One sentence, as the postmortem's key timeline writes it. */
  readonly text: string;
}

/** An incident the scenario opened, with its timeline. */
export interface ScenarioIncident {
  readonly id: string;
  /** The alias a step gave it with `as`. */
  readonly alias?: string;
  readonly title: string;
  readonly severity: string;
  readonly status: string;
  readonly detectedAt: string;
  readonly acknowledgedAt?: string;
  readonly mitigatedAt?: string;
  readonly resolvedAt?: string;
  readonly closedAt?: string;
  readonly timeline: readonly ScenarioTimelineEntry[];
}

/** One message a page was delivered as. */
export interface ScenarioDelivery {
  /** The notifier (channel) by its configured name. */
  readonly channel: string;
  /** The person, for a message a route addressed to people (`recipients`). */
  readonly recipient?: string;
  readonly at: string;
}

/** One escalation: who was paged, when, at which level, and over which channels. */
export interface ScenarioPage {
  readonly incidentId: string;
  readonly alias?: string;
  readonly at: string;
  readonly offset: string;
  /** The escalation level (1-based) and how many times the levels had restarted. */
  readonly level: number;
  readonly cycle: number;
  /** `timer`: the policy's deadline; `manual`: a person escalated. */
  readonly trigger: string;
  /** The level's targets, typed ones written `schedule:<id>`, `user:<id>`, `role:<role>`. */
  readonly targets: readonly string[];
  /** The users typed targets resolved to (empty for plain ids, which your app resolves). */
  readonly paged: readonly string[];
  /** The level reached nobody (a schedule gap, an unfilled role). */
  readonly nobody: boolean;
  /** The messages the page went out as, delivered while the scenario ran. */
  readonly deliveries: readonly ScenarioDelivery[];
}

/** A missed deadline: a response target, a regulatory report, or a playbook task. */
export interface ScenarioBreach {
  readonly incidentId: string;
  readonly alias?: string;
  /** `target` (`TARGET_BREACHED`), `report` (`REPORT_OVERDUE`), `task` (`TASK_OVERDUE`). */
  readonly kind: 'target' | 'report' | 'task';
  /** The target (`acknowledge`, `mitigate`, `resolve`), the regime and phase, or the task id. */
  readonly name: string;
  readonly dueAt?: string;
  /** When it was recorded. */
  readonly at: string;
  readonly offset: string;
}

/** What {@link runScenario} returns: plain JSON. */
export interface ScenarioReport {
  readonly scenario: string;
  readonly start: string;
  /** Where the clock stood when the scenario ended. */
  readonly end: string;
  readonly steps: readonly ScenarioStepResult[];
  /** The incidents the scenario opened or touched, in the order they were first seen. */
  readonly incidents: readonly ScenarioIncident[];
  readonly pages: readonly ScenarioPage[];
  readonly breaches: readonly ScenarioBreach[];
}

type Command = (id: string, input: Readonly<Record<string, unknown>>) => Promise<Incident>;
interface Delivery extends ScenarioDelivery {
  readonly key: string;
}

/** An ISO 8601 duration for `ms` (`PT1H5M`, `P1DT2H`, `PT0S`). */
export function formatOffset(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(Math.round(ms / 1_000));
  const d = Math.floor(rest / 86_400);
  rest -= d * 86_400;
  const h = Math.floor(rest / 3_600);
  rest -= h * 3_600;
  const m = Math.floor(rest / 60);
  const s = rest - m * 60;
  const time = `${h > 0 ? `${String(h)}H` : ''}${m > 0 ? `${String(m)}M` : ''}${s > 0 ? `${String(s)}S` : ''}`;
  if (d === 0 && time === '') return 'PT0S';
  return `${sign}P${d > 0 ? `${String(d)}D` : ''}${time === '' ? '' : `T${time}`}`;
}

/** `schedule:web`, `user:ana`, `role:commander`, or the plain id. */
export function targetName(target: JsonValue | undefined): string {
  if (typeof target === 'string') return target;
  if (typeof target === 'object' && target !== null && !Array.isArray(target)) {
    const kind = typeof target.kind === 'string' ? target.kind : '?';
    const id = typeof target.id === 'string' ? target.id : typeof target.role === 'string' ? target.role : '?';
    return `${kind}:${id}`;
  }
  return JSON.stringify(target ?? null);
}

const strings = (value: JsonValue | undefined): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
const text = (value: JsonValue | undefined): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * Drives an engine's workers on a manual clock: `advanceTo` moves the clock in steps of
 * `tickMs`, firing due timers and delivering due messages at each.
 *
 * @internal
 */
export function createDriver(engine: Pick<IncidentEngine, 'tick' | 'dispatch'>, clock: ManualClock, tickMs: number) {
  const work = async (): Promise<void> => {
    await engine.tick();
    // Deliver what is due, and what a delivery made due; a bounded loop, as a host's pass.
    for (let pass = 0; pass < 100; pass += 1) {
      const stats = await engine.dispatch();
      if (stats.claimed === 0) break;
    }
  };
  return {
    work,
    async advanceTo(ms: number): Promise<void> {
      while (clock.now().getTime() < ms) {
        clock.set(new Date(Math.min(clock.now().getTime() + tickMs, ms)));
        await work();
      }
    },
  };
}

/**
 * Plays a scenario on `engine` and reports what happened: each incident's timeline, the pages
 * sent (who, when, at which escalation level, over which channels) and the deadlines missed
 * (response targets, regulatory reports, playbook tasks).
 *
 * @remarks The engine must have been created with `options.clock` (a manual clock, e.g.
 * `createManualClock` from `incidentkit/testing`): the runner sets it to the scenario's start
 * and moves it through the story, firing the engine's durable timers and delivering its outbox
 * at every `tickMs`, so escalations, reminders, targets and report deadlines happen as they
 * would in real time, in milliseconds. It checks that the engine's events carry the clock's time
 * and throws `ConfigError` when they do not. Every incident it declares or opens from signals is
 * a drill (`incident.drill`): its messages reach only notifiers marked `drillSafe`, titled
 * `[DRILL]`, and the others are kept as would-have-sent (`engine.wouldHaveSent`).
 * {@link createScenarioEngine} builds the engine the scenario's `engine` section describes, with
 * recording channels that are drill-safe.
 * @example
 * ```ts
 * import { createIncidentEngine, memoryStore } from 'incidentkit';
 * import { parseScenario, runScenario } from 'incidentkit/drills';
 * import { createManualClock } from 'incidentkit/testing';
 *
 * const clock = createManualClock();
 * const engine = createIncidentEngine({
 *   store: memoryStore(),
 *   clock,
 *   policies: { escalation: { levels: [{ afterMinutes: 5, targets: ['team-web'] }] }, targets: { SEV1: { acknowledgeWithinMinutes: 10 } } },
 * });
 * const report = await runScenario(engine, parseScenario({
 *   name: 'Nobody answers',
 *   start: '2026-11-29T02:14:00Z',
 *   steps: [{ at: 'PT0S', do: 'declare', as: 'web', input: { title: 'Website down', severity: 'SEV1' } }],
 *   runFor: 'PT15M',
 * }), { clock });
 * report.pages.map((p) => p.level);      // [1]
 * report.breaches.map((b) => b.name);    // ['acknowledge']
 * ```
 * @throws ValidationError (`VALIDATION_FAILED`) for an invalid scenario; with `strict`, the error of the first step the engine refused.
 * @throws ConfigError (`CONFIG_INVALID`) when the engine does not run on `options.clock`, or `tickMs` is out of range.
 */
export async function runScenario(engine: IncidentEngine, input: Scenario, options: RunScenarioOptions): Promise<ScenarioReport> {
  const scenario = parseScenario(input);
  const { clock } = options;
  const tickMs = options.tickMs ?? 60_000;
  if (!Number.isInteger(tickMs) || tickMs < 1_000 || tickMs > 3_600_000) {
    throw new ConfigError('runScenario', [{ code: 'custom', path: ['tickMs'], message: 'tickMs takes a whole number of milliseconds from 1 000 to 3 600 000.' }]);
  }
  const startMs = Date.parse(scenario.start);
  const offset = (iso: string): string => formatOffset(Date.parse(iso) - startMs);
  clock.set(new Date(startMs));
  const driver = createDriver(engine, clock, tickMs);

  const seen: string[] = [];
  const aliases = new Map<string, string>();
  const aliasOf = new Map<string, string>();
  const deliveries: Delivery[] = [];
  let offClock: string | undefined;
  const onAny = (name: string, payload: unknown): void => {
    if (name === 'notification.delivered') {
      const info = payload as { notifier: string; idempotencyKey: string; at: string; incidentId: string };
      // Keys of messages to a person end in `:user:<id>` (a plain search: no regex to backtrack on a long key).
      const marker = info.idempotencyKey.indexOf(':user:');
      const recipient = marker === -1 || marker + 6 === info.idempotencyKey.length ? undefined : info.idempotencyKey.slice(marker + 6);
      deliveries.push({ key: info.idempotencyKey, channel: info.notifier, at: info.at, ...(recipient === undefined ? {} : { recipient }) });
      return;
    }
    if (!name.startsWith('incident.')) return;
    const { event } = payload as { event: StoredEvent };
    if (!seen.includes(event.incidentId)) seen.push(event.incidentId);
    if (event.at !== clock.now().toISOString()) offClock ??= event.at;
  };
  engine.on('*', onAny);
  const steps: ScenarioStepResult[] = [];
  const people = scenario.people ?? {};
  try {
    for (const [index, step] of scenario.steps.entries()) {
      await driver.advanceTo(startMs + (parseOffset(step.at) ?? 0));
      const at = clock.now().toISOString();
      const actor = step.by === undefined ? { kind: 'system' as const, id: 'scenario', name: scenario.name } : (people[step.by] ?? { id: step.by });
      const base = { index, at, offset: offset(at) };
      const resolveId = (ref: string): string => aliases.get(ref) ?? ref;
      try {
        if (step.signal !== undefined) {
          const list = Array.isArray(step.signal) ? step.signal : [step.signal];
          const signals = list.map((signal) => ({ status: 'firing', labels: {}, annotations: {}, links: [], raw: null, startsAt: at, ...signal }));
          // Scenarios are drills: their incidents reach only drillSafe notifiers and stay out of metrics.
          const results = await engine.ingest(signals as never, { drill: true });
          const touched = results.find((r) => r.incident !== undefined)?.incident?.id;
          const rejected = results.find((r) => r.outcome === 'rejected');
          if (step.as !== undefined && touched !== undefined) name(step.as, touched);
          steps.push({
            ...base,
            action: 'signal',
            ...(touched === undefined ? {} : { incidentId: touched }),
            outcome: rejected === undefined ? 'done' : 'refused',
            ingested: results.map((r) => r.outcome),
            ...(rejected?.error === undefined ? {} : { error: { code: rejected.error.code, message: rejected.error.message } }),
          });
        } else if (step.do === 'declare') {
          const incident = await engine.declare({ ...step.input, drill: true, actor } as never);
          if (step.as !== undefined) name(step.as, incident.id);
          steps.push({ ...base, action: 'declare', incidentId: incident.id, outcome: 'done' });
        } else if (step.do !== undefined) {
          const id = resolveId(step.incident ?? '');
          const command = (engine as unknown as Record<ScenarioAction, Command>)[step.do];
          await command.call(engine, id, { ...step.input, actor });
          steps.push({ ...base, action: step.do, incidentId: id, outcome: 'done' });
        }
      } catch (error) {
        if (options.strict === true || !isIncidentKitError(error)) throw error;
        const id = step.incident === undefined ? undefined : resolveId(step.incident);
        steps.push({ ...base, action: step.do ?? 'signal', ...(id === undefined ? {} : { incidentId: id }), outcome: 'refused', error: { code: error.code, message: error.message } });
      }
      await driver.work();
      if (offClock !== undefined) break;
    }
    const last = scenario.steps.at(-1);
    await driver.advanceTo(startMs + (parseOffset(last?.at ?? 'PT0S') ?? 0) + (parseOffset(scenario.runFor ?? 'PT0S') ?? 0));
  } finally {
    engine.off('*', onAny);
  }
  if (offClock !== undefined) {
    throw new ConfigError('runScenario', [
      { code: 'custom', path: ['clock'], message: `The engine recorded an event at ${offClock} while options.clock said ${clock.now().toISOString()}: create the engine with the manual clock you pass to runScenario.` },
    ]);
  }
  return buildReport(engine, scenario, seen, aliasOf, deliveries, steps, offset, clock.now().toISOString());

  function name(alias: string, id: string): void {
    aliases.set(alias, id);
    if (!aliasOf.has(id)) aliasOf.set(id, alias);
  }
}

async function buildReport(
  engine: IncidentEngine,
  scenario: Scenario,
  seen: readonly string[],
  aliasOf: ReadonlyMap<string, string>,
  deliveries: readonly Delivery[],
  steps: readonly ScenarioStepResult[],
  offset: (iso: string) => string,
  end: string,
): Promise<ScenarioReport> {
  const incidents: ScenarioIncident[] = [];
  const pages: ScenarioPage[] = [];
  const breaches: ScenarioBreach[] = [];
  for (const id of seen) {
    const [incident, events] = await Promise.all([engine.get(id), engine.timeline(id)]);
    const alias = aliasOf.get(id);
    const named = alias === undefined ? {} : { alias };
    incidents.push({
      id,
      ...named,
      title: incident.title,
      severity: incident.severity,
      status: incident.status,
      detectedAt: incident.detectedAt,
      ...pick(incident, ['acknowledgedAt', 'mitigatedAt', 'resolvedAt', 'closedAt']),
      timeline: events.map((e) => ({
        seq: e.seq,
        at: e.at,
        offset: offset(e.at),
        type: e.type,
        actor: e.actor.name ?? e.actor.id,
        text: describeEvent(e, incident, (t) => t, (actor) => actor.name ?? actor.id),
      })),
    });
    for (const e of events) {
      const d = e.data;
      if (e.type === 'ESCALATED') {
        pages.push({
          incidentId: id,
          ...named,
          at: e.at,
          offset: offset(e.at),
          level: typeof d.level === 'number' ? d.level : 0,
          cycle: typeof d.cycle === 'number' ? d.cycle : 0,
          trigger: text(d.trigger) ?? 'timer',
          targets: Array.isArray(d.targets) ? d.targets.map(targetName) : [],
          paged: strings(d.paged),
          nobody: d.nobody === true,
          deliveries: deliveries.filter((m) => m.key.startsWith(`${e.id}:`)).map(({ channel, recipient, at }) => ({ channel, ...(recipient === undefined ? {} : { recipient }), at })),
        });
      }
      const breach = breachOf(e);
      if (breach !== undefined) breaches.push({ incidentId: id, ...named, ...breach, at: e.at, offset: offset(e.at) });
    }
  }
  return { scenario: scenario.name, start: new Date(scenario.start).toISOString(), end, steps, incidents, pages, breaches };
}

/** The missed deadline an event records, if it is one. @internal */
export function breachOf(e: Pick<StoredEvent, 'type' | 'data'>): { kind: ScenarioBreach['kind']; name: string; dueAt?: string } | undefined {
  const d = e.data;
  const due = (value: string | undefined) => (value === undefined ? {} : { dueAt: value });
  if (e.type === 'TARGET_BREACHED') return { kind: 'target', name: text(d.target) ?? '?', ...due(text(d.targetDueAt) ?? text(d.dueAt)) };
  if (e.type === 'REPORT_OVERDUE') return { kind: 'report', name: [text(d.regime), text(d.phase)].filter((x) => x !== undefined).join(' '), ...due(text(d.phaseDueAt) ?? text(d.dueAt)) };
  if (e.type === 'TASK_OVERDUE') return { kind: 'task', name: text(d.taskId) ?? '?', ...due(text(d.taskDueAt)) };
  return undefined;
}

function pick<K extends keyof Incident>(incident: Incident, keys: readonly K[]): Partial<Pick<Incident, K>> {
  const out: Partial<Pick<Incident, K>> = {};
  for (const key of keys) if (incident[key] !== undefined) out[key] = incident[key];
  return out;
}
