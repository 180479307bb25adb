/**
 * Shared fixtures of the scale benchmarks (issue 17): timing helpers, SQLite files, realistic
 * incidents made by the real engine, and fast copies of them for fixtures of 100 000 incidents.
 *
 * Everything here uses the public entry points only (`src/index.ts`, `src/storage/sqlite.ts`,
 * `src/testing/index.ts`), so the benchmarks keep working while the engine's inside changes.
 */
import type { Routes } from '../src/features/routing/routes.js';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createIncidentEngine,
  defineNotifier,
  memoryStore,
  parseSignal,
  type AlertSummary,
  type Commit,
  type IdGenerator,
  type IncidentEngine,
  type IncidentPolicies,
  type IngestOptions,
  type Signal,
  type StorageAdapter,
  type TimerRecord,
} from '../src/index.js';
import { sqliteStore } from '../src/storage/sqlite.js';
import { createManualClock } from '../src/testing/index.js';

/** The person every benchmark command is made by. */
export const ACTOR = { kind: 'user', id: 'u_bench', name: 'Bench Person' } as const;

// ----- timing -------------------------------------------------------------------------------------

/** The median of `values` (NaN for none). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Seconds since `start` (from `process.hrtime.bigint()`). */
export function secondsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Runs a full garbage collection when node runs with `--expose-gc` (as `npm run bench` does). */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** How {@link timePerCall} samples. */
export interface TimingOptions {
  /** Samples whose median is reported. Default 7. */
  readonly runs?: number;
  /** Calls per sample; default: as many as fill `sampleSeconds`, judged from the last warm-up call. */
  readonly repeat?: number;
  /** The time one sample should take when `repeat` is not given. Default 0.05 s. */
  readonly sampleSeconds?: number;
  /** At most this many calls per sample when `repeat` is not given. Default 100 000. */
  readonly maxRepeat?: number;
  /** Warm-up calls before the samples; the last one sizes `repeat`. Default 1; 0 needs `repeat`. */
  readonly warmup?: number;
}

function repeatFor(options: TimingOptions, warmupSeconds: number): number {
  if (options.repeat !== undefined) return options.repeat;
  const fits = Math.round((options.sampleSeconds ?? 0.05) / Math.max(warmupSeconds, 1e-9));
  return Math.max(1, Math.min(options.maxRepeat ?? 100_000, fits));
}

/**
 * Seconds per call of `fn`: `warmup` calls (default 1), then `runs` samples of `repeat` calls
 * each, the median of the samples. `fn` gets the call's number (0, 1, 2, …, the warm-up calls
 * first), so a benchmark can use a fresh key per call.
 */
export async function timePerCall(fn: (i: number) => unknown, options: TimingOptions = {}): Promise<number> {
  let call = 0;
  let first = process.hrtime.bigint();
  for (let w = 0; w < (options.warmup ?? 1); w += 1) {
    first = process.hrtime.bigint();
    await fn(call++);
  }
  const repeat = repeatFor(options, secondsSince(first));
  const samples: number[] = [];
  for (let run = 0; run < (options.runs ?? 7); run += 1) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < repeat; i += 1) await fn(call++);
    samples.push(secondsSince(start) / repeat);
  }
  return median(samples);
}

/** Like {@link timePerCall} for synchronous work: no `await` between calls, so no microtask hop is measured. */
export function timePerCallSync(fn: (i: number) => unknown, options: TimingOptions = {}): number {
  let call = 0;
  let first = process.hrtime.bigint();
  for (let w = 0; w < (options.warmup ?? 1); w += 1) {
    first = process.hrtime.bigint();
    fn(call++);
  }
  const repeat = repeatFor(options, secondsSince(first));
  const samples: number[] = [];
  for (let run = 0; run < (options.runs ?? 7); run += 1) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < repeat; i += 1) fn(call++);
    samples.push(secondsSince(start) / repeat);
  }
  return median(samples);
}

// ----- SQLite -------------------------------------------------------------------------------------

/** A SQLite database for one benchmark. */
export interface BenchDatabase {
  readonly db: Database.Database;
  /** What it is, for the notes under the tables. */
  readonly description: string;
  /** Closes the database and deletes its files. */
  close(): void;
}

