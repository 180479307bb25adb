/**
 * One instance of a host, for test/multiInstance.int.test.ts: its own pg.Pool and its own engine
 * on the shared PostgreSQL database. It connects, prints `ready`, waits for `go` on stdin, runs
 * the plan as fast as it can, prints one JSON line with what happened, and exits.
 *
 * Run by the test as `node --import tsx test/workers/engineWorker.ts` with the plan in WORKER_PLAN.
 */
import { createInterface } from 'node:readline';
import pg from 'pg';
import { createIncidentEngine } from '../../src/createIncidentEngine.js';
import { isIncidentKitError } from '../../src/errors.js';
import { postgresStore } from '../../src/storage/postgres.js';
import { createManualClock } from '../../src/testing/manualClock.js';
import { parseSignal } from '../../src/model/signal.js';

/** What the parent asks a worker to do. */
export interface WorkerPlan {
  readonly url: string;
  readonly schema: string;
  readonly tenantId: string;
  readonly worker: number;
  /** The worker's clock; the same for every worker, so they all see the same timers due. */
  readonly now: string;
  /** Incidents every worker writes to at once. */
  readonly shared: readonly string[];
  readonly notesPerIncident: number;
  /** Dedup keys every worker declares with at once. */
  readonly dedupKeys: readonly string[];
  /** Alert fingerprints every worker ingests at once, `signalsPerFingerprint` times each. */
  readonly fingerprints: readonly string[];
  readonly signalsPerFingerprint: number;
}

/** What a worker reports. */
export interface WorkerReport {
  readonly worker: number;
  /** Notes whose command returned, by text. */
  readonly notes: readonly string[];
  readonly acknowledged: readonly string[];
  readonly mitigated: readonly string[];
  /** Action items this worker added to shared incidents (`incident/item` ids), and those it then marked done. */
  readonly actionItems: readonly string[];
  readonly doneItems: readonly string[];
  /** Dedup key → incident id this worker created. */
  readonly declared: Readonly<Record<string, string>>;
  readonly duplicates: number;
  /** Commands refused because the incident had moved on (a lost race that is not an error). */
  readonly refused: number;
  /** Version conflicts that outlasted the retries. */
  readonly conflicts: number;
  /** Timers this worker fired that changed an incident. */
  readonly timersApplied: number;
  /** Fingerprint → ingest outcomes this worker got, and the incidents its signals landed on. */
  readonly ingested: Readonly<Record<string, { readonly outcomes: readonly string[]; readonly incidents: readonly string[] }>>;
  readonly errors: readonly string[];
}

const plan = JSON.parse(process.env.WORKER_PLAN ?? '{}') as WorkerPlan;
const pool = new pg.Pool({ connectionString: plan.url, max: 3 });
const store = postgresStore(pool, { schema: plan.schema });
const engine = createIncidentEngine({
  store,
  tenantId: plan.tenantId,
  clock: createManualClock(plan.now),
  workerId: `worker-${String(plan.worker)}`,
  maxRetries: 100,
  policies: { escalation: { levels: [{ afterMinutes: 1, targets: ['team:a'] }, { afterMinutes: 1, targets: ['team:b'] }] } },
});
const actor = { id: `u_worker_${String(plan.worker)}`, name: `Worker ${String(plan.worker)}` };

const report = {
  worker: plan.worker,
  notes: [] as string[],
  acknowledged: [] as string[],
  mitigated: [] as string[],
  actionItems: [] as string[],
  doneItems: [] as string[],
  declared: {} as Record<string, string>,
  duplicates: 0,
  refused: 0,
  conflicts: 0,
  timersApplied: 0,
  ingested: {} as Record<string, { outcomes: string[]; incidents: string[] }>,
  errors: [] as string[],
};

/** Runs a command; counts the expected ways to lose a race, records anything else. */
async function attempt(run: () => Promise<unknown>): Promise<boolean> {
  try {
    await run();
    return true;
  } catch (error) {
    if (isIncidentKitError(error, 'DUPLICATE_INCIDENT')) report.duplicates += 1;
    else if (isIncidentKitError(error, 'INVALID_TRANSITION')) report.refused += 1;
    else if (isIncidentKitError(error, 'VERSION_CONFLICT')) report.conflicts += 1;
    else report.errors.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    return false;
  }
}

async function run(): Promise<void> {
  // 1. Racing declares: every worker raises the same new dedup keys at the same moment.
  await Promise.all(
    plan.dedupKeys.map((dedupKey) =>
      attempt(async () => {
        const incident = await engine.declare({ title: `Alert ${dedupKey}`, severity: 'SEV3', dedupKey, actor });
        report.declared[dedupKey] = incident.id;
      }),
    ),
  );
  // 1b. Racing ingests: every worker sends the same new alert fingerprints at the same moment.
  await Promise.all(
    plan.fingerprints.flatMap((fingerprint) =>
      Array.from({ length: plan.signalsPerFingerprint }, () =>
        attempt(async () => {
          const signal = parseSignal({
            source: 'alertmanager',
            fingerprint,
            status: 'firing',
            severity: 'SEV2',
            summary: `Alert ${fingerprint}`,
            labels: { alertname: fingerprint },
            startsAt: plan.now,
          });
          const [result] = await engine.ingest(signal);
          const entry = (report.ingested[fingerprint] ??= { outcomes: [], incidents: [] });
          entry.outcomes.push(result?.outcome ?? 'missing');
          if (result?.incident !== undefined) entry.incidents.push(result.incident.id);
        }),
      ),
    ),
  );

  // 2. Conflicting commands on shared incidents, interleaved with timer passes.
  await Promise.all(
    plan.shared.map(async (id) => {
      const items: string[] = [];
      for (let n = 0; n < plan.notesPerIncident; n += 1) {
        const text = `w${String(plan.worker)}-${id}-n${String(n)}`;
        if (await attempt(() => engine.addNote(id, { text, actor }))) report.notes.push(text);
        if (n === 1 && (await attempt(() => engine.acknowledge(id, { actor })))) report.acknowledged.push(id);
        if (n === 3) await attempt(() => engine.assignRole(id, { role: 'commander', assignee: actor, actor }));
        // Action items are rows of their own in SQL stores: each instance adds two, then finishes its first.
        if (n === 0 || n === 2) {
          await attempt(async () => {
            const incident = await engine.addActionItem(id, { title: `w${String(plan.worker)} follow-up ${String(n)}`, actor });
            const item = incident.actionItems.at(-1)?.id ?? 'missing';
            items.push(item);
            report.actionItems.push(`${id}/${item}`);
          });
        }
        if (n === 4 && items[0] !== undefined) {
          const item = items[0];
          if (await attempt(() => engine.updateActionItem(id, { actionItemId: item, status: 'done', actor }))) report.doneItems.push(`${id}/${item}`);
        }
        if (n === 4 && (await attempt(() => engine.mitigate(id, { summary: `worker ${String(plan.worker)} failed over`, actor })))) {
          report.mitigated.push(id);
        }
        if (n % 2 === 0) {
          const fired = await engine.tick();
          report.timersApplied += fired.filter((f) => f.outcome === 'applied').length;
        }
      }
    }),
  );
  // 3. Drain the timers that are still due (each firing may schedule the next level).
  for (let pass = 0; pass < 5; pass += 1) {
    const fired = await engine.tick();
    report.timersApplied += fired.filter((f) => f.outcome === 'applied').length;
  }
}

await store.migrate();
process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line.trim() === 'go') break;
}
lines.close();
try {
  await run();
} catch (error) {
  report.errors.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
}
await pool.end();
process.stdout.write(`${JSON.stringify(report)}\n`);
