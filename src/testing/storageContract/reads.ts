/**
 * Checks of reads: unknown incidents are absent, a caller cannot change stored values through
 * what a read returns, `events` pages by `seq` (`afterSeq`, `limit`), every read and claim is
 * scoped by tenant, and `list` orders, filters (by `detectedAt` range too) and pages with stable
 * cursors (an unknown cursor is a `VALIDATION_FAILED`).
 */
import type { Incident } from '../../model/incident.js';
import { compareListOrder } from '../../storage/cursor.js';
import type { EventRange, ListQuery } from '../../storage/types.js';
import type { ContractChecks } from './context.js';
import { alice, claim, codeOf, message, OTHER_TENANT, stateOf, t, TENANT, thrown, timer, withExtras } from './fixtures.js';

/** Read, tenancy and list checks (`reads: …`, `tenancy: …`, `list: …`). */
export const readChecks = {
  'reads: unknown incidents are absent': async ({ store: s, expect }) => {
    expect(await s.load(TENANT, 'inc_nope')).toBeUndefined();
    expect(await s.events(TENANT, 'inc_nope')).toEqual([]);
    expect(await s.findOpenByDedupKey(TENANT, 'nope')).toBeUndefined();
    expect(await s.list(TENANT, { limit: 10 })).toEqual({ items: [] });
    expect(await s.deadLetters(TENANT)).toEqual([]);
    expect(await s.redeliver(TENANT, 'msg_nope', t(0))).toBe(false);
  },

  'reads: a caller cannot change stored values through what a read returns (copies or frozen values)': async ({ store: s, expect, declare }) => {
    await declare({ id: 'inc_1', labels: { team: 'payments' } });
    const loaded = await s.load(TENANT, 'inc_1');
    if (loaded === undefined) throw new Error('expected the incident');
    attempt(() => {
      (loaded.incident.labels as Record<string, string>).team = 'changed';
    });
    const timeline = (await s.events(TENANT, 'inc_1')) as unknown[];
    attempt(() => timeline.pop());
    expect((await s.load(TENANT, 'inc_1'))?.incident.labels).toEqual({ team: 'payments' });
    expect(await s.events(TENANT, 'inc_1')).toHaveLength(1);
  },

  'reads: events returns the page after afterSeq, at most limit events': async ({ store: s, expect, declare, note }) => {
    let state = await declare({ id: 'inc_1' });
    for (let i = 1; i <= 6; i += 1) state = await note(state, `note ${String(i)}`);
    const all = await s.events(TENANT, 'inc_1');
    expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const seqs = async (range: EventRange): Promise<number[]> => (await s.events(TENANT, 'inc_1', range)).map((e) => e.seq);
    expect(await s.events(TENANT, 'inc_1', {})).toEqual(all);
    expect(await s.events(TENANT, 'inc_1', { afterSeq: 2, limit: 3 })).toEqual(all.slice(2, 5));
    expect(await seqs({ afterSeq: 0 })).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(await seqs({ afterSeq: 5 })).toEqual([6, 7]);
    expect(await seqs({ limit: 2 })).toEqual([1, 2]);
    expect(await seqs({ afterSeq: 6, limit: 10 })).toEqual([7]);
    expect(await seqs({ afterSeq: 7 })).toEqual([]);
    expect(await seqs({ afterSeq: 1_000, limit: 1 })).toEqual([]);
    // Page by page, each page starting after the last one's final seq, gives the whole timeline.
    const paged: number[] = [];
    for (let page = await seqs({ limit: 3 }); page.length > 0; page = await seqs({ afterSeq: page.at(-1) ?? 0, limit: 3 })) paged.push(...page);
    expect(paged).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(await s.events(OTHER_TENANT, 'inc_1', { afterSeq: 1, limit: 5 })).toEqual([]);
    expect(await s.events(TENANT, 'inc_nope', { afterSeq: 0, limit: 5 })).toEqual([]);
  },

  'tenancy: every read and claim is scoped by tenant': async ({ store: s, expect, build, note }) => {
    const a = await build.declare({ id: 'inc_shared', tenantId: TENANT, title: 'Tenant A outage', dedupKey: 'same-key' });
    const b = await build.declare({ id: 'inc_shared', tenantId: OTHER_TENANT, title: 'Tenant B outage', dedupKey: 'same-key' });
    await s.commit(withExtras(a, { set: [timer(a.incident, 'x', t(0))], outbox: [message(a.incident, 'msg_1', t(0))] }));
    await s.commit(withExtras(b, { set: [timer(b.incident, 'x', t(0))], outbox: [message(b.incident, 'msg_1', t(0))] }));
    await note(stateOf(b), 'only in B');
    expect((await s.load(TENANT, 'inc_shared'))?.incident.title).toBe('Tenant A outage');
    expect((await s.load(OTHER_TENANT, 'inc_shared'))?.incident.title).toBe('Tenant B outage');
    expect(await s.load('tenant_c', 'inc_shared')).toBeUndefined();
    expect((await s.events(TENANT, 'inc_shared')).map((e) => e.tenantId)).toEqual([TENANT]);
    expect((await s.events(OTHER_TENANT, 'inc_shared')).map((e) => e.tenantId)).toEqual([OTHER_TENANT, OTHER_TENANT]);
    expect((await s.list(TENANT, { limit: 10 })).items.map((i) => i.title)).toEqual(['Tenant A outage']);
    expect((await s.findOpenByDedupKey(OTHER_TENANT, 'same-key'))?.title).toBe('Tenant B outage');
    expect(await s.findOpenByDedupKey('tenant_c', 'same-key')).toBeUndefined();
    const timersA = await s.claimTimers(claim(TENANT, t(0)));
    expect(timersA.map((c) => c.item.tenantId)).toEqual([TENANT]);
    const outboxA = await s.claimOutbox(claim(TENANT, t(0)));
    expect(outboxA.map((c) => c.item.tenantId)).toEqual([TENANT]);
    const [timerB] = await s.claimTimers(claim(OTHER_TENANT, t(0)));
    expect(timerB?.item.tenantId).toBe(OTHER_TENANT);
    const [outboxB] = await s.claimOutbox(claim(OTHER_TENANT, t(0)));
    if (outboxB === undefined) throw new Error('tenant B lost its message');
    expect(await s.failOutbox(outboxB, { error: 'dead in B' })).toBe(true);
    expect(await s.deadLetters(TENANT)).toEqual([]);
    expect((await s.deadLetters(OTHER_TENANT)).map((m) => m.tenantId)).toEqual([OTHER_TENANT]);
    expect(await s.redeliver(TENANT, 'msg_1', t(0))).toBe(false);
    expect(await s.redeliver(OTHER_TENANT, 'msg_1', t(0))).toBe(true);
  },

  'list: newest detectedAt first, ties by id descending': async ({ store: s, expect, declare }) => {
    const specs = [
      { id: 'inc_c', at: t(1000) },
      { id: 'inc_a', at: t(3000) },
      { id: 'inc_b', at: t(3000) },
      { id: 'inc_d', at: t(2000) },
      { id: 'inc_e', at: t(3000) },
    ];
    for (const spec of specs) await declare(spec);
    expect((await s.list(TENANT, { limit: 10 })).items.map((i) => i.id)).toEqual(['inc_e', 'inc_b', 'inc_a', 'inc_d', 'inc_c']);
  },

  'list: filters by status, severity, service and open': async ({ store: s, expect, declare, apply }) => {
    await declare({ id: 'inc_1', severity: 'SEV1', service: 'checkout', at: t(1000) });
    const acked = await declare({ id: 'inc_2', severity: 'SEV2', service: 'search', at: t(2000) });
    await apply(acked, t(2500), (engine, id) => engine.acknowledge(id, { actor: alice }));
    const canceled = await declare({ id: 'inc_3', severity: 'SEV2', at: t(3000) });
    await apply(canceled, t(3500), (engine, id) => engine.cancel(id, { reason: 'declined', actor: alice }));
    const ids = async (query: Omit<ListQuery, 'limit'>): Promise<string[]> =>
      (await s.list(TENANT, { limit: 10, ...query })).items.map((i) => i.id);
    expect(await ids({ status: ['triage'] })).toEqual(['inc_1']);
    expect(await ids({ status: ['responding', 'canceled'] })).toEqual(['inc_3', 'inc_2']);
    expect(await ids({ severity: ['SEV2'] })).toEqual(['inc_3', 'inc_2']);
    expect(await ids({ service: ['checkout', 'search'] })).toEqual(['inc_2', 'inc_1']);
    expect(await ids({ open: true })).toEqual(['inc_2', 'inc_1']);
    expect(await ids({ open: false })).toEqual(['inc_3']);
    expect(await ids({ open: true, severity: ['SEV2'], service: ['search'], status: ['responding'] })).toEqual(['inc_2']);
    expect(await ids({ severity: ['SEV5'] })).toEqual([]);
  },

  'list: cursor paging is stable while incidents are added': async ({ store: s, expect, declare }) => {
    const created: Incident[] = [];
    for (let i = 0; i < 23; i += 1) {
      // Every third incident shares its detectedAt with the next, so ties are paged too.
      const state = await declare({ id: `inc_${String(i).padStart(2, '0')}`, at: t(Math.floor(i / 2) * 1000), severity: i % 2 === 0 ? 'SEV3' : 'SEV4' });
      created.push(state.incident);
    }
    const expected = [...created].sort(compareListOrder).map((i) => i.id);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 20; page += 1) {
      const result = await s.list(TENANT, { limit: 5, ...(cursor === undefined ? {} : { cursor }) });
      seen.push(...result.items.map((i) => i.id));
      // Newer incidents arriving between pages never shift the pages still to come.
      await declare({ id: `inc_new_${String(page)}`, at: t(3_600_000 + page), severity: 'SEV5' });
      if (result.nextCursor === undefined) break;
      expect(result.items).toHaveLength(5);
      cursor = result.nextCursor;
    }
    expect(seen).toEqual(expected);
    const sev3: string[] = [];
    cursor = undefined;
    do {
      const result = await s.list(TENANT, { limit: 4, severity: ['SEV3'], ...(cursor === undefined ? {} : { cursor }) });
      sev3.push(...result.items.map((i) => i.id));
      cursor = result.nextCursor;
    } while (cursor !== undefined);
    expect(sev3).toEqual(expected.filter((id) => Number(id.slice(4)) % 2 === 0));
  },

  'list: detectedFrom (inclusive) and detectedTo (exclusive) filter by detectedAt, also while paging': async ({ store: s, expect, declare }) => {
    for (let i = 0; i < 12; i += 1) {
      // Two incidents per second: inc_00 and inc_01 at t(0), inc_02 and inc_03 at t(1000), …
      await declare({ id: `inc_${String(i).padStart(2, '0')}`, at: t(Math.floor(i / 2) * 1000), severity: i % 3 === 0 ? 'SEV1' : 'SEV3' });
    }
    const all = async (query: Omit<ListQuery, 'limit' | 'cursor'>, limit = 100): Promise<string[]> => {
      const ids: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 50; page += 1) {
        const result = await s.list(TENANT, { limit, ...query, ...(cursor === undefined ? {} : { cursor }) });
        ids.push(...result.items.map((i) => i.id));
        cursor = result.nextCursor;
        if (cursor === undefined) break;
        expect(result.items).toHaveLength(limit);
      }
      return ids;
    };
    expect(await all({ detectedFrom: t(4000) })).toEqual(['inc_11', 'inc_10', 'inc_09', 'inc_08']);
    expect(await all({ detectedTo: t(1000) })).toEqual(['inc_01', 'inc_00']);
    expect(await all({ detectedFrom: t(1000), detectedTo: t(3000) })).toEqual(['inc_05', 'inc_04', 'inc_03', 'inc_02']);
    expect(await all({ detectedFrom: t(1000), detectedTo: t(3000) }, 1)).toEqual(['inc_05', 'inc_04', 'inc_03', 'inc_02']);
    expect(await all({ detectedFrom: t(500), detectedTo: t(4001) }, 3)).toEqual(['inc_09', 'inc_08', 'inc_07', 'inc_06', 'inc_05', 'inc_04', 'inc_03', 'inc_02']);
    expect(await all({ detectedFrom: t(0), detectedTo: t(6000), severity: ['SEV1'] }, 2)).toEqual(['inc_09', 'inc_06', 'inc_03', 'inc_00']);
    expect(await all({ detectedFrom: t(2000), detectedTo: t(2000) })).toEqual([]);
    expect(await all({ detectedFrom: t(6000) })).toEqual([]);
  },

  'list: an unknown cursor raises ValidationError': async ({ store: s, expect, declare }) => {
    await declare({ id: 'inc_1' });
    expect(codeOf(await thrown(() => s.list(TENANT, { limit: 10, cursor: 'not-a-cursor' })))).toBe('VALIDATION_FAILED');
  },
} satisfies ContractChecks;

/** Runs a mutation a store may refuse: frozen values throw a `TypeError` in strict mode. */
function attempt(mutate: () => unknown): void {
  try {
    mutate();
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
  }
}
