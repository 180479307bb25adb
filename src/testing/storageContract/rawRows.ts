/**
 * Checks that read rows straight from the backing store (through the host's `inspect`):
 * commits really reach it, and refused commits leave nothing behind.
 */
import type { ContractChecks } from './context.js';
import { codeOf, message, OTHER_TENANT, stateOf, t, TENANT, thrown, timer, withExtras } from './fixtures.js';

/** Raw-row checks; each needs `inspect`, so they are skipped (and say so) without it. */
export const rawRowChecks = {
  'raw rows: commits reach the backing store': async ({ store, expect, build, note, inspect }) => {
    const declared = await build.declare({ id: 'inc_1' });
    await store.commit(withExtras(declared, { set: [timer(declared.incident, 'a', t(0))], outbox: [message(declared.incident, 'msg_1', t(0))] }));
    expect(await inspect(TENANT)).toEqual({ incidents: 1, events: 1, timers: 1, outbox: 1 });
    await note(stateOf(declared), 'second event', { cancel: ['a'] });
    expect(await inspect(TENANT)).toEqual({ incidents: 1, events: 2, timers: 0, outbox: 1 });
    expect(await inspect(OTHER_TENANT)).toEqual({ incidents: 0, events: 0, timers: 0, outbox: 0 });
  },

  'raw rows: refused commits leave no rows behind': async ({ store, expect, build, declare, note, inspect }) => {
    const first = await declare({ id: 'inc_1', dedupKey: 'k' });
    const before = await inspect(TENANT);
    const stale = await build.note(first, 'stale');
    await note(first, 'winner');
    const afterWinner = await inspect(TENANT);
    expect(afterWinner.events).toBe(before.events + 1);
    const extras = { set: [timer(first.incident, 'x', t(0))], outbox: [message(first.incident, 'msg_x', t(0))] };
    expect(codeOf(await thrown(() => store.commit(withExtras(stale, extras))))).toBe('VERSION_CONFLICT');
    const duplicate = await build.declare({ id: 'inc_2', dedupKey: 'k' });
    expect(codeOf(await thrown(() => store.commit(withExtras(duplicate, { set: [timer(duplicate.incident, 'y', t(0))] }))))).toBe('DUPLICATE_INCIDENT');
    expect(await inspect(TENANT)).toEqual(afterWinner);
  },
} satisfies ContractChecks;

/** Why the raw-row checks are skipped when the host gave no `inspect`. */
export const NO_INSPECT_REASON = 'no inspect() was given, so rows cannot be read past the adapter';

/** The names of the checks that call `inspect`. */
export const NEEDS_INSPECT: ReadonlySet<string> = /* @__PURE__ */ (() => new Set(Object.keys(rawRowChecks)))();
