/**
 * Checks of the one-open-incident-per-dedup-key rule: a second open incident with the key is
 * refused with `DUPLICATE_INCIDENT` and writes nothing, even when two creates race; the key is
 * free again once its incident closes or is canceled; the keys of grouped alerts count too.
 */
import { isIncidentKitError } from '../../errors.js';
import type { ContractChecks } from './context.js';
import { alert, alerts, alice, claim, codeOf, message, MINUTE, OTHER_TENANT, stateOf, t, TENANT, thrown, timer, withAlerts, withExtras } from './fixtures.js';

/** Dedup-key checks (`dedup: …`). */
export const dedupChecks = {
  'dedup: a second open incident with the same key raises DuplicateIncidentError and writes nothing': async ({ store: s, expect, build, declare }) => {
    const first = await declare({ id: 'inc_1', dedupKey: 'HighErrorRate/web' });
    const second = await build.declare({ id: 'inc_2', dedupKey: 'HighErrorRate/web' });
    const error = await thrown(() =>
      s.commit(withExtras(second, { set: [timer(second.incident, 'x', t(0))], outbox: [message(second.incident, 'msg_x', t(0))] })),
    );
    expect(codeOf(error)).toBe('DUPLICATE_INCIDENT');
    expect(isIncidentKitError(error, 'DUPLICATE_INCIDENT') && error.details.dedupKey).toBe('HighErrorRate/web');
    expect(await s.load(TENANT, 'inc_2')).toBeUndefined();
    expect(await s.events(TENANT, 'inc_2')).toEqual([]);
    expect(await s.claimTimers(claim(TENANT, t(MINUTE)))).toEqual([]);
    expect(await s.claimOutbox(claim(TENANT, t(MINUTE)))).toEqual([]);
    expect((await s.findOpenByDedupKey(TENANT, 'HighErrorRate/web'))?.id).toBe(first.incident.id);
    await declare({ id: 'inc_3', dedupKey: 'HighErrorRate/api' });
    await declare({ id: 'inc_4' });
    await declare({ id: 'inc_5' });
    expect((await s.list(TENANT, { limit: 10 })).items).toHaveLength(4);
  },

  'dedup: two concurrent creates with the same key produce one DuplicateIncidentError': async ({ store: s, expect, build }) => {
    for (let round = 0; round < 5; round += 1) {
      const key = `disk-full/${String(round)}`;
      const a = await build.declare({ id: `inc_a${String(round)}`, dedupKey: key });
      const b = await build.declare({ id: `inc_b${String(round)}`, dedupKey: key });
      const results = await Promise.allSettled([s.commit(a), s.commit(b)]);
      const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i === 0 ? a : b] : []));
      expect(winners).toHaveLength(1);
      expect(results.flatMap((r) => (r.status === 'rejected' ? [codeOf(r.reason)] : []))).toEqual(['DUPLICATE_INCIDENT']);
      const winner = winners[0]?.incident.id;
      const loser = winner === a.incident.id ? b.incident.id : a.incident.id;
      expect((await s.findOpenByDedupKey(TENANT, key))?.id).toBe(winner);
      expect(await s.load(TENANT, loser)).toBeUndefined();
      expect(await s.events(TENANT, loser)).toEqual([]);
    }
  },

  'dedup: the key is free again once its incident is closed or canceled': async ({ store: s, expect, declare, apply }) => {
    const first = await declare({ id: 'inc_1', dedupKey: 'k' });
    await apply(first, t(1000), (engine, id) => engine.cancel(id, { reason: 'false_positive', actor: alice }));
    expect(await s.findOpenByDedupKey(TENANT, 'k')).toBeUndefined();
    let second = await declare({ id: 'inc_2', dedupKey: 'k', severity: 'SEV4' }, {});
    expect((await s.findOpenByDedupKey(TENANT, 'k'))?.id).toBe('inc_2');
    for (const step of ['resolve', 'close'] as const) {
      second = await apply(second, t(2000), (engine, id) => (step === 'resolve' ? engine.resolve(id, { actor: alice }) : engine.close(id, { actor: alice })));
      // Resolved incidents are still open: the key stays taken until the incident closes.
      expect((await s.findOpenByDedupKey(TENANT, 'k'))?.id).toBe(step === 'resolve' ? 'inc_2' : undefined);
    }
    await declare({ id: 'inc_3', dedupKey: 'k' });
    expect((await s.findOpenByDedupKey(TENANT, 'k'))?.id).toBe('inc_3');
  },

  'dedup: an open incident is also found by the keys of its alerts': async ({ store: s, expect, build, declare, apply }) => {
    const grouped = withAlerts(await build.declare({ id: 'inc_1', dedupKey: 'own', at: t(0) }), [alert('fp1', 'grouped'), alert('fp2', 'shared')]);
    await s.commit(grouped);
    expect((await s.findOpenByDedupKey(TENANT, 'grouped'))?.id).toBe('inc_1');
    expect((await s.findOpenByDedupKey(TENANT, 'own'))?.id).toBe('inc_1');
    expect(await s.findOpenByDedupKey(OTHER_TENANT, 'grouped')).toBeUndefined();
    // An incident's own key wins over another incident's alert key.
    await declare({ id: 'inc_2', dedupKey: 'shared', at: t(1000) });
    expect((await s.findOpenByDedupKey(TENANT, 'shared'))?.id).toBe('inc_2');
    await apply(stateOf(grouped), t(2000), (engine, id) => engine.cancel(id, { reason: 'declined', actor: alice }));
    expect(await s.findOpenByDedupKey(TENANT, 'grouped')).toBeUndefined();
  },

  'dedup: an open incident is found by the key of any of its alerts, not only the 100 it carries': async ({ store: s, expect, build, apply }) => {
    const storm = withAlerts(await build.declare({ id: 'inc_1', dedupKey: 'own', at: t(0) }), alerts(150));
    await s.commit(storm);
    const probe = s.findOpenVersionByDedupKey?.bind(s);
    for (const key of ['k_0', 'k_49', 'k_149']) {
      expect((await s.findOpenByDedupKey(TENANT, key))?.id).toBe('inc_1');
      if (probe !== undefined) expect((await probe(TENANT, key))?.incidentId).toBe('inc_1');
    }
    // A later commit carries only the alert it adds; the older keys stay held.
    const added = { ...(await build.note(stateOf(storm), 'one more alert', t(1000))), alerts: [alert('fp_new', 'k_new', t(1000))] };
    await s.commit(added);
    expect((await s.findOpenByDedupKey(TENANT, 'k_new'))?.id).toBe('inc_1');
    expect((await s.findOpenByDedupKey(TENANT, 'k_0'))?.id).toBe('inc_1');
    expect(await s.findOpenByDedupKey(OTHER_TENANT, 'k_0')).toBeUndefined();
    await apply(stateOf(added, stateOf(storm)), t(2000), (engine, id) => engine.cancel(id, { reason: 'declined', actor: alice }));
    for (const key of ['k_0', 'k_149', 'k_new', 'own']) expect(await s.findOpenByDedupKey(TENANT, key)).toBeUndefined();
  },

  'dedup: an open incident whose keys a recurrence took over (a recurredAs link) holds none of them': async ({ store: s, expect, build, declare }) => {
    const grouped = withAlerts(await build.declare({ id: 'inc_1', dedupKey: 'own', at: t(0) }), [alert('fp1', 'alert-key')]);
    await s.commit(grouped);
    const other = withAlerts(await build.declare({ id: 'inc_2', at: t(500) }), [alert('fp1', 'alert-key', t(500))]);
    await s.commit(other);
    expect((await s.findOpenByDedupKey(TENANT, 'alert-key'))?.id).toBe('inc_1');
    // The commit that records the link: the incident stays open (resolved) but lets go of every key.
    const noted = await build.note(stateOf(grouped), 'recurred', t(1000));
    const links = [{ kind: 'recurredAs' as const, incidentId: 'inc_3', at: t(1000) }];
    const linked = { ...noted, incident: { ...noted.incident, links }, snapshot: { ...noted.snapshot, context: { ...noted.snapshot.context, links } } };
    await s.commit(linked);
    expect((await s.load(TENANT, 'inc_1'))?.incident.links).toEqual(links);
    expect(await s.findOpenByDedupKey(TENANT, 'own')).toBeUndefined();
    // An alert key passes to the next open incident with an alert of that key.
    expect((await s.findOpenByDedupKey(TENANT, 'alert-key'))?.id).toBe('inc_2');
    const recurrence = await declare({ id: 'inc_3', dedupKey: 'own', at: t(2000) });
    expect((await s.findOpenByDedupKey(TENANT, 'own'))?.id).toBe('inc_3');
    // Later commits of the linked incident do not take the keys back.
    await s.commit(withAlerts(await build.note(stateOf(linked, stateOf(grouped)), 'still linked', t(3000)), [alert('fp2', 'late-key', t(3000))]));
    expect((await s.findOpenByDedupKey(TENANT, 'own'))?.id).toBe(recurrence.incident.id);
    expect(await s.findOpenByDedupKey(TENANT, 'late-key')).toBeUndefined();
    expect((await s.list(TENANT, { limit: 10, open: true })).items.map((i) => i.id).sort()).toEqual(['inc_1', 'inc_2', 'inc_3']);
  },

  'dedup: findLatestByDedupKey (optional) returns the newest incident opened with the key, in any status': async ({ store: s, expect, declare, apply }) => {
    const latest = s.findLatestByDedupKey?.bind(s);
    // Optional: without it, ingest opens a closed incident's recurrence unlinked.
    if (latest === undefined) return;
    expect(await latest(TENANT, 'k')).toBeUndefined();
    const first = await declare({ id: 'inc_1', dedupKey: 'k', at: t(0) });
    expect((await latest(TENANT, 'k'))?.id).toBe('inc_1');
    await apply(first, t(1000), (engine, id) => engine.cancel(id, { reason: 'false_positive', actor: alice }));
    expect((await latest(TENANT, 'k'))?.status).toBe('canceled');
    await declare({ id: 'inc_0', dedupKey: 'k', at: t(2000) });
    await declare({ id: 'inc_9', dedupKey: 'other', at: t(3000) });
    await declare({ id: 'inc_8', at: t(4000) });
    expect((await latest(TENANT, 'k'))?.id).toBe('inc_0');
    expect(await latest(OTHER_TENANT, 'k')).toBeUndefined();
    await declare({ id: 'inc_2', dedupKey: 'k', at: t(5000), tenantId: OTHER_TENANT });
    expect((await latest(OTHER_TENANT, 'k'))?.id).toBe('inc_2');
    expect((await latest(TENANT, 'k'))?.id).toBe('inc_0');
  },

  'dedup: findOpenVersionByDedupKey (optional) names the incident and version findOpenByDedupKey returns': async ({ store: s, expect, build, declare, note, apply }) => {
    const probe = s.findOpenVersionByDedupKey?.bind(s);
    // Optional: an adapter without it is read in full by ingest; with it, it must agree everywhere.
    if (probe === undefined) return;
    const agree = async (tenantId: string, key: string): Promise<void> => {
      const full = await s.findOpenByDedupKey(tenantId, key);
      expect(await probe(tenantId, key)).toEqual(full === undefined ? undefined : { incidentId: full.id, version: full.version });
    };
    const grouped = withAlerts(await build.declare({ id: 'inc_1', dedupKey: 'own', at: t(0) }), [alert('fp1', 'grouped')]);
    await s.commit(grouped);
    await agree(TENANT, 'own');
    await agree(TENANT, 'grouped');
    await agree(OTHER_TENANT, 'own');
    await agree(TENANT, 'nobody');
    const noted = await note(stateOf(grouped), 'a note moves the version');
    expect(await probe(TENANT, 'own')).toEqual({ incidentId: 'inc_1', version: noted.incident.version });
    await declare({ id: 'inc_2', dedupKey: 'grouped', at: t(1000) });
    await agree(TENANT, 'grouped');
    await apply(noted, t(2000), (engine, id) => engine.cancel(id, { reason: 'declined', actor: alice }));
    expect(await probe(TENANT, 'own')).toBeUndefined();
    await agree(TENANT, 'grouped');
  },
} satisfies ContractChecks;
