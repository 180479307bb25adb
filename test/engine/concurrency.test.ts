/**
 * Concurrent commands on one incident: no lost update, optimistic concurrency with retries, the
 * loser of a race retries or gets `ConcurrencyError`, and a command that is no longer valid after
 * the reload is refused instead of applied twice.
 */
import { describe, expect, it, vi } from 'vitest';
import type { IncidentEngine } from '../../src/incidentEngine.js';
import { ConcurrencyError, InvalidTransitionError, isIncidentKitError } from '../../src/errors.js';
import { replayTimeline } from '../../src/lifecycle/projection.js';
import type { Incident } from '../../src/model/incident.js';
import { memoryStore } from '../../src/storage/memory.js';
import type { Commit, StorageAdapter } from '../../src/storage/types.js';
import { sequentialIds } from '../../src/testing/sequentialIds.js';
import { ALICE, declareIncident, expectWellFormedTimeline, makeEngine, storedState, thrown, wrapStore } from '../helpers.js';

/** 20 notes and 20 role assignments, all at once. */
function burst(engine: IncidentEngine, id: string): Promise<Incident>[] {
  const commands: Promise<Incident>[] = [];
  for (let i = 0; i < 20; i += 1) {
    commands.push(engine.addNote(id, { text: `note ${String(i)}`, actor: ALICE }));
    commands.push(engine.assignRole(id, { role: `role${String(i)}`, assignee: `u_${String(i)}`, actor: ALICE }));
  }
  return commands;
}

/** Asserts that exactly the fulfilled commands of a burst reached the timeline and the projection. */
async function expectExactlyTheWinners(engine: IncidentEngine, id: string, results: PromiseSettledResult<Incident>[]): Promise<void> {
  const incident = await engine.get(id);
  const timeline = await engine.timeline(id);
  const won = results.map((result) => result.status === 'fulfilled');
  const notes = timeline.filter((event) => event.type === 'NOTE_ADDED').map((event) => event.data.text);
  const roles = Object.keys(incident.roles).sort();
  expect(notes.sort()).toEqual(
    won.flatMap((ok, i) => (ok && i % 2 === 0 ? [`note ${String(i / 2)}`] : [])).sort(),
  );
  expect(roles).toEqual(won.flatMap((ok, i) => (ok && i % 2 === 1 ? [`role${String((i - 1) / 2)}`] : [])).sort());
  expect(incident.version).toBe(1 + won.filter(Boolean).length);
  expectWellFormedTimeline(timeline, incident);
  expect(incident).toStrictEqual(replayTimeline(timeline));
  expect(await engine.verifyTimeline(id)).toEqual({ ok: true });
  // Every fulfilled command returned a distinct version.
  const versions = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value.version] : []));
  expect(new Set(versions).size).toBe(versions.length);
}

