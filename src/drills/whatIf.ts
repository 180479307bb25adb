/**
 * "What if": past signals replayed under a candidate configuration on a fresh in-memory engine
 * with a manual clock, counted side by side with what really happened.
 */
import { createIncidentEngine } from '../createIncidentEngine.js';
import { ValidationError, isIncidentKitError } from '../errors.js';
import { defineRoutes } from '../features/routing/defineRoutes.js';
import type { ScheduleInput } from '../features/oncall/schedule.js';
import type { RouteRuleInput, Routes } from '../features/routing/routes.js';
import type { IncidentEngine, IncidentEngineOptions } from '../incidentEngine.js';
import { createManualClock } from '../kernel/manualClock.js';
import { sequentialIds } from '../kernel/sequentialIds.js';
import type { StoredEvent } from '../model/event.js';
import type { Incident } from '../model/incident.js';
import type { JsonValue } from '../model/primitives.js';
import type { SignalInput } from '../model/signal.js';
import { memoryStore } from '../storage/memory.js';
import { breachOf, createDriver } from './runScenario.js';

/** A past signal and when it arrived. */
export interface ReplaySignal {
  readonly at: string;
  readonly signal: SignalInput;
}

/** How responders behave in the replay: when they acknowledge and resolve what it opens. */
export interface ReplayResponse {
  /** Acknowledged this long after the incident opened (absent: nobody acknowledges). */
  readonly acknowledgeAfterMs?: number;
  /** Resolved by hand this long after it opened (absent: only its signals resolve it). */
  readonly resolveAfterMs?: number;
}

/** The configuration to try: engine options, and the schedules escalation levels may page. */
export interface WhatIfCandidate extends Omit<IncidentEngineOptions, 'store' | 'clock' | 'ids' | 'notifiers' | 'routing'> {
  /** Routing rules, from `defineRoutes` or as the rules `defineRoutes` takes. */
  readonly routing?: Routes | readonly RouteRuleInput[];
  /** On-call schedules, stored before the replay starts. */
  readonly schedules?: readonly ScheduleInput[];
}

/** What one side (the candidate's replay, or what really happened) produced. */
export interface WhatIfCounts {
  readonly incidents: number;
  /** Pages: one per person (or plain target id) per escalation that reached them. */
  readonly pages: number;
  /** Pages in the person's night (see {@link WhatIfOptions.night}). */
  readonly nightPages: number;
  /** Pages by person (user id, or the plain target id your app resolves), with their night pages. */
  readonly pagesByPerson: Readonly<Record<string, { readonly pages: number; readonly night: number }>>;
  /** Missed deadlines: response targets, regulatory reports, playbook tasks. */
  readonly breaches: number;
  /** Missed deadlines by name (`target acknowledge`, `report fdaMdr report`, `task …`). */
  readonly breachesByName: Readonly<Record<string, number>>;
}

/** What really happened in the window, as {@link historyFromEngine} reads it from the store. */
export interface WhatIfHistory {
  /** The signals, rebuilt from the incidents' alert rows. */
  readonly signals: readonly ReplaySignal[];
  /** How responders behaved, by alert (`source` and fingerprint): what the replay repeats. */
  readonly responses: Readonly<Record<string, ReplayResponse>>;
  readonly actual: WhatIfCounts;
  /** Incidents declared by hand (no alert): not replayed, counted in `actual.incidents`. */
  readonly declaredByHand: number;
}

/** Options of {@link whatIf}. */
export interface WhatIfOptions {
  /** The window (ISO 8601); signals outside it are left out. */
  readonly from: string;
  readonly to: string;
  readonly signals: readonly ReplaySignal[];
  readonly candidate: WhatIfCandidate;
  /** What really happened, to report side by side (from {@link historyFromEngine}). */
  readonly history?: WhatIfHistory;
  /** How responders behave when `history` does not say (default: nobody acknowledges). */
  readonly response?: ReplayResponse;
  /** Night, in each person's time zone: `HH:MM` to `HH:MM` (default 22:00–07:00), and the zone of people whose zone is unknown (default UTC). */
  readonly night?: { readonly from?: string; readonly to?: string; readonly timeZone?: string };
  /** People's time zones by user id (otherwise the zone of the schedule that paged them, else `night.timeZone`). */
  readonly timeZones?: Readonly<Record<string, string>>;
  /** How far the clock moves between worker passes (default 60 000 ms). */
  readonly tickMs?: number;
}

