/**
 * Checks of atomic, version-checked commits: what a commit writes comes back exactly, a stale
 * or duplicate create is refused with `VERSION_CONFLICT` and writes nothing (no timers, no
 * outbox), two concurrent commits at one version have exactly one winner, and retrying writers
 * lose no update.
 */
import { isIncidentKitError } from '../../errors.js';
import { verifyChain } from '../../lifecycle/eventChain.js';
import type { Commit } from '../../storage/types.js';
import type { ContractChecks } from './context.js';
import { claim, codeOf, message, MINUTE, stateOf, t, TENANT, thrown, timer, withExtras } from './fixtures.js';

/** Commit checks (`commit: …`). */
export const commitChecks = {
  'commit: creates an incident that load returns exactly': async ({ store: s, expect, build }) => {
    const commit = await build.declare({ id: 'inc_1', service: 'checkout', dedupKey: 'alert-1', labels: { team: 'payments' } });
    await s.commit(commit);
    expect(await s.load(TENANT, 'inc_1')).toEqual({ incident: commit.incident, snapshot: commit.snapshot, lastHash: commit.events[0]?.hash });
    expect(await s.events(TENANT, 'inc_1')).toEqual(commit.events);
  },

  'commit: appends events in seq order and advances the version': async ({ store: s, expect, declare, note }) => {
    let state = await declare({ id: 'inc_1' });
    for (let i = 1; i <= 5; i += 1) state = await note(state, `note ${String(i)}`, {}, t(i * 1000));
    const stored = await s.load(TENANT, 'inc_1');
    expect(stored?.incident.version).toBe(6);
    expect(stored?.incident).toEqual(state.incident);
    expect(stored?.lastHash).toBe(state.lastHash);
    const events = await s.events(TENANT, 'inc_1');
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await verifyChain(events)).toEqual({ ok: true });
  },

  'commit: a stale expected version raises ConcurrencyError and writes nothing': async ({ store: s, expect, build, declare, note }) => {
    const first = await declare({ id: 'inc_1' });
    const stale = await build.note(first, 'stale');
    await note(first, 'winner');
    const incident = first.incident;
    const error = await thrown(() =>
      s.commit(withExtras(stale, { set: [timer(incident, 'late', t(0))], outbox: [message(incident, 'msg_late', t(0))] })),
    );
    expect(codeOf(error)).toBe('VERSION_CONFLICT');
    expect(isIncidentKitError(error, 'VERSION_CONFLICT') && error.details).toEqual({ tenantId: TENANT, incidentId: 'inc_1', expected: 1, actual: 2 });
    const events = await s.events(TENANT, 'inc_1');
    expect(events.map((e) => e.data)).toEqual([events[0]?.data, { text: 'winner' }]);
    expect(await s.claimTimers(claim(TENANT, t(MINUTE)))).toEqual([]);
    expect(await s.claimOutbox(claim(TENANT, t(MINUTE)))).toEqual([]);
  },

  'commit: creating an incident that exists raises ConcurrencyError': async ({ store: s, expect, build, declare }) => {
    const original = await declare({ id: 'inc_1', title: 'Original' });
    const again = await build.declare({ id: 'inc_1', title: 'Impostor' });
    expect(codeOf(await thrown(() => s.commit(again)))).toBe('VERSION_CONFLICT');
    // A commit at version 1 for an incident the store never saw.
    const ahead = await build.note(original, 'for an incident that is not there');
    const ghost: Commit = {
      ...ahead,
      incidentId: 'inc_missing',
      incident: { ...ahead.incident, id: 'inc_missing' },
      events: ahead.events.map((e) => ({ ...e, incidentId: 'inc_missing' })),
    };
    expect(codeOf(await thrown(() => s.commit(ghost)))).toBe('VERSION_CONFLICT');
    expect((await s.load(TENANT, 'inc_1'))?.incident.title).toBe('Original');
    expect(await s.load(TENANT, 'inc_missing')).toBeUndefined();
  },

  'commit: two concurrent commits at the same version have exactly one winner': async ({ store: s, expect, build, declare }) => {
    let state = await declare({ id: 'inc_1' });
    for (let round = 0; round < 5; round += 1) {
      const a = await build.note(state, `a${String(round)}`);
      const b = await build.note(state, `b${String(round)}`);
      const results = await Promise.allSettled([s.commit(a), s.commit(b)]);
      const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i === 0 ? a : b] : []));
      const lost = results.flatMap((r) => (r.status === 'rejected' ? [codeOf(r.reason)] : []));
      expect(won).toHaveLength(1);
      expect(lost).toEqual(['VERSION_CONFLICT']);
      const winner = won[0];
      if (winner === undefined) return;
      state = stateOf(winner, state);
      expect((await s.events(TENANT, 'inc_1')).at(-1)).toEqual(winner.events[0]);
    }
    const events = await s.events(TENANT, 'inc_1');
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await verifyChain(events)).toEqual({ ok: true });
  },

  'commit: concurrent writers that retry lose no update': async ({ store: s, expect, build, declare }) => {
    await declare({ id: 'inc_1' });
    const writers = Array.from({ length: 8 }, (_, i) => `writer ${String(i)}`);
    await Promise.all(
      writers.map(async (text) => {
        for (let attempt = 0; attempt < 100; attempt += 1) {
          const loaded = await s.load(TENANT, 'inc_1');
          if (loaded === undefined) throw new Error('the incident vanished');
          try {
            await s.commit(await build.note(loaded, text));
            return;
          } catch (error) {
            if (!isIncidentKitError(error, 'VERSION_CONFLICT')) throw error;
          }
        }
        throw new Error(`${text} never got its commit in`);
      }),
    );
    const events = await s.events(TENANT, 'inc_1');
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(events.slice(1).map((e) => e.data.text).sort()).toEqual(writers);
    expect(await verifyChain(events)).toEqual({ ok: true });
    expect((await s.load(TENANT, 'inc_1'))?.incident.version).toBe(9);
  },
} satisfies ContractChecks;