describe('concurrent commands on one incident', () => {
  it('with enough retries, 20 notes and 20 role assignments at once all land: no lost update', async () => {
    const { engine } = makeEngine({ maxRetries: 50 });
    const { id } = await declareIncident(engine);
    const published = vi.fn();
    engine.on('*', published);
    const results = await Promise.allSettled(burst(engine, id));
    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
    await expectExactlyTheWinners(engine, id, results);
    expect(Object.keys((await engine.get(id)).roles)).toHaveLength(20);
    expect(published).toHaveBeenCalledTimes(40);
  });

  it('with default options, 20 notes and 20 role assignments at once all land', async () => {
    const { engine } = makeEngine();
    const { id } = await declareIncident(engine);
    const results = await Promise.allSettled(burst(engine, id));
    await expectExactlyTheWinners(engine, id, results);
    expect(results.filter((result) => result.status === 'rejected').map((result) => String(result.reason))).toEqual([]);
  });

  it('with few retries, every command either lands or fails with VERSION_CONFLICT, and only winners are stored', async () => {
    const { engine } = makeEngine({ maxRetries: 1 });
    const { id } = await declareIncident(engine);
    const published = vi.fn();
    engine.on('*', published);
    const results = await Promise.allSettled(burst(engine, id));
    for (const result of results) {
      if (result.status === 'rejected') {
        expect(result.reason).toBeInstanceOf(ConcurrencyError);
        expect(isIncidentKitError(result.reason, 'VERSION_CONFLICT')).toBe(true);
      }
    }
    await expectExactlyTheWinners(engine, id, results);
    expect(published).toHaveBeenCalledTimes(results.filter((result) => result.status === 'fulfilled').length);
  });

  it('two acknowledges at once: exactly one succeeds, the other is refused after its reload', async () => {
    const { engine } = makeEngine();
    const { id } = await declareIncident(engine);
    const results = await Promise.allSettled([engine.acknowledge(id, { actor: ALICE }), engine.acknowledge(id, { actor: { id: 'u_bob' } })]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.reason).toBeInstanceOf(InvalidTransitionError);
    expect((rejected[0]?.reason as InvalidTransitionError).details).toMatchObject({ state: 'responding', event: 'ACKNOWLEDGE' });
    const timeline = await engine.timeline(id);
    expect(timeline.filter((event) => event.type === 'ACKNOWLEDGED')).toHaveLength(1);
    expect((await engine.get(id)).status).toBe('responding');
  });

  it('resolve and cancel at once: exactly one wins and the state reflects it', async () => {
    const { engine } = makeEngine();
    const { id } = await declareIncident(engine);
    const results = await Promise.allSettled([
      engine.resolve(id, { actor: ALICE }),
      engine.cancel(id, { reason: 'false_positive', actor: ALICE }),
    ]);
    const winners = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value.status] : []));
    expect(winners).toHaveLength(1);
    expect((await engine.get(id)).status).toBe(winners[0]);
    const loser = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    expect(isIncidentKitError(loser?.reason, 'INVALID_TRANSITION')).toBe(true);
    expect(await engine.timeline(id)).toHaveLength(2);
  });

  it('two declares racing for one dedup key: one incident, the other gets DUPLICATE_INCIDENT', async () => {
    const { engine } = makeEngine();
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => declareIncident(engine, { dedupKey: 'api-5xx' })),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') expect(isIncidentKitError(result.reason, 'DUPLICATE_INCIDENT')).toBe(true);
    }
    expect((await engine.list()).items).toHaveLength(1);
  });
});

/**
 * A store whose next commit first lets `interpose` run (another writer committing through the
 * inner store), then delegates: the engine's commit then arrives with a stale version.
 */
function racingStore(): {
  readonly store: StorageAdapter;
  readonly inner: StorageAdapter;
  readonly commits: Commit[];
  readonly interposeOnce: (fn: () => Promise<unknown>) => void;
} {
  const inner = memoryStore();
  const commits: Commit[] = [];
  let interpose: (() => Promise<unknown>) | undefined;
  const store = wrapStore(inner, {
    commit: async (commit, delegate) => {
      commits.push(commit);
      const run = interpose;
      interpose = undefined;
      if (run !== undefined) await run();
      return delegate.commit(commit);
    },
  });
  return {
    store,
    inner,
    commits,
    interposeOnce: (fn) => {
      interpose = fn;
    },
  };
}