/** What {@link whatIf} returns: plain JSON, the same for the same input. */
export interface WhatIfReport {
  readonly from: string;
  readonly to: string;
  readonly signals: number;
  readonly night: { readonly from: string; readonly to: string; readonly timeZone: string };
  readonly candidate: WhatIfCounts;
  readonly actual?: WhatIfCounts & { readonly declaredByHand: number };
  /** What ingest did with the replayed signals, by outcome. */
  readonly outcomes: Readonly<Record<string, number>>;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const alertKey = (source: string, fingerprint: string): string => `${source}\u0000${fingerprint}`;

/**
 * Replays past signals under a candidate configuration and reports how many incidents, pages
 * (per person, and at night in the person's time zone) and missed deadlines it would have
 * produced, beside what really happened (`history`).
 *
 * @remarks The replay runs on a fresh in-memory engine with a manual clock and numbered ids:
 * nothing is sent and nothing is written to your store, and the same input gives the same
 * report. Responders act as they did (`history.responses`: the real incident's time to
 * acknowledge and resolve, by alert), else as `response` says. Signals rebuilt from the store
 * lack labels and repeats (stores keep alert rows, not raw payloads): for grouping or routing on
 * labels, or thresholds, replay a signals file instead.
 * @example
 * ```ts
 * import { whatIf, renderWhatIfMarkdown } from 'incidentkit/drills';
 *
 * const report = await whatIf({
 *   from: '2026-11-01T00:00:00Z',
 *   to: '2026-12-01T00:00:00Z',
 *   signals: [{ at: '2026-11-03T02:00:00Z', signal: { source: 'prometheus', fingerprint: 'disk', status: 'firing', severity: 'SEV2', summary: 'Disk full', labels: {}, annotations: {}, startsAt: '2026-11-03T02:00:00Z', links: [], raw: null } }],
 *   candidate: { policies: { escalation: { levels: [{ afterMinutes: 0, targets: [{ kind: 'user', id: 'u_ana' }] }] } } },
 *   timeZones: { u_ana: 'Europe/Berlin' },
 * });
 * console.log(renderWhatIfMarkdown(report));
 * ```
 * @throws ValidationError (`VALIDATION_FAILED`) for a bad window, night or time zone.
 * @throws ConfigError (`CONFIG_INVALID`) for an invalid candidate configuration.
 */
export async function whatIf(options: WhatIfOptions): Promise<WhatIfReport> {
  const fromMs = Date.parse(options.from);
  const toMs = Date.parse(options.to);
  const night = { from: options.night?.from ?? '22:00', to: options.night?.to ?? '07:00', timeZone: options.night?.timeZone ?? 'UTC' };
  const issues = [
    ...(Number.isNaN(fromMs) || Number.isNaN(toMs) || fromMs >= toMs ? [{ code: 'custom', path: ['from'], message: 'Give a window: from and to as ISO 8601 times, from before to.' }] : []),
    ...(!HHMM.test(night.from) || !HHMM.test(night.to) ? [{ code: 'custom', path: ['night'], message: 'Night runs from HH:MM to HH:MM, e.g. 22:00 to 07:00.' }] : []),
    ...[night.timeZone, ...Object.values(options.timeZones ?? {})].filter((zone) => !validZone(zone)).map((zone) => ({ code: 'custom', path: ['timeZones'], message: `'${zone}' is not an IANA time zone such as Europe/Berlin.` })),
  ];
  if (issues.length > 0) throw new ValidationError('whatIf', issues);

  const { schedules = [], routing, ...engineOptions } = options.candidate;
  const clock = createManualClock(new Date(fromMs));
  const engine = createIncidentEngine({
    ...engineOptions,
    store: memoryStore(),
    clock,
    ids: sequentialIds(),
    ...(routing === undefined ? {} : { routing: defineRoutes(routing) }),
  });
  const actor = { kind: 'system' as const, id: 'what-if' };
  for (const schedule of schedules) await engine.schedules.put(schedule, { actor });
  const driver = createDriver(engine, clock, options.tickMs ?? 60_000);

  type Action = { readonly at: number; readonly order: number; readonly run: () => Promise<void> };
  let order = 0;
  const queue: Action[] = [];
  const enqueue = (at: number, run: () => Promise<void>): void => {
    const action = { at, order: (order += 1), run };
    const index = queue.findIndex((a) => a.at > at);
    if (index === -1) queue.push(action);
    else queue.splice(index, 0, action);
  };
  const outcomes: Record<string, number> = {};
  const opened = new Set<string>();
  const signals = options.signals.filter((s) => Date.parse(s.at) >= fromMs && Date.parse(s.at) < toMs);
  const sorted = [...signals].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const settle = (run: () => Promise<unknown>) => async (): Promise<void> => {
    try {
      await run();
    } catch (error) {
      // The incident moved on (resolved by its signals, say): a responder has nothing to do.
      if (!isIncidentKitError(error)) throw error;
    }
  };
  for (const { at, signal } of sorted) {
    enqueue(Date.parse(at), async () => {
      const [result] = await engine.ingest(signal as never);
      if (result === undefined) return;
      outcomes[result.outcome] = (outcomes[result.outcome] ?? 0) + 1;
      const incident = result.incident;
      if (result.outcome !== 'created' || incident === undefined || opened.has(incident.id)) return;
      opened.add(incident.id);
      const response = options.history?.responses[alertKey(signal.source, signal.fingerprint)] ?? options.response ?? {};
      const now = clock.now().getTime();
      if (response.acknowledgeAfterMs !== undefined) enqueue(now + response.acknowledgeAfterMs, settle(() => engine.acknowledge(incident.id, { actor })));
      if (response.resolveAfterMs !== undefined) enqueue(now + response.resolveAfterMs, settle(() => engine.resolve(incident.id, { actor })));
    });
  }
  for (let action = queue.shift(); action !== undefined; action = queue.shift()) {
    if (action.at >= toMs) break;
    await driver.advanceTo(action.at);
    await action.run();
    await driver.work();
  }
  await driver.advanceTo(toMs);

  const zones = new Map(schedules.map((s) => [s.id, s.timeZone]));
  const events: StoredEvent[] = [];
  const incidents: Incident[] = [];
  for await (const incident of engine.scan()) {
    incidents.push(incident);
    events.push(...(await engine.timeline(incident.id)));
  }
  const candidate = count(incidents.length, events, night, options.timeZones ?? {}, (id) => zones.get(id));
  const actual = options.history === undefined ? undefined : { ...options.history.actual, declaredByHand: options.history.declaredByHand };
  return {
    from: new Date(fromMs).toISOString(),
    to: new Date(toMs).toISOString(),
    signals: signals.length,
    night,
    candidate,
    ...(actual === undefined ? {} : { actual }),
    outcomes: Object.fromEntries(Object.entries(outcomes).sort(([a], [b]) => (a < b ? -1 : 1))),
  };
}

function validZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** `HH:MM` of `iso` in `timeZone`. */
function localTime(iso: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(iso));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${part('hour')}:${part('minute')}`;
}

function atNight(iso: string, timeZone: string, night: { readonly from: string; readonly to: string }): boolean {
  const t = localTime(iso, timeZone);
  return night.from <= night.to ? t >= night.from && t < night.to : t >= night.from || t < night.to;
}

/**
 * Counts pages and breaches in timelines. @internal
 */
export function count(
  incidents: number,
  events: readonly StoredEvent[],
  night: { readonly from: string; readonly to: string; readonly timeZone: string },
  timeZones: Readonly<Record<string, string>>,
  scheduleZone: (scheduleId: string) => string | undefined,
): WhatIfCounts {
  const byPerson: Record<string, { pages: number; night: number }> = {};
  const breachesByName: Record<string, number> = {};
  let pages = 0;
  let nightPages = 0;
  let breaches = 0;
  for (const event of events) {
    if (event.type === 'ESCALATED') {
      for (const { person, schedule } of pagedBy(event.data)) {
        const zone = timeZones[person] ?? (schedule === undefined ? undefined : scheduleZone(schedule)) ?? night.timeZone;
        const dark = atNight(event.at, zone, night);
        const entry = (byPerson[person] ??= { pages: 0, night: 0 });
        entry.pages += 1;
        pages += 1;
        if (dark) {
          entry.night += 1;
          nightPages += 1;
        }
      }
    }
    const breach = breachOf(event);
    if (breach !== undefined) {
      breaches += 1;
      const name = `${breach.kind} ${breach.name}`;
      breachesByName[name] = (breachesByName[name] ?? 0) + 1;
    }
  }
  const sortKeys = <T>(record: Record<string, T>): Record<string, T> => Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));
  return { incidents, pages, nightPages, pagesByPerson: sortKeys(byPerson), breaches, breachesByName: sortKeys(breachesByName) };
}

/** Whom an `ESCALATED` event paged: its resolved users (with the schedule that named them), and its plain target ids. */
function pagedBy(data: Readonly<Record<string, JsonValue>>): { person: string; schedule?: string }[] {
  const out = new Map<string, string | undefined>();
  const resolved = Array.isArray(data.resolved) ? data.resolved : [];
  for (const entry of resolved) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) continue;
    const target = entry.target;
    const schedule = typeof target === 'object' && target !== null && !Array.isArray(target) && target.kind === 'schedule' && typeof target.id === 'string' ? target.id : undefined;
    for (const user of Array.isArray(entry.userIds) ? entry.userIds : []) if (typeof user === 'string' && !out.has(user)) out.set(user, schedule);
  }
  for (const user of Array.isArray(data.paged) ? data.paged : []) if (typeof user === 'string' && !out.has(user)) out.set(user, undefined);
  for (const target of Array.isArray(data.targets) ? data.targets : []) if (typeof target === 'string' && !out.has(target)) out.set(target, undefined);
  return [...out].map(([person, schedule]) => (schedule === undefined ? { person } : { person, schedule }));
}

/**
 * What really happened in a window, from an engine over the real store: the incidents detected in
 * `[from, to)`, their pages and missed deadlines, the signals their alert rows record (a firing
 * signal when each alert was first seen, a resolved one when it resolved), and how long responders
 * took to acknowledge and resolve each alert's incident.
 *
 * @example
 * ```ts
 * import { createIncidentEngine, memoryStore } from 'incidentkit';
 * import { historyFromEngine, whatIf } from 'incidentkit/drills';
 *
 * const engine = createIncidentEngine({ store: memoryStore() });
 * const window = { from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z' };
 * const history = await historyFromEngine(engine, window);
 * const report = await whatIf({ ...window, signals: history.signals, history, candidate: { ingest: { groupBy: ['service'] } } });
 * ```
 */
export async function historyFromEngine(
  engine: Pick<IncidentEngine, 'list' | 'timeline' | 'alerts' | 'schedules'>,
  window: { readonly from: string; readonly to: string },
  options: Pick<WhatIfOptions, 'night' | 'timeZones'> = {},
): Promise<WhatIfHistory> {
  const signals: ReplaySignal[] = [];
  const responses: Record<string, ReplayResponse> = {};
  const events: StoredEvent[] = [];
  let incidents = 0;
  let declaredByHand = 0;
  let cursor: string | undefined;
  do {
    const page = await engine.list({ from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString(), limit: 500, ...(cursor === undefined ? {} : { cursor }) });
    for (const incident of page.items) {
      incidents += 1;
      events.push(...(await engine.timeline(incident.id)));
      const detected = Date.parse(incident.detectedAt);
      const response: ReplayResponse = {
        ...(incident.acknowledgedAt === undefined ? {} : { acknowledgeAfterMs: Date.parse(incident.acknowledgedAt) - detected }),
        ...(incident.resolvedAt === undefined ? {} : { resolveAfterMs: Date.parse(incident.resolvedAt) - detected }),
      };
      let alerts = 0;
      let alertCursor: string | undefined;
      do {
        const alertPage = await engine.alerts(incident.id, { limit: 1_000, ...(alertCursor === undefined ? {} : { cursor: alertCursor }) });
        for (const alert of alertPage.items) {
          alerts += 1;
          responses[alertKey(alert.source, alert.fingerprint)] ??= response;
          const signal = {
            source: alert.source,
            fingerprint: alert.fingerprint,
            ...(alert.dedupKey === alert.fingerprint ? {} : { dedupKey: alert.dedupKey }),
            severity: incident.severity,
            summary: alert.summary,
            ...(incident.service === undefined ? {} : { service: incident.service }),
            labels: {},
            annotations: {},
            startsAt: alert.firstSeenAt,
            links: [],
            raw: null,
          };
          signals.push({ at: alert.firstSeenAt, signal: { ...signal, status: 'firing' } });
          if (alert.status === 'resolved') signals.push({ at: alert.statusChangedAt, signal: { ...signal, status: 'resolved', endsAt: alert.statusChangedAt } });
        }
        alertCursor = alertPage.nextCursor;
      } while (alertCursor !== undefined);
      if (alerts === 0) declaredByHand += 1;
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  const zones = new Map<string, string | undefined>();
  for (const event of events) {
    for (const { schedule } of event.type === 'ESCALATED' ? pagedBy(event.data) : []) {
      if (schedule !== undefined && !zones.has(schedule)) zones.set(schedule, await engine.schedules.get(schedule).then((s) => s.schedule.timeZone, () => undefined));
    }
  }
  const night = { from: options.night?.from ?? '22:00', to: options.night?.to ?? '07:00', timeZone: options.night?.timeZone ?? 'UTC' };
  const actual = count(incidents, events, night, options.timeZones ?? {}, (id) => zones.get(id));
  signals.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return { signals, responses, actual, declaredByHand };
}

/**
 * A what-if report as Markdown: a table of the candidate beside what happened, then pages by person.
 *
 * @example
 * ```ts
 * import { renderWhatIfMarkdown, type WhatIfReport } from 'incidentkit/drills';
 *
 * declare const report: WhatIfReport;
 * console.log(renderWhatIfMarkdown(report));
 * ```
 */
export function renderWhatIfMarkdown(report: WhatIfReport): string {
  const { candidate, actual } = report;
  const row = (label: string, c: number, a: number | undefined) => `| ${label} | ${String(c)} | ${a === undefined ? '–' : String(a)} |`;
  const people = [...new Set([...Object.keys(candidate.pagesByPerson), ...Object.keys(actual?.pagesByPerson ?? {})])].sort();
  const breachNames = [...new Set([...Object.keys(candidate.breachesByName), ...Object.keys(actual?.breachesByName ?? {})])].sort();
  const cell = (entry: { pages: number; night: number } | undefined) => (entry === undefined ? '0' : `${String(entry.pages)} (${String(entry.night)} at night)`);
  return [
    `# What if: ${report.from} to ${report.to}`,
    '',
    `${String(report.signals)} signals replayed. Night is ${report.night.from}–${report.night.to} in each person's time zone (default ${report.night.timeZone}).`,
    '',
    '| | candidate | what happened |',
    '| --- | ---: | ---: |',
    row('incidents', candidate.incidents, actual?.incidents),
    row('pages', candidate.pages, actual?.pages),
    row('pages at night', candidate.nightPages, actual?.nightPages),
    row('missed deadlines', candidate.breaches, actual?.breaches),
    ...breachNames.map((name) => row(`– ${name}`, candidate.breachesByName[name] ?? 0, actual === undefined ? undefined : (actual.breachesByName[name] ?? 0))),
    ...(actual === undefined || actual.declaredByHand === 0 ? [] : ['', `What happened includes ${String(actual.declaredByHand)} incident(s) declared by hand, which no signal replays.`]),
    '',
    '## Pages by person',
    '',
    '| person | candidate | what happened |',
    '| --- | ---: | ---: |',
    ...people.map((p) => `| ${p} | ${cell(candidate.pagesByPerson[p])} | ${actual === undefined ? '–' : cell(actual.pagesByPerson[p])} |`),
    '',
  ].join('\n');
}
