/**
 * The process test/crash.int.test.ts kills: a host with its own pg.Pool and an engine whose
 * workers (`runWorkers`: durable timers and webhook delivery) run while it declares, ingests,
 * acknowledges, resolves and closes incidents as fast as it can, until SIGKILL stops it.
 *
 * It loads its code, prints `loaded` and waits for `go` on stdin before it touches the database,
 * so the test can start the next incarnation while the current one works (loading TypeScript
 * through tsx takes longer than the work between kills). Output on stdout, one JSON object per
 * line ({@link CrashLine}): `loaded`, `ready` once connected, then one `done` line after each
 * engine call resolved (never before), and `error` lines for anything unexpected. Lines are far below PIPE_BUF and stdout to a pipe is synchronous on Linux, so a
 * line that was written survives the kill whole.
 *
 * Run by the test as `node --import tsx test/workers/crashChild.ts` with the plan in CRASH_PLAN.
 */
import { createInterface } from 'node:readline';
import pg from 'pg';
import { createIncidentEngine } from '../../src/createIncidentEngine.js';
import type { IncidentPolicies } from '../../src/engine/types.js';
import { isIncidentKitError } from '../../src/errors.js';
import { parseSignal } from '../../src/model/signal.js';
import type { DeliveryOptions } from '../../src/features/notifications/dispatcher.js';
import { webhookNotifier } from '../../src/channels/webhook.js';
import { postgresStore } from '../../src/storage/postgres.js';

/** What the parent asks one incarnation of the child to do. */
export interface CrashPlan {
  readonly url: string;
  readonly schema: string;
  readonly tenantId: string;
  /** The parent's HTTP receiver. */
  readonly webhookUrl: string;
  readonly secret: string;
  /** 0 for the first start, 1 after the first kill, … : names this incarnation's work. */
  readonly incarnation: number;
  /** Seeds this incarnation's choice of operations. */
  readonly seed: number;
  readonly leaseMs: number;
  readonly policies: IncidentPolicies;
  readonly delivery: DeliveryOptions;
  /** Alert fingerprints the child ingests signals for. */
  readonly fingerprints: readonly string[];
}

/** A command the child saw complete. */
export type DoneCommand =
  | { readonly op: 'declare'; readonly incidentId: string; readonly title: string; readonly unattended: boolean }
  | { readonly op: 'note'; readonly incidentId: string; readonly text: string }
  | { readonly op: 'acknowledge' | 'resolve' | 'close'; readonly incidentId: string }
  | {
      readonly op: 'ingest';
      readonly fingerprint: string;
      readonly status: 'firing' | 'resolved';
      readonly outcome: string;
      readonly incidentId?: string;
    };

/** One line of the child's stdout. */
export type CrashLine =
  | { readonly kind: 'loaded' | 'ready'; readonly incarnation: number }
  | { readonly kind: 'done'; readonly incarnation: number; readonly command: DoneCommand }
  | { readonly kind: 'error'; readonly incarnation: number; readonly message: string };

/** Marks titles of incidents nobody acknowledges, so every escalation level and target fires (the test uses the same marker). */
const UNATTENDED = '[unattended]';

const plan = JSON.parse(process.env.CRASH_PLAN ?? '{}') as CrashPlan;
const actor = { id: 'u_crash', name: 'Crash test host' };