describe('a store that forces a conflict', () => {
  it('the loser reloads and retries: both writes land, in order, and the chain verifies', async () => {
    const { store, inner, commits, interposeOnce } = racingStore();
    const { engine } = makeEngine({ store });
    const other = makeEngine({ store: inner, ids: sequentialIds('other_') }).engine;
    const { id } = await declareIncident(engine);
    interposeOnce(() => other.addNote(id, { text: 'from the other host', actor: { id: 'u_bob' } }));

    const incident = await engine.addNote(id, { text: 'from this host', actor: ALICE });
    expect(incident.version).toBe(3);
    // The first attempt was computed at version 1, the retry at version 2.
    expect(commits.slice(1).map((commit) => commit.expectedVersion)).toEqual([1, 2]);
    const timeline = await engine.timeline(id);
    expect(timeline.map((event) => event.data.text ?? null)).toEqual([null, 'from the other host', 'from this host']);
    expect(await engine.verifyTimeline(id)).toEqual({ ok: true });
    expect(incident).toStrictEqual(replayTimeline(timeline));
  });

  it('with maxRetries 0 the loser gets ConcurrencyError (VERSION_CONFLICT) and writes nothing', async () => {
    const { store, inner, interposeOnce } = racingStore();
    const { engine } = makeEngine({ store, maxRetries: 0 });
    const other = makeEngine({ store: inner, ids: sequentialIds('other_') }).engine;
    const { id } = await declareIncident(engine);
    const published = vi.fn();
    engine.on('*', published);
    interposeOnce(() => other.addNote(id, { text: 'from the other host', actor: { id: 'u_bob' } }));

    const error = await thrown(engine.addNote(id, { text: 'from this host', actor: ALICE }));
    expect(error).toBeInstanceOf(ConcurrencyError);
    const conflict = error as ConcurrencyError;
    expect(conflict.code).toBe('VERSION_CONFLICT');
    expect(conflict.details).toMatchObject({ tenantId: 'default', incidentId: id, expected: 1, actual: 2 });
    expect(conflict.message).toContain(id);
    const timeline = await engine.timeline(id);
    expect(timeline.map((event) => event.data.text ?? null)).toEqual([null, 'from the other host']);
    expect(published).not.toHaveBeenCalled();
  });

  it('a command that became invalid meanwhile is refused on retry, not applied twice', async () => {
    const { store, inner, interposeOnce } = racingStore();
    const { engine } = makeEngine({ store });
    const other = makeEngine({ store: inner, ids: sequentialIds('other_') }).engine;
    const { id } = await declareIncident(engine);
    interposeOnce(() => other.acknowledge(id, { actor: { id: 'u_bob' } }));

    const error = await thrown(engine.acknowledge(id, { actor: ALICE }));
    expect(error).toBeInstanceOf(InvalidTransitionError);
    expect((error as InvalidTransitionError).details).toMatchObject({ incidentId: id, state: 'responding', event: 'ACKNOWLEDGE' });
    const timeline = await engine.timeline(id);
    expect(timeline.map((event) => event.type)).toEqual(['DECLARED', 'ACKNOWLEDGED']);
    expect(timeline[1]?.actor.id).toBe('u_bob');
  });

  it('a retried action item update is decided again on the reloaded incident', async () => {
    const { store, inner, interposeOnce } = racingStore();
    const { engine } = makeEngine({ store });
    const other = makeEngine({ store: inner, ids: sequentialIds('other_') }).engine;
    const { id } = await declareIncident(engine);
    await engine.addActionItem(id, { title: 'Write a runbook', actor: ALICE });
    interposeOnce(() => other.updateActionItem(id, { actionItemId: 'act_1', status: 'in_progress', actor: { id: 'u_bob' } }));
    const updated = await engine.updateActionItem(id, { actionItemId: 'act_1', status: 'done', actor: ALICE });
    expect(updated.actionItems[0]?.status).toBe('done');
    expect((await engine.timeline(id)).filter((event) => event.type === 'ACTION_ITEM_UPDATED')).toHaveLength(2);
  });

  it('retries exactly maxRetries times against a store that always conflicts, then gives up having written nothing', async () => {
    const inner = memoryStore();
    let attempts = 0;
    let conflicting = false;
    const store = wrapStore(inner, {
      commit: (commit, delegate) => {
        if (!conflicting) return delegate.commit(commit);
        attempts += 1;
        return Promise.reject(
          new ConcurrencyError({ tenantId: commit.tenantId, incidentId: commit.incidentId, expected: commit.expectedVersion, actual: commit.expectedVersion + 1 }),
        );
      },
    });
    const { engine } = makeEngine({ store, maxRetries: 3 });
    const { id } = await declareIncident(engine);
    const before = await storedState(engine, id);
    conflicting = true;
    const error = await thrown(engine.addNote(id, { text: 'never lands', actor: ALICE }));
    expect(isIncidentKitError(error, 'VERSION_CONFLICT')).toBe(true);
    expect(attempts).toBe(4);
    expect(await storedState(engine, id)).toEqual(before);
  });

  it('succeeds when conflicts stop within maxRetries', async () => {
    const inner = memoryStore();
    let conflictsLeft = 0;
    const store = wrapStore(inner, {
      commit: (commit, delegate) => {
        if (conflictsLeft === 0) return delegate.commit(commit);
        conflictsLeft -= 1;
        return Promise.reject(new ConcurrencyError({ tenantId: commit.tenantId, incidentId: commit.incidentId, expected: commit.expectedVersion }));
      },
    });
    const { engine } = makeEngine({ store, maxRetries: 3 });
    const { id } = await declareIncident(engine);
    conflictsLeft = 3;
    expect((await engine.addNote(id, { text: 'lands on the 4th try', actor: ALICE })).version).toBe(2);
    expect(await engine.timeline(id)).toHaveLength(2);
  });

  it('other store errors are not retried', async () => {
    const inner = memoryStore();
    let attempts = 0;
    let failing = false;
    const store = wrapStore(inner, {
      commit: (commit, delegate) => {
        if (!failing) return delegate.commit(commit);
        attempts += 1;
        return Promise.reject(new Error('disk full'));
      },
    });
    const { engine } = makeEngine({ store });
    const { id } = await declareIncident(engine);
    failing = true;
    expect(String(await thrown(engine.addNote(id, { text: 'x', actor: ALICE })))).toContain('disk full');
    expect(attempts).toBe(1);
  });
});
