/**
 * The memory store's outbox after many deliveries (issue 17): an empty `claimOutbox` poll, what
 * every worker pass starts with, after 1 000, 10 000 and 100 000 delivered messages; and the
 * engine's empty `dispatch()` pass over the same store. Goal: constant.
 *
 * The messages are real: copies of an incident the engine worked from declaration to resolution
 * with four notifiers, committed through `store.commit`, then claimed and completed as a
 * dispatcher does. The baseline is the same poll on the same store before any delivery.
 */
import { createIncidentEngine, memoryStore, type ClaimOptions } from '../src/index.js';
import { NOOP_NOTIFIERS, collectGarbage, incidentCopier, notifyingIncidentTemplate, timePerCall } from './fixtures.js';
import { formatCount, formatRatio, formatSeconds, printEnvironment, printMarkdown, printRunCost } from './report.js';

const SIZES = [1_000, 10_000, 100_000] as const;
const TENANT = 'default';

const template = await notifyingIncidentTemplate();
const perIncident = template.commit.outbox?.length ?? 0;
const copy = incidentCopier([template]);
const store = memoryStore();
const engine = createIncidentEngine({ store, notifiers: NOOP_NOTIFIERS });
const poll = (): ClaimOptions => ({ tenantId: TENANT, now: new Date().toISOString(), owner: 'bench-worker', leaseMs: 30_000, limit: 100 });

async function measure(): Promise<{ claim: number; dispatch: number }> {
  const claim = await timePerCall(async () => {
    if ((await store.claimOutbox(poll())).length !== 0) throw new Error('the outbox is not empty');
  }, { sampleSeconds: 0.1, warmup: 20 });
  const dispatch = await timePerCall(() => engine.dispatch(), { sampleSeconds: 0.1, warmup: 20 });
  return { claim, dispatch };
}

/** Claims and completes every due message, in batches as a dispatcher would; returns how many. */
async function deliverAll(): Promise<number> {
  let delivered = 0;
  for (;;) {
    const claims = await store.claimOutbox({ ...poll(), limit: 1_000 });
    if (claims.length === 0) return delivered;
    for (const claim of claims) if (await store.completeOutbox(claim)) delivered += 1;
  }
}

// One incident with no messages, so the baseline store is not empty of incidents.
await store.commit({ ...copy(0), outbox: [] });
const baseline = await measure();
const points: { delivered: number; claim: number; dispatch: number }[] = [];
let copies = 1;
let delivered = 0;
for (const size of SIZES) {
  while (delivered < size) {
    const target = Math.ceil((size - delivered) / perIncident);
    for (let i = 0; i < target; i += 1) await store.commit(copy(copies++));
    delivered += await deliverAll();
  }
  collectGarbage();
  points.push({ delivered, ...(await measure()) });
  console.error(`[outbox] ${formatCount(delivered)} delivered, measured`);
}

printEnvironment();
console.log(`Memory store; ${String(perIncident)} messages per incident copy; time per call (in parentheses: × the same call before any delivery, the baseline).\n`);
const first = points[0]!;
const last = points.at(-1)!;
printMarkdown(
  ['case', 'no messages (baseline)', ...points.map((p) => `${formatCount(p.delivered)} delivered`), `${formatCount(last.delivered)} vs ${formatCount(first.delivered)}`, 'goal'],
  [
    ['`store.claimOutbox`, nothing due', formatSeconds(baseline.claim), ...points.map((p) => `${formatSeconds(p.claim)} (${formatRatio(p.claim / baseline.claim)})`), formatRatio(last.claim / first.claim), 'constant'],
    ['`engine.dispatch()`, nothing due', formatSeconds(baseline.dispatch), ...points.map((p) => `${formatSeconds(p.dispatch)} (${formatRatio(p.dispatch / baseline.dispatch)})`), formatRatio(last.dispatch / first.dispatch), 'constant'],
  ],
  ['left', 'right', ...points.map(() => 'right' as const), 'right', 'left'],
);
printRunCost();
