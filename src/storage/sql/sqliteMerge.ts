import type BetterSqlite3 from 'better-sqlite3';
import type { MergeWrite } from '../types.js';
import { sharedFingerprintError } from '../mergeErrors.js';

/** The named parameters of the merge statements (each statement uses some of them). */
type Params = Readonly<Record<string, string | number | null>>;

/**
 * The alert moves of a {@link MergeWrite} in the SQLite store (tables named `<prefix>…`): rows,
 * counters and held keys move with a few set-based statements, however many alerts move. Runs
 * inside the store's transaction, before the two commits are applied.
 *
 * @internal
 */
export function sqliteMerge(db: BetterSqlite3.Database, prefix: string): (write: MergeWrite) => void {
  const alerts = `"${prefix}alerts"`;
  const counts = `"${prefix}signal_counts"`;
  const totals = `"${prefix}signal_totals"`;
  const openKeys = `"${prefix}open_keys"`;
  const stmt = {
    shared: db.prepare<[Params], { fingerprint: string }>(
      `SELECT a.fingerprint FROM ${alerts} a JOIN ${alerts} b ON b.tenant_id = a.tenant_id AND b.incident_id = @to AND b.fingerprint = a.fingerprint
       WHERE a.tenant_id = @tenant AND a.incident_id = @from LIMIT 1`,
    ),
    // @origin: the incident the rows must have come from (unmerge), or NULL for every row (merge).
    moving: db.prepare<[Params], { fingerprint: string; dedup_key: string }>(
      `SELECT fingerprint, dedup_key FROM ${alerts} WHERE tenant_id = @tenant AND incident_id = @from
       AND (@origin IS NULL OR json_extract(alert, '$.mergedFrom') = @origin)`,
    ),
    nextPosition: db.prepare<[Params], { next: number }>(
      `SELECT coalesce(max(position) + 1, 0) AS next FROM ${alerts} WHERE tenant_id = @tenant AND incident_id = @to`,
    ),
    // Positions stay in order: the moved rows follow the taker's, in the order they had.
    moveMerged: db.prepare<[Params]>(
      `UPDATE ${alerts} SET incident_id = @to, position = @base + position, alert = json_set(alert, '$.mergedFrom', @from)
       WHERE tenant_id = @tenant AND incident_id = @from`,
    ),
    moveBack: db.prepare<[Params]>(
      `UPDATE ${alerts} SET incident_id = @to, position = @base + position, alert = json_remove(alert, '$.mergedFrom')
       WHERE tenant_id = @tenant AND incident_id = @from AND json_extract(alert, '$.mergedFrom') = @to`,
    ),
    movedCount: db.prepare<[Params], { n: number }>(
      `SELECT coalesce(sum(count), 0) AS n FROM ${counts} WHERE tenant_id = @tenant AND incident_id = @from AND fingerprint IN (SELECT value FROM json_each(@list))`,
    ),
    copyCounters: db.prepare<[Params]>(
      `INSERT INTO ${counts} (tenant_id, incident_id, fingerprint, count, last_seen_at)
       SELECT tenant_id, @to, fingerprint, count, last_seen_at FROM ${counts}
       WHERE tenant_id = @tenant AND incident_id = @from AND fingerprint IN (SELECT value FROM json_each(@list))
       ON CONFLICT (tenant_id, incident_id, fingerprint)
       DO UPDATE SET count = count + excluded.count, last_seen_at = max(last_seen_at, excluded.last_seen_at)`,
    ),
    dropCounters: db.prepare<[Params]>(
      `DELETE FROM ${counts} WHERE tenant_id = @tenant AND incident_id = @from AND fingerprint IN (SELECT value FROM json_each(@list))`,
    ),
    addTotal: db.prepare<[string, string, number]>(
      `INSERT INTO ${totals} (tenant_id, incident_id, count) VALUES (?, ?, ?)
       ON CONFLICT (tenant_id, incident_id) DO UPDATE SET count = count + excluded.count`,
    ),
    passKeys: db.prepare<[Params]>(
      `UPDATE ${openKeys} SET incident_id = @to
       WHERE tenant_id = @tenant AND incident_id = @from AND own = 0 AND dedup_key IN (SELECT value FROM json_each(@list))`,
    ),
    ownHolder: db.prepare<[string, string], { incident_id: string }>(
      `SELECT incident_id FROM ${openKeys} WHERE tenant_id = ? AND dedup_key = ? AND own = 1`,
    ),
    takeAsAlertKey: db.prepare<[string, string, string]>(
      `INSERT INTO ${openKeys} (tenant_id, dedup_key, own, incident_id) VALUES (?, ?, 0, ?)
       ON CONFLICT (tenant_id, dedup_key, own) DO UPDATE SET incident_id = excluded.incident_id`,
    ),
  };

  return (write) => {
    const { tenantId, incidentId: fromId } = write.from;
    const toId = write.to.incidentId;
    const ids = { tenant: tenantId, from: fromId, to: toId };
    if (write.kind === 'merge') {
      const shared = stmt.shared.get(ids);
      if (shared !== undefined) throw sharedFingerprintError(shared.fingerprint, fromId, toId);
    }
    const rows = stmt.moving.all({ ...ids, origin: write.kind === 'merge' ? null : toId });
    const list = JSON.stringify(rows.map((row) => row.fingerprint));
    const keys = new Set(rows.map((row) => row.dedup_key));
    if (rows.length > 0) {
      // Counters first: the rows' fingerprints are still the giver's.
      const moved = stmt.movedCount.get({ ...ids, list })?.n ?? 0;
      if (moved > 0) {
        stmt.copyCounters.run({ ...ids, list });
        stmt.dropCounters.run({ ...ids, list });
        stmt.addTotal.run(tenantId, fromId, -moved);
        stmt.addTotal.run(tenantId, toId, moved);
      }
      const base = stmt.nextPosition.get(ids)?.next ?? 0;
      (write.kind === 'merge' ? stmt.moveMerged : stmt.moveBack).run({ ...ids, base });
    }
    // The own key of the merged incident (merge) or of the one coming back (unmerge) goes along.
    const own = write.kind === 'merge' ? write.from.incident.dedupKey : write.to.incident.dedupKey;
    if (own !== undefined && write.kind === 'unmerge') keys.add(own);
    if (keys.size > 0) stmt.passKeys.run({ ...ids, list: JSON.stringify([...keys]) });
    if (own !== undefined && write.kind === 'merge' && stmt.ownHolder.get(tenantId, own)?.incident_id === fromId) stmt.takeAsAlertKey.run(tenantId, own, toId);
  };
}
