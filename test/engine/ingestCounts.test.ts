/**
 * Write-behind repeat counters: `ingest` holds repeat counts for `countWindowMs` and writes
 * them in one store write; the engine's reads, `flush()` and stopping the workers write them.
 */
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createIncidentEngine, memoryStore, parseSignal, type Signal, type StorageAdapter } from '../../src/index.js';
import { createManualClock, sequentialIds } from '../../src/testing/index.js';

function signal(): Signal {
  return parseSignal({
    source: 'alertmanager',
    fingerprint: 'fp-web-5xx',
    status: 'firing',
    severity: 'SEV2',
    summary: 'High 5xx rate on web',
    service: 'web',
    labels: { alertname: 'High5xx' },
    startsAt: '2026-03-02T08:58:00.000Z',
  });
}

/** A memory store that counts `recordSignals` calls and can be told to fail the next one. */
function countingStore() {
  const inner = memoryStore();
  const calls = { recordSignals: 0, failNext: false };
  const store: StorageAdapter = {
    ...inner,
    recordSignals(tenantId, counts) {
      calls.recordSignals += 1;
      if (calls.failNext) {
        calls.failNext = false;
        return Promise.reject(new Error('disk full'));
      }
      return inner.recordSignals(tenantId, counts);
    },
  };
  return { store, calls };
}

function setup(countWindowMs?: number) {
  const { store, calls } = countingStore();
  const engine = createIncidentEngine({
    store,
    clock: createManualClock('2026-03-02T09:00:00.000Z'),
    ids: sequentialIds(),
    ingest: countWindowMs === undefined ? {} : { countWindowMs },
  });
  return { engine, store, calls };
}

/** The signal count as stored, read past the engine (which would flush first). */
async function storedCount(store: StorageAdapter, id: string): Promise<number> {
  return (await store.load('default', id))?.incident.signalCount ?? 0;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('engine.ingest: write-behind repeat counts', () => {
  it('holds the counts of single-signal calls and writes them in one write on flush', async () => {
    const { engine, store, calls } = setup(10_000);
    const [first] = await engine.ingest(signal());
    const id = first?.incident?.id ?? '';
    for (let i = 0; i < 99; i += 1) expect((await engine.ingest(signal()))[0]?.outcome).toBe('deduplicated');
    expect(calls.recordSignals).toBe(0);
    expect(await storedCount(store, id)).toBe(0);
    await engine.flush();
    expect(calls.recordSignals).toBe(1);
    expect(await storedCount(store, id)).toBe(100);
    await engine.flush();
    expect(calls.recordSignals).toBe(1);
  });

  it('get, list and scan see every count at once (they write what is pending first)', async () => {
    const { engine } = setup(10_000);
    const [first] = await engine.ingest(signal());
    const id = first?.incident?.id ?? '';
    await engine.ingest(signal());
    expect((await engine.get(id)).signalCount).toBe(2);
    await engine.ingest(signal());
    expect((await engine.list()).items[0]?.signalCount).toBe(3);
    await engine.ingest(signal());
    const scanned = [];
    for await (const incident of engine.scan()) scanned.push(incident.signalCount);
    expect(scanned).toEqual([4]);
  });

  it('writes the pending counts once the window has passed', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { engine, store, calls } = setup(50);
    const [first] = await engine.ingest(signal());
    const id = first?.incident?.id ?? '';
    await engine.ingest(signal());
    await vi.advanceTimersByTimeAsync(49);
    expect(calls.recordSignals).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.recordSignals).toBe(1);
    expect(await storedCount(store, id)).toBe(2);
  });

  it('by default every call writes its counts before it returns (no window)', async () => {
    const { engine, store, calls } = setup();
    const [first] = await engine.ingest(signal());
    const id = first?.incident?.id ?? '';
    await engine.ingest(signal());
    expect(calls.recordSignals).toBe(2);
    expect(await storedCount(store, id)).toBe(2);
  });

  it('countWindowMs 0 writes once per call, as before', async () => {
    const { engine, store, calls } = setup(0);
    const [first] = await engine.ingest(signal());
    const id = first?.incident?.id ?? '';
    expect(await storedCount(store, id)).toBe(1);
    await engine.ingest([signal(), signal()]);
    expect(calls.recordSignals).toBe(2);
    expect(await storedCount(store, id)).toBe(3);
  });

  it('loses nothing when a write fails: flush reports the error and the next flush writes every count', async () => {
    const { engine, store, calls } = setup(10_000);
    const [first] = await engine.ingest(signal());
    const id = first?.incident?.id ?? '';
    await engine.ingest(signal());
    calls.failNext = true;
    await expect(engine.flush()).rejects.toThrow('disk full');
    expect(await storedCount(store, id)).toBe(0);
    await engine.ingest(signal());
    await engine.flush();
    expect(await storedCount(store, id)).toBe(3);
  });

  it('stopping runWorkers writes the pending counts', async () => {
    const { engine, store } = setup(10_000);
    const [first] = await engine.ingest(signal());
    const id = first?.incident?.id ?? '';
    const workers = engine.runWorkers({ intervalMs: 60_000 });
    await workers.stop();
    expect(await storedCount(store, id)).toBe(1);
  });

  it('a process whose store refuses the count writes still exits on its own (retries do not hold it open)', () => {
    const script = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/ingest/failingCountsExit.ts');
    // A hang would end at the timeout with a signal instead of exiting with status 0.
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 60_000 });
    expect(child.signal).toBeNull();
    expect(child.status).toBe(0);
    expect(JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '[]')).toEqual(['created', 'deduplicated', 'deduplicated']);
    expect(child.stderr).toContain('writing repeat counts failed');
  });

  it('refuses a countWindowMs outside 0–10 000 with CONFIG_INVALID', () => {
    for (const countWindowMs of [-1, 1.5, 10_001]) {
      expect(() => createIncidentEngine({ store: memoryStore(), ingest: { countWindowMs } })).toThrow(/countWindowMs/);
    }
  });
});