/** A SQLite database file in a fresh temporary directory, as hosts run it: WAL, synchronous=NORMAL. */
export function openSqliteFile(): BenchDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'incidentkit-bench-'));
  const db = new Database(join(dir, 'bench.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  return {
    db,
    description: 'SQLite: a database file in the OS temp directory, WAL, synchronous=NORMAL',
    close() {
      if (db.open) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An in-memory SQLite database (`:memory:`): big fixtures build about twice as fast as in a file. */
export function openSqliteInMemory(): BenchDatabase {
  const db = new Database(':memory:');
  return {
    db,
    description: 'SQLite: an in-memory database (`:memory:`)',
    close() {
      if (db.open) db.close();
    },
  };
}

// ----- signals --------------------------------------------------------------------------------

/** A firing Alertmanager-style signal (sealed by `parseSignal`, as parsers return them). */
export function firingSignal(fingerprint: string, labels: Readonly<Record<string, string>> = {}, options: { readonly severity?: string; readonly service?: string; readonly startsAt?: string } = {}): Signal {
  return parseSignal({
    source: 'alertmanager',
    fingerprint,
    status: 'firing',
    severity: options.severity ?? 'SEV3',
    summary: `High error rate on ${labels.instance ?? fingerprint}`,
    ...(options.service === undefined ? {} : { service: options.service }),
    labels: { alertname: 'HighErrorRate', job: 'node', ...labels },
    annotations: { description: 'Error rate above 5% for 5 minutes.', runbook_url: 'https://runbooks.example.com/high-error-rate' },
    startsAt: options.startsAt ?? '2026-01-01T00:00:00.000Z',
  });
}

// ----- capturing what the engine commits ----------------------------------------------------------

/** A memory store that also keeps every commit it accepted, in order. */
export function capturingStore(): { readonly store: StorageAdapter; readonly commits: Commit[] } {
  const inner = memoryStore();
  const commits: Commit[] = [];
  const store: StorageAdapter = {
    ...inner,
    async commit(commit) {
      await inner.commit(commit);
      commits.push(structuredClone(commit));
    },
  };
  return { store, commits };
}

/**
 * The commits of one incident folded into the one commit that creates it as it is now: every
 * event, the last projection and snapshot, the timers still set, every outbox message.
 */
export function foldCommits(commits: readonly Commit[]): Commit {
  const last = commits.at(-1);
  if (last === undefined) throw new Error('foldCommits: no commits');
  const timers = new Map<string, TimerRecord>();
  // Alert rows by fingerprint, in the order they were first written (a later row replaces in place).
  const alerts = new Map<string, AlertSummary>();
  for (const commit of commits) {
    for (const id of commit.timers?.cancel ?? []) timers.delete(id);
    for (const timer of commit.timers?.set ?? []) timers.set(timer.timerId, timer);
    for (const alert of commit.alerts ?? []) alerts.set(alert.fingerprint, alert);
  }
  return {
    tenantId: last.tenantId,
    incidentId: last.incidentId,
    expectedVersion: 0,
    events: commits.flatMap((c) => c.events),
    incident: last.incident,
    snapshot: last.snapshot,
    timers: { set: [...timers.values()] },
    outbox: commits.flatMap((c) => c.outbox ?? []),
    ...(alerts.size === 0 ? {} : { alerts: [...alerts.values()] }),
  };
}

// ----- realistic incidents, copied fast -----------------------------------------------------------

/**
 * The marker every id, dedup key, fingerprint and group label of a template holds; a copy
 * replaces it everywhere, so ids and keys stay consistent across projection, snapshot and events.
 */
const MARKER = 'TPLX';
/** Templates happen within the first hour of this day; a copy moves them to another hour. */
const TEMPLATE_HOUR = '2026-01-01T00:';

/** One kind of incident, as the real engine made it, folded into one creating commit. */
export interface IncidentTemplate {
  readonly name: string;
  readonly open: boolean;
  readonly alerts: number;
  readonly commit: Commit;
}

function markedIds(prefix: string): IdGenerator {
  let n = 0;
  const short = { incident: 'inc', event: 'evt', actionItem: 'act', message: 'msg', change: 'chg', problem: 'prb' } as const;
  return (kind) => `${short[kind]}_${MARKER}_${prefix}${String((n += 1))}`;
}

/**
 * Runs the real engine (memory store, manual clock) through eight kinds of incident and returns
 * each folded into one creating commit: four open (triage with one alert; three grouped alerts;
 * declared by hand and being worked; mitigated with two alerts) and four finished (resolved and
 * closed, closed with five grouped alerts, canceled, closed after a review).
 */
export async function incidentTemplates(): Promise<IncidentTemplate[]> {
  const templates: IncidentTemplate[] = [];
  const shapes: { name: string; open: boolean; alerts: number; service: string; severity: string; run: (e: Engine, clock: Clock) => Promise<string> }[] = [
    {
      name: 'ingested, triage, 1 alert',
      open: true,
      alerts: 1,
      service: 'checkout',
      severity: 'SEV3',
      run: async (e) => {
        const [r] = await e.ingest(firingSignal(`fp-${MARKER}-a`, { instance: 'web-1:9100', cluster: `eu-${MARKER}` }, { service: 'checkout', startsAt: '2026-01-01T00:00:00.000Z' }));
        return r!.incident!.id;
      },
    },
    {
      name: 'ingested, triage, 3 grouped alerts',
      open: true,
      alerts: 3,
      service: 'search',
      severity: 'SEV2',
      run: async (e, clock) => {
        let id = '';
        for (const n of [1, 2, 3]) {
          const [r] = await e.ingest(firingSignal(`fp-${MARKER}-g${String(n)}`, { instance: `search-${String(n)}:9100`, cluster: `us-${MARKER}` }, { service: 'search', severity: 'SEV2' }));
          id = r!.incident!.id;
          clock.advance(30_000);
        }
        return id;
      },
    },
    {
      name: 'declared, responding, roles and notes',
      open: true,
      alerts: 0,
      service: 'payments',
      severity: 'SEV2',
      run: async (e, clock) => {
        const i = await e.declare({ title: 'Card payments failing for some customers', severity: 'SEV2', service: 'payments', summary: 'About 3% of card payments return 502.', actor: ACTOR });
        clock.advance(120_000);
        await e.acknowledge(i.id, { actor: ACTOR });
        await e.assignRole(i.id, { role: 'commander', assignee: { id: 'u_lead', name: 'Incident Lead' }, actor: ACTOR });
        clock.advance(300_000);
        await e.addNote(i.id, { text: 'The payment provider reports elevated latency in eu-west-1.', actor: ACTOR });
        await e.postUpdate(i.id, { audience: 'stakeholders', message: 'We are investigating failed card payments.', actor: ACTOR });
        return i.id;
      },
    },
    {
      name: 'ingested, mitigated, 2 alerts',
      open: true,
      alerts: 2,
      service: 'auth',
      severity: 'SEV3',
      run: async (e, clock) => {
        const [r] = await e.ingest([
          firingSignal(`fp-${MARKER}-m1`, { instance: 'auth-1:9100', cluster: `ap-${MARKER}` }, { service: 'auth' }),
          firingSignal(`fp-${MARKER}-m2`, { instance: 'auth-2:9100', cluster: `ap-${MARKER}` }, { service: 'auth' }),
        ]);
        const id = r!.incident!.id;
        clock.advance(60_000);
        await e.acknowledge(id, { actor: ACTOR });
        clock.advance(600_000);
        await e.mitigate(id, { summary: 'Failed over to the standby database.', actor: ACTOR });
        return id;
      },
    },
    {
      name: 'ingested, resolved and closed, 1 alert',
      open: false,
      alerts: 1,
      service: 'checkout',
      severity: 'SEV4',
      run: async (e, clock) => {
        const [r] = await e.ingest(firingSignal(`fp-${MARKER}-c`, { instance: 'web-9:9100', cluster: `eu-${MARKER}` }, { service: 'checkout', severity: 'SEV4' }));
        const id = r!.incident!.id;
        clock.advance(240_000);
        await e.resolve(id, { summary: 'Recovered on its own after the deploy finished.', actor: ACTOR });
        await e.close(id, { actor: ACTOR });
        return id;
      },
    },
    {
      name: 'ingested, closed, 5 grouped alerts',
      open: false,
      alerts: 5,
      service: 'search',
      severity: 'SEV3',
      run: async (e, clock) => {
        let id = '';
        for (const n of [1, 2, 3, 4, 5]) {
          const [r] = await e.ingest(firingSignal(`fp-${MARKER}-k${String(n)}`, { instance: `idx-${String(n)}:9100`, cluster: `sa-${MARKER}` }, { service: 'search' }));
          id = r!.incident!.id;
          clock.advance(20_000);
        }
        await e.acknowledge(id, { actor: ACTOR });
        await e.recordRootCause(id, { summary: 'A full disk on the index nodes.', contributingFactors: ['No disk alert below 95%'], actor: ACTOR });
        clock.advance(900_000);
        await e.resolve(id, { actor: ACTOR });
        await e.close(id, { actor: ACTOR });
        return id;
      },
    },
    {
      name: 'declared, canceled as a false positive',
      open: false,
      alerts: 0,
      service: 'auth',
      severity: 'SEV4',
      run: async (e, clock) => {
        const i = await e.declare({ title: 'Login page slow for one user', severity: 'SEV4', service: 'auth', actor: ACTOR });
        clock.advance(180_000);
        await e.cancel(i.id, { reason: 'false_positive', actor: ACTOR });
        return i.id;
      },
    },
    {
      name: 'declared, reviewed and closed, 2 action items',
      open: false,
      alerts: 0,
      service: 'payments',
      severity: 'SEV1',
      run: async (e, clock) => {
        const i = await e.declare({ title: 'All payments down', severity: 'SEV1', service: 'payments', actor: ACTOR });
        clock.advance(60_000);
        await e.acknowledge(i.id, { actor: ACTOR });
        clock.advance(1_200_000);
        await e.resolve(i.id, { summary: 'Rolled back the gateway release.', actor: ACTOR });
        await e.startReview(i.id, { owner: 'u_lead', actor: ACTOR });
        await e.addActionItem(i.id, { title: 'Canary the gateway release', owner: 'u_dev', kind: 'prevent', actor: ACTOR });
        await e.addActionItem(i.id, { title: 'Alert on payment error ratio', owner: 'u_sre', kind: 'detect', actor: ACTOR });
        await e.completeReview(i.id, { summary: 'Release process gap.', actor: ACTOR });
        await e.close(i.id, { actor: ACTOR });
        return i.id;
      },
    },
  ];
  for (const [n, shape] of shapes.entries()) {
    const { store, commits } = capturingStore();
    const clock = createManualClock(`${TEMPLATE_HOUR}00:00.000Z`);
    const engine = createIncidentEngine({ store, clock, ids: markedIds(`${String(n)}x`), ingest: { groupBy: ['alertname', 'cluster'] }, onHandlerError: () => undefined });
    const id = await shape.run(engine, clock);
    const folded = foldCommits(commits.filter((c) => c.incidentId === id));
    const json = JSON.stringify(folded);
    if (!json.includes(`"${TEMPLATE_HOUR}`)) throw new Error('template outside its hour');
    const incident = folded.incident;
    if (incident.alertCount !== shape.alerts || (folded.alerts?.length ?? 0) !== shape.alerts) {
      throw new Error(`template ${shape.name}: ${String(incident.alertCount)} alerts, expected ${String(shape.alerts)}`);
    }
    templates.push({ name: shape.name, open: shape.open, alerts: shape.alerts, commit: folded });
  }
  return templates;
}

/**
 * An incident in `triage` whose engine has a one-level escalation policy (after 5 minutes), so
 * it holds one durable escalation timer, folded into one creating commit. Copies of it (through
 * {@link incidentCopier}) carry timers due in their own hour, long past.
 */
export async function escalatingIncidentTemplate(): Promise<IncidentTemplate> {
  const { store, commits } = capturingStore();
  const engine = createIncidentEngine({
    store,
    clock: createManualClock(`${TEMPLATE_HOUR}00:00.000Z`),
    ids: markedIds('e'),
    policies: { escalation: { levels: [{ afterMinutes: 5, targets: ['oncall-primary', 'oncall-secondary'] }] } },
  });
  const incident = await engine.declare({ title: 'Checkout latency above target', severity: 'SEV2', service: 'checkout', actor: ACTOR });
  const commit = foldCommits(commits.filter((c) => c.incidentId === incident.id));
  if ((commit.timers?.set?.length ?? 0) !== 1) throw new Error(`expected one escalation timer, got ${String(commit.timers?.set?.length)}`);
  return { name: 'declared with a 5-minute escalation level', open: true, alerts: 0, commit };
}

/** Notifiers that accept every message and do nothing: delivery without a network. */
export const NOOP_NOTIFIERS = Object.fromEntries(
  ['slack', 'teams', 'email', 'webhook'].map((name) => [name, defineNotifier({ name, send: () => Promise.resolve() })]),
);

/**
 * An incident worked from declaration to resolution by an engine with four notifiers, folded
 * into one creating commit: its outbox holds one message per notified event and notifier.
 */
export async function notifyingIncidentTemplate(): Promise<IncidentTemplate> {
  const { store, commits } = capturingStore();
  const clock = createManualClock(`${TEMPLATE_HOUR}00:00.000Z`);
  const engine = createIncidentEngine({ store, clock, ids: markedIds('n'), notifiers: NOOP_NOTIFIERS });
  const incident = await engine.declare({ title: 'Checkout API returns 502 errors', severity: 'SEV2', service: 'checkout', actor: ACTOR });
  clock.advance(60_000);
  await engine.acknowledge(incident.id, { actor: ACTOR });
  await engine.postUpdate(incident.id, { audience: 'stakeholders', message: 'We are investigating failed checkouts.', actor: ACTOR });
  clock.advance(600_000);
  await engine.mitigate(incident.id, { summary: 'Rolled back the release.', actor: ACTOR });
  clock.advance(600_000);
  await engine.resolve(incident.id, { actor: ACTOR });
  const commit = foldCommits(commits.filter((c) => c.incidentId === incident.id));
  if ((commit.outbox?.length ?? 0) === 0) throw new Error('the notifying template has no outbox messages');
  return { name: 'worked to resolution with four notifiers', open: true, alerts: 0, commit };
}

type Engine = IncidentEngine;
type Clock = ReturnType<typeof createManualClock>;

/**
 * Copies of templates with fresh ids, keys and detection times: copy `i` takes template
 * `i % templates.length`, replaces the marker with `c<i>` everywhere and moves it to its own hour
 * (four copies an hour from 2023 on: 100 000 copies reach late 2025). Event hashes are not
 * recomputed (stores do not re-hash), so a copy's timeline does not verify; no benchmark reads
 * it that way.
 */
export function incidentCopier(templates: readonly IncidentTemplate[]): (i: number) => Commit {
  const texts = templates.map((t) => JSON.stringify(t.commit));
  const base = Date.UTC(2023, 0, 1);
  return (i) => {
    const text = texts[i % texts.length]!;
    // A new hour for every copy, newest last; copies in the same hour differ by id.
    const hour = new Date(base + Math.floor(i / 4) * 3_600_000).toISOString().slice(0, 14);
    return JSON.parse(text.replaceAll(MARKER, `c${String(i)}`).replaceAll(`"${TEMPLATE_HOUR}`, `"${hour}`)) as Commit;
  };
}

/** Commits copies `from` … `to - 1` through `store.commit`; calls `each` with every commit written. */
export async function commitCopies(store: StorageAdapter, copy: (i: number) => Commit, from: number, to: number, each?: (commit: Commit) => void): Promise<void> {
  for (let i = from; i < to; i += 1) {
    const commit = copy(i);
    await store.commit(commit);
    each?.(commit);
  }
}

/** A SQLite store over `database` and an engine on it (system clock: benchmarks measure, they do not test). */
export function sqliteEngine(
  database: BenchDatabase,
  options: { readonly ingest?: IngestOptions; readonly policies?: IncidentPolicies; readonly routing?: Routes } = {},
): { readonly store: StorageAdapter; readonly engine: IncidentEngine } {
  const store = sqliteStore(database.db);
  return { store, engine: createIncidentEngine({ ...options, store }) };
}
