/**
 * Several instances of a host on one PostgreSQL database, as DESIGN §8 promises they can run:
 * four child processes, each with its own pg.Pool and engine, write to the same incidents at
 * once, race declares with the same dedup keys, and fire the same due timers. Afterwards no
 * update is lost, each dedup key has one open incident, every timeline is contiguous and
 * verifies, and every timer took effect once.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createIncidentEngine } from '../src/createIncidentEngine.js';
import type { IncidentEngine } from '../src/incidentEngine.js';
import { replayTimeline } from '../src/lifecycle/projection.js';
import { postgresStore } from '../src/storage/postgres.js';
import { createManualClock } from '../src/testing/manualClock.js';
import { markPostgresSuiteRan } from './setup/postgres.js';
import type { WorkerPlan, WorkerReport } from './workers/engineWorker.js';

const postgres = inject('postgres');
const WORKERS = 4;
const WORKER_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'workers', 'engineWorker.ts');
const START = '2026-09-01T08:00:00.000Z';
const LATER = '2026-09-01T09:00:00.000Z';
const TENANT = 'multi';
const actor = { id: 'u_parent', name: 'Test' };

/** Starts a worker process and resolves once it is connected and waiting for `go`. */
function startWorker(plan: WorkerPlan): Promise<{ go(): Promise<WorkerReport> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER_SCRIPT], {
    env: { ...process.env, WORKER_PLAN: JSON.stringify(plan) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const exited = new Promise<number | null>((done) => child.once('exit', done));
  let resolveReport: (report: WorkerReport) => void = () => undefined;
  const report = new Promise<WorkerReport>((done) => {
    resolveReport = done;
  });
  return new Promise((ready, fail) => {
    child.once('error', fail);
    void exited.then((code) => {
      fail(new Error(`worker ${String(plan.worker)} exited with ${String(code)} before it was ready`));
    });
    lines.on('line', (line) => {
      if (line === 'ready') {
        ready({
          async go() {
            child.stdin.end('go\n');
            const [result, code] = await Promise.all([report, exited]);
            expect(code).toBe(0);
            return result;
          },
        });
      } else if (line.startsWith('{')) {
        resolveReport(JSON.parse(line) as WorkerReport);
      }
    });
  });
}

describe.skipIf(postgres.url === null)(`several instances on one PostgreSQL${postgres.url === null ? ` (skipped: ${postgres.reason})` : ''}`, () => {
  const schema = `ik_multi_${crypto.randomUUID().replaceAll('-', '').slice(0, 10)}`;
  let pool: pg.Pool;
  let engine: IncidentEngine;

  beforeAll(() => {
    pool = new pg.Pool({ connectionString: postgres.url ?? '', max: 4 });
    engine = createIncidentEngine({
      store: postgresStore(pool, { schema }),
      tenantId: TENANT,
      clock: createManualClock(START),
      policies: { escalation: { levels: [{ afterMinutes: 1, targets: ['team:a'] }, { afterMinutes: 1, targets: ['team:b'] }] } },
    });
  });
  afterAll(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
    markPostgresSuiteRan('multiInstance');
  });

  it('loses no update, keeps one open incident per dedup key, and fires each timer once', async () => {
    const shared: string[] = [];
    for (const title of ['Checkout 500s', 'Search latency']) {
      shared.push((await engine.declare({ title, severity: 'SEV2', actor })).id);
    }
    // Nobody acknowledges these: their escalation timers are left to the workers' tick().
    const paging: string[] = [];
    for (const title of ['Disk full on db-1', 'Certificate expiring', 'Queue backlog']) {
      paging.push((await engine.declare({ title, severity: 'SEV3', actor })).id);
    }
    const dedupKeys = ['fp:HighErrorRate/web', 'fp:DiskFull/db-1', 'fp:Latency/search', 'fp:CertExpiry/api'];
    const fingerprints = ['am:InstanceDown/web-1', 'am:InstanceDown/web-2', 'am:HighLatency/api'];
    const workers = await Promise.all(
      Array.from({ length: WORKERS }, (_, worker) =>
        startWorker({
          url: postgres.url ?? '',
          schema,
          tenantId: TENANT,
          worker,
          now: LATER,
          shared,
          notesPerIncident: 6,
          dedupKeys,
          fingerprints,
          signalsPerFingerprint: 3,
        }),
      ),
    );
    const reports = await Promise.all(workers.map((w) => w.go()));

    expect(reports.flatMap((r) => r.errors)).toEqual([]);
    expect(reports.reduce((sum, r) => sum + r.conflicts, 0)).toBe(0);

    // No lost update: every note a worker saw succeed is on the timeline exactly once, and nothing else is.
    for (const id of shared) {
      const timeline = await engine.timeline(id);
      const notes = timeline.filter((e) => e.type === 'NOTE_ADDED').map((e) => e.data.text as string);
      expect(notes.sort()).toEqual(reports.flatMap((r) => r.notes.filter((text) => text.includes(`-${id}-`))).sort());
      expect(notes).toHaveLength(WORKERS * 6);
      // A state change happens once however many instances ask for it.
      expect(timeline.filter((e) => e.type === 'ACKNOWLEDGED')).toHaveLength(1);
      expect(reports.flatMap((r) => r.acknowledged.filter((x) => x === id))).toHaveLength(1);
      expect(timeline.filter((e) => e.type === 'MITIGATED')).toHaveLength(1);
      expect(timeline.filter((e) => e.type === 'ROLE_ASSIGNED')).toHaveLength(WORKERS);
      // Every action item an instance added is there once, in timeline order, and those it finished are done.
      const items = (await engine.get(id)).actionItems;
      const added = timeline.filter((e) => e.type === 'ACTION_ITEM_ADDED').map((e) => e.data.actionItemId);
      expect(items.map((item) => item.id)).toEqual(added);
      expect(items.map((item) => `${id}/${item.id}`).sort()).toEqual(reports.flatMap((r) => r.actionItems.filter((x) => x.startsWith(`${id}/`))).sort());
      expect(items).toHaveLength(WORKERS * 2);
      const done = reports.flatMap((r) => r.doneItems.filter((x) => x.startsWith(`${id}/`)));
      expect(done).toHaveLength(WORKERS);
      expect(items.filter((item) => item.status === 'done').map((item) => `${id}/${item.id}`).sort()).toEqual(done.sort());
      // Escalations raced the acknowledgement: each step at most once, in order.
      const steps = timeline.filter((e) => e.type === 'ESCALATED').map((e) => e.data.step);
      expect(steps).toEqual(Array.from({ length: steps.length }, (_, i) => i + 1));
    }

    // One open incident per dedup key, created by exactly one instance.
    for (const key of dedupKeys) {
      const creators = reports.filter((r) => r.declared[key] !== undefined);
      expect(creators).toHaveLength(1);
      const { rows } = await pool.query<{ id: string }>(
        `SELECT id FROM "${schema}".incidentkit_incidents WHERE tenant_id = $1 AND dedup_key = $2 AND is_open`,
        [TENANT, key],
      );
      expect(rows.map((r) => r.id)).toEqual([creators[0]?.declared[key]]);
    }
    expect(reports.reduce((sum, r) => sum + r.duplicates, 0)).toBe(dedupKeys.length * (WORKERS - 1));

    // Racing ingests of new fingerprints: one incident each, created once, every signal counted on it.
    for (const fingerprint of fingerprints) {
      const outcomes = reports.flatMap((r) => r.ingested[fingerprint]?.outcomes ?? []);
      expect(outcomes).toHaveLength(WORKERS * 3);
      expect(outcomes.filter((o) => o === 'created')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'deduplicated')).toHaveLength(WORKERS * 3 - 1);
      const landed = new Set(reports.flatMap((r) => r.ingested[fingerprint]?.incidents ?? []));
      expect(landed.size).toBe(1);
      const { rows } = await pool.query<{ id: string }>(
        `SELECT id FROM "${schema}".incidentkit_incidents WHERE tenant_id = $1 AND dedup_key = $2 AND is_open`,
        [TENANT, fingerprint],
      );
      expect(rows.map((r) => r.id)).toEqual([...landed]);
      expect((await engine.get([...landed][0] ?? '')).signalCount).toBe(WORKERS * 3);
    }

    // Every timer took effect once: both escalation levels of each unacknowledged incident, no more, none left over.
    for (const id of paging) {
      const escalations = (await engine.timeline(id)).filter((e) => e.type === 'ESCALATED');
      expect(escalations.map((e) => e.data.step)).toEqual([1, 2]);
    }
    const { rows: leftover } = await pool.query(`SELECT count(*)::int AS n FROM "${schema}".incidentkit_timers WHERE incident_id = ANY($1)`, [paging]);
    expect(leftover).toEqual([{ n: 0 }]);
    const escalationsFired = (await Promise.all([...shared, ...paging].map((id) => engine.timeline(id)))).flat().filter((e) => e.type === 'ESCALATED');
    expect(reports.reduce((sum, r) => sum + r.timersApplied, 0)).toBe(escalationsFired.length);

    // Every timeline is contiguous, verifies, and replays to its projection.
    const all = (await engine.list({ limit: 100 })).items;
    expect(all).toHaveLength(shared.length + paging.length + dedupKeys.length + fingerprints.length);
    for (const incident of all) {
      const timeline = await engine.timeline(incident.id);
      expect(timeline.map((e) => e.seq)).toEqual(Array.from({ length: incident.version }, (_, i) => i + 1));
      expect(await engine.verifyTimeline(incident.id)).toEqual({ ok: true });
      // Repeat counters (signalCount, alerts' count/lastSeenAt) are counted, not logged, so replay leaves them out.
      const { signalCount: _count, alerts, ...rest } = incident;
      const { alerts: replayedAlerts, ...replayed } = replayTimeline(timeline);
      expect(replayed).toEqual(rest);
      expect(replayedAlerts).toEqual(alerts.map(({ count: _c, lastSeenAt: _l, ...alert }) => alert));
    }
  }, 120_000);
});
