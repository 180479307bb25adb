/**
 * Checks of exact round-trips: timestamps (millisecond precision, any era), unicode text and
 * nested JSON come back as they were written, in projections, events, timers and outbox payloads.
 */
import type { JsonValue } from '../../model/primitives.js';
import type { ContractChecks } from './context.js';
import { claim, message, stateOf, t, TENANT, timer, withExtras } from './fixtures.js';

/** Round-trip checks (`round-trip: …`). */
export const roundTripChecks = {
  'round-trip: timestamps come back exactly': async ({ store: s, expect, build }) => {
    const instants = ['1970-01-01T00:00:00.000Z', '2000-02-29T23:59:59.999Z', '2026-03-01T12:00:00.001Z', '2038-01-19T03:14:08.500Z', '2099-12-31T23:59:59.999Z'];
    for (const [i, at] of instants.entries()) {
      const declared = await build.declare({ id: `inc_${String(i)}`, at, startedAt: '1969-12-31T23:59:59.999Z' });
      await s.commit(withExtras(declared, { set: [timer(declared.incident, 'due', at)], outbox: [message(declared.incident, `msg_${String(i)}`, at)] }));
      const loaded = await s.load(TENANT, `inc_${String(i)}`);
      expect([loaded?.incident.detectedAt, loaded?.incident.startedAt, loaded?.incident.updatedAt]).toEqual([at, '1969-12-31T23:59:59.999Z', at]);
      expect((await s.events(TENANT, `inc_${String(i)}`)).map((e) => e.at)).toEqual([at]);
    }
    const timers = await s.claimTimers(claim(TENANT, '2100-01-01T00:00:00.000Z', 'w1', 1));
    expect(timers.map((c) => c.item.dueAt)).toEqual(instants);
    expect(timers.map((c) => c.leaseUntil)).toEqual(instants.map(() => '2100-01-01T00:00:00.001Z'));
    const messages = await s.claimOutbox(claim(TENANT, '2100-01-01T00:00:00.000Z', 'w1', 1));
    expect(messages.map((c) => c.item.availableAt)).toEqual(instants);
    expect((await s.list(TENANT, { limit: 10 })).items.map((i) => i.detectedAt)).toEqual([...instants].reverse());
  },

  'round-trip: unicode text comes back exactly': async ({ store: s, expect, build, note }) => {
    const title = '🔥 Checkout — مرحبا بالعالم שלום 日本語 e\u0301 👩🏽‍💻 \u200f⁦RTL⁩';
    const text = `${title} Ελληνικά "quotes" 'single' \\back\\slash\\ ; DROP TABLE incidents; -- %_ $1 \u{1F1FA}\u{1F1F8}\ttab\nnewline`;
    const declared = await build.declare({
      id: 'inc_ünï_😀',
      title,
      service: 'pagos-😀-δ',
      dedupKey: 'alert:😀:שלום',
      labels: { 'région': 'مصر', '🏷️': '✓', alertname: title },
      fields: { note: text, 'ключ': ['ü', '😀', 'ع'] },
    });
    const msg = message(declared.incident, 'msg_😀', t(0), { text, '键': text });
    await s.commit(withExtras(declared, { set: [timer(declared.incident, 'timer_✓', t(0), { type: 'REMIND', text })], outbox: [msg] }));
    const state = await note(stateOf(declared), text);
    expect(await s.load(TENANT, 'inc_ünï_😀')).toEqual(state);
    expect((await s.events(TENANT, 'inc_ünï_😀')).at(-1)?.data.text).toBe(text);
    expect((await s.list(TENANT, { limit: 5, service: ['pagos-😀-δ'] })).items.map((i) => i.id)).toEqual(['inc_ünï_😀']);
    expect((await s.findOpenByDedupKey(TENANT, 'alert:😀:שלום'))?.title).toBe(title);
    expect((await s.claimTimers(claim(TENANT, t(0))))[0]?.item.event).toEqual({ type: 'REMIND', text });
    expect((await s.claimOutbox(claim(TENANT, t(0))))[0]?.item).toEqual(msg);
  },

  'round-trip: nested JSON comes back deeply equal': async ({ store: s, expect, build }) => {
    let deep: JsonValue = { leaf: [1, 'two', null, true] };
    for (let depth = 0; depth < 6; depth += 1) deep = { [`level ${String(depth)}`]: [deep, { depth }] };
    const numbers = { zero: 0, negative: -42, pi: 3.141592653589793, max: Number.MAX_SAFE_INTEGER, min: -Number.MAX_SAFE_INTEGER, tiny: 1e-7, huge: 1.5e300, third: 1 / 3 };
    const fields: Record<string, JsonValue> = {
      deep,
      numbers,
      empty: {},
      none: [],
      flags: [true, false, null],
      'dotted.key with spaces': { 'a-b': { c: [[[]], [{}]] } },
    };
    const declared = await build.declare({ id: 'inc_json', fields });
    const payload = { incident: { fields }, list: [numbers, [deep]], '': 'empty key', nested: { a: { b: { c: { d: { e: 'f' } } } } } };
    await s.commit(withExtras(declared, { set: [timer(declared.incident, 'json', t(0), { type: 'REMIND', payload })], outbox: [message(declared.incident, 'msg_json', t(0), payload)] }));
    const loaded = await s.load(TENANT, 'inc_json');
    expect(loaded?.incident.fields).toEqual(fields);
    expect(loaded?.snapshot).toEqual(declared.snapshot);
    expect(await s.events(TENANT, 'inc_json')).toEqual(declared.events);
    expect((await s.claimTimers(claim(TENANT, t(0))))[0]?.item.event).toEqual({ type: 'REMIND', payload });
    expect((await s.claimOutbox(claim(TENANT, t(0))))[0]?.item.payload).toEqual(payload);
  },
} satisfies ContractChecks;