function print(line: CrashLine): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function reportError(error: unknown): void {
  print({ kind: 'error', incarnation: plan.incarnation, message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
}

/** mulberry32: small, seeded, good enough to pick operations. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const random = seeded(plan.seed);
const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(random() * items.length)];

const pool = new pg.Pool({ connectionString: plan.url, max: 4 });
const store = postgresStore(pool, { schema: plan.schema });
const engine = createIncidentEngine({
  store,
  tenantId: plan.tenantId,
  workerId: `crash-child-${String(plan.incarnation)}`,
  leaseMs: plan.leaseMs,
  maxRetries: 20,
  policies: plan.policies,
  notifiers: { hook: webhookNotifier({ url: plan.webhookUrl, secret: plan.secret }) },
  delivery: plan.delivery,
});

/** What this incarnation knows about the incidents it may work on. */
interface Known {
  status: string;
  readonly unattended: boolean;
}
const known = new Map<string, Known>();

function remember(id: string, status: string, title: string): void {
  known.set(id, { status, unattended: title.includes(UNATTENDED) });
}

function candidates(statuses: readonly string[], includeUnattended = false): string[] {
  return [...known].filter(([, k]) => statuses.includes(k.status) && (includeUnattended || !k.unattended)).map(([id]) => id);
}

function done(command: DoneCommand): void {
  print({ kind: 'done', incarnation: plan.incarnation, command });
}

let counter = 0;
const name = (what: string): string => {
  counter += 1;
  return `c${String(plan.incarnation)}-${what}${String(counter)}`;
};

/** One operation, chosen at random; refusals (the incident moved on) are expected and skipped. */
async function step(): Promise<void> {
  const roll = random();
  try {
    if (roll < 0.15) {
      const unattended = random() < 0.4;
      const title = `Crash ${name('d')}${unattended ? ` ${UNATTENDED}` : ''}`;
      const incident = await engine.declare({ title, severity: pick(['SEV1', 'SEV2', 'SEV3']) ?? 'SEV3', actor });
      done({ op: 'declare', incidentId: incident.id, title, unattended });
      remember(incident.id, incident.status, title);
    } else if (roll < 0.45) {
      const fingerprint = pick(plan.fingerprints) ?? 'fp';
      const status = random() < 0.75 ? 'firing' : 'resolved';
      const signal = parseSignal({
        source: 'crash-monitor',
        fingerprint,
        status,
        severity: pick(['SEV2', 'SEV3']) ?? 'SEV3',
        summary: `Alert ${fingerprint}`,
        labels: { alertname: fingerprint },
        startsAt: new Date().toISOString(),
      });
      const [result] = await engine.ingest(signal);
      const incident = result?.incident;
      done({ op: 'ingest', fingerprint, status, outcome: result?.outcome ?? 'missing', ...(incident === undefined ? {} : { incidentId: incident.id }) });
      if (incident !== undefined) remember(incident.id, incident.status, incident.title);
    } else if (roll < 0.7) {
      const id = pick(candidates(['triage', 'responding', 'mitigated', 'resolved'], true));
      if (id === undefined) return;
      const text = `note ${name('n')}`;
      const incident = await engine.addNote(id, { text, actor });
      done({ op: 'note', incidentId: id, text });
      remember(id, incident.status, incident.title);
    } else if (roll < 0.82) {
      const id = pick(candidates(['triage']));
      if (id === undefined) return;
      const incident = await engine.acknowledge(id, { actor });
      done({ op: 'acknowledge', incidentId: id });
      remember(id, incident.status, incident.title);
    } else if (roll < 0.92) {
      const id = pick(candidates(['triage', 'responding', 'mitigated']));
      if (id === undefined) return;
      const incident = await engine.resolve(id, { summary: 'Fixed by the crash test', actor });
      done({ op: 'resolve', incidentId: id });
      remember(id, incident.status, incident.title);
    } else {
      const id = pick(candidates(['resolved']));
      if (id === undefined) return;
      const incident = await engine.close(id, { actor });
      done({ op: 'close', incidentId: id });
      remember(id, incident.status, incident.title);
    }
  } catch (error) {
    if (!isIncidentKitError(error, 'INVALID_TRANSITION')) throw error;
  }
}

async function lane(): Promise<void> {
  for (;;) {
    try {
      await step();
    } catch (error) {
      reportError(error);
    }
    // A short pause keeps the worker loop fed on a 2-core machine.
    await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 8)));
  }
}

print({ kind: 'loaded', incarnation: plan.incarnation });
const input = createInterface({ input: process.stdin });
let go = false;
for await (const line of input) {
  go = line.trim() === 'go';
  if (go) break;
}
input.close();
// The test ended without starting this incarnation: leave the database alone.
if (!go) process.exit(0);
await store.migrate();
// What earlier incarnations left open (newest first): this one carries on working on them.
for (const incident of (await engine.list({ open: true, limit: 200 })).items) remember(incident.id, incident.status, incident.title);
print({ kind: 'ready', incarnation: plan.incarnation });
engine.runWorkers({ intervalMs: 20, onError: reportError });
await Promise.all([lane(), lane()]);
