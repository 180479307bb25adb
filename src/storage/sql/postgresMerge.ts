import type { PoolClient } from 'pg';
import { ConcurrencyError } from '../../errors.js';
import { sharedFingerprintError } from '../mergeErrors.js';
import type { MergeWrite } from '../types.js';

/**
 * The alert moves of a {@link MergeWrite} in the PostgreSQL store (schema `s`, already quoted), on
 * `client` inside the caller's transaction, before the two commits: locks both incidents (in id
 * order, so two merges never deadlock) and checks their versions, then moves rows, counters and
 * held keys with set-based statements, however many alerts move.
 *
 * @internal
 */
export function postgresMerge(s: string): (client: PoolClient, write: MergeWrite) => Promise<void> {
  const incidents = `${s}.incidentkit_incidents`;
  const alerts = `${s}.incidentkit_alerts`;
  const counts = `${s}.incidentkit_signal_counts`;
  const totals = `${s}.incidentkit_signal_totals`;
  const openKeys = `${s}.incidentkit_open_keys`;
  const sql = {
    lock: `SELECT id, version FROM ${incidents} WHERE tenant_id = $1 AND id = ANY($2::text[]) ORDER BY id FOR UPDATE`,
    shared: `SELECT a.fingerprint FROM ${alerts} a JOIN ${alerts} b ON b.tenant_id = a.tenant_id AND b.incident_id = $2 AND b.fingerprint = a.fingerprint
      WHERE a.tenant_id = $1 AND a.incident_id = $3 LIMIT 1`,
    // $3: the incident the rows must have come from (unmerge), or NULL for every row (merge).
    moving: `SELECT fingerprint, dedup_key FROM ${alerts} WHERE tenant_id = $1 AND incident_id = $2 AND ($3::text IS NULL OR alert ->> 'mergedFrom' = $3::text)`,
    nextPosition: `SELECT (coalesce(max(position) + 1, 0))::text AS next FROM ${alerts} WHERE tenant_id = $1 AND incident_id = $2`,
    // Positions stay in order: the moved rows follow the taker's, in the order they had.
    moveMerged: `UPDATE ${alerts} SET incident_id = $3, position = $4::bigint + position, alert = alert || jsonb_build_object('mergedFrom', $2::text)
      WHERE tenant_id = $1 AND incident_id = $2`,
    moveBack: `UPDATE ${alerts} SET incident_id = $3, position = $4::bigint + position, alert = alert - 'mergedFrom'
      WHERE tenant_id = $1 AND incident_id = $2 AND alert ->> 'mergedFrom' = $3::text`,
    // The signal totals follow the counters: $4 is +1 for the taker, -1 for the giver.
    moveTotal: `INSERT INTO ${totals} AS t (tenant_id, incident_id, count)
      SELECT $1, $3, $4::integer * coalesce(sum(c.count), 0) FROM ${counts} c WHERE c.tenant_id = $1 AND c.incident_id = $2 AND c.fingerprint = ANY($5::text[])
      ON CONFLICT (tenant_id, incident_id) DO UPDATE SET count = t.count + EXCLUDED.count`,
    copyCounters: `INSERT INTO ${counts} AS c (tenant_id, incident_id, fingerprint, count, last_seen_at)
      SELECT tenant_id, $3, fingerprint, count, last_seen_at FROM ${counts} WHERE tenant_id = $1 AND incident_id = $2 AND fingerprint = ANY($4::text[])
      ON CONFLICT (tenant_id, incident_id, fingerprint)
      DO UPDATE SET count = c.count + EXCLUDED.count, last_seen_at = greatest(c.last_seen_at, EXCLUDED.last_seen_at)`,
    dropCounters: `DELETE FROM ${counts} WHERE tenant_id = $1 AND incident_id = $2 AND fingerprint = ANY($3::text[])`,
    passKeys: `UPDATE ${openKeys} SET incident_id = $3 WHERE tenant_id = $1 AND incident_id = $2 AND NOT own AND dedup_key = ANY($4::text[])`,
    ownHolder: `SELECT incident_id FROM ${openKeys} WHERE tenant_id = $1 AND dedup_key = $2 AND own`,
    takeAsAlertKey: `INSERT INTO ${openKeys} (tenant_id, dedup_key, own, incident_id) VALUES ($1, $2, false, $3)
      ON CONFLICT (tenant_id, dedup_key, own) DO UPDATE SET incident_id = EXCLUDED.incident_id`,
  };

  return async (client, write) => {
    const { tenantId, incidentId: fromId } = write.from;
    const toId = write.to.incidentId;
    const locked = await client.query<{ id: string; version: number }>(sql.lock, [tenantId, [fromId, toId]]);
    for (const commit of [write.from, write.to]) {
      const actual = locked.rows.find((row) => row.id === commit.incidentId)?.version ?? 0;
      if (actual !== commit.expectedVersion) throw new ConcurrencyError({ tenantId, incidentId: commit.incidentId, expected: commit.expectedVersion, actual });
    }
    if (write.kind === 'merge') {
      const shared = await client.query<{ fingerprint: string }>(sql.shared, [tenantId, toId, fromId]);
      const fingerprint = shared.rows[0]?.fingerprint;
      if (fingerprint !== undefined) throw sharedFingerprintError(fingerprint, fromId, toId);
    }
    const moving = await client.query<{ fingerprint: string; dedup_key: string }>(sql.moving, [tenantId, fromId, write.kind === 'merge' ? null : toId]);
    const fingerprints = moving.rows.map((row) => row.fingerprint);
    const keys = new Set(moving.rows.map((row) => row.dedup_key));
    if (fingerprints.length > 0) {
      const next = (await client.query<{ next: string }>(sql.nextPosition, [tenantId, toId])).rows[0]?.next ?? '0';
      await client.query(write.kind === 'merge' ? sql.moveMerged : sql.moveBack, [tenantId, fromId, toId, next]);
      await client.query(sql.moveTotal, [tenantId, fromId, toId, 1, fingerprints]);
      await client.query(sql.moveTotal, [tenantId, fromId, fromId, -1, fingerprints]);
      await client.query(sql.copyCounters, [tenantId, fromId, toId, fingerprints]);
      await client.query(sql.dropCounters, [tenantId, fromId, fingerprints]);
    }
    // The own key of the merged incident (merge) or of the one coming back (unmerge) goes along.
    const own = write.kind === 'merge' ? write.from.incident.dedupKey : write.to.incident.dedupKey;
    if (own !== undefined && write.kind === 'unmerge') keys.add(own);
    if (keys.size > 0) await client.query(sql.passKeys, [tenantId, fromId, toId, [...keys]]);
    if (own !== undefined && write.kind === 'merge') {
      const holder = await client.query<{ incident_id: string }>(sql.ownHolder, [tenantId, own]);
      if (holder.rows[0]?.incident_id === fromId) await client.query(sql.takeAsAlertKey, [tenantId, own, toId]);
    }
  };
}
