/**
 * Epoch milliseconds of a `timestamptz` column: exact, and independent of the pool's type parsers.
 *
 * @internal
 */
export const ms = (column: string): string => `(extract(epoch FROM ${column}) * 1000)::bigint`;

/**
 * The `counters` and `signal_total` columns of an incident row `alias` in schema `s`: the signal
 * counters of the alerts its projection carries (its newest 100, not all of the incident's) as
 * JSON text `[[fingerprint, count, last seen ms], …]` or null, and the total of all its counters.
 *
 * @internal
 */
export function countersColumn(s: string, alias: string): string {
  return `
    (SELECT json_agg(json_build_array(c.fingerprint, c.count, ${ms('c.last_seen_at')}))::text
     FROM ${s}.incidentkit_signal_counts c WHERE c.tenant_id = ${alias}.tenant_id AND c.incident_id = ${alias}.id
       AND c.fingerprint IN (SELECT a ->> 'fingerprint' FROM jsonb_array_elements(${alias}.incident -> 'alerts') AS a)) AS counters,
    (SELECT t.count FROM ${s}.incidentkit_signal_totals t WHERE t.tenant_id = ${alias}.tenant_id AND t.incident_id = ${alias}.id) AS signal_total`;
}

/**
 * The item rows (see `incidentItems.ts`) of an incident row `alias` in schema `s`, as a scalar
 * subquery: JSON text `[[collection, item], …]` in collection and position order, or null when it
 * has none. One seek on the items' primary key per incident row; select it `AS items`.
 *
 * @internal
 */
export function itemsColumn(s: string, alias: string): string {
  return `(SELECT json_agg(json_build_array(d.collection, d.body) ORDER BY d.collection, d.position)::text
     FROM ${s}.incidentkit_incident_items d WHERE d.tenant_id = ${alias}.tenant_id AND d.incident_id = ${alias}.id)`;
}

/**
 * The SQL of the PostgreSQL store for one schema `s` (already quoted). Every value is a bind
 * parameter; only the validated schema name is spliced in.
 *
 * @internal
 */
export function postgresStatements(s: string) {
  const incidents = `${s}.incidentkit_incidents`;
  const openKeys = `${s}.incidentkit_open_keys`;
  const events = `${s}.incidentkit_events`;
  const timers = `${s}.incidentkit_timers`;
  const outbox = `${s}.incidentkit_outbox`;
  const signalCounts = `${s}.incidentkit_signal_counts`;
  const signalTotals = `${s}.incidentkit_signal_totals`;
  const alerts = `${s}.incidentkit_alerts`;
  const firings = `${s}.incidentkit_firings`;
  const counters = (alias: string): string => countersColumn(s, alias);
  const items = (alias: string): string => itemsColumn(s, alias);
  // One alert row with its counter.
  const alertColumns = `a.position, a.alert::text AS alert, c.count, ${ms('c.last_seen_at')} AS last_seen_ms
    FROM ${alerts} a LEFT JOIN ${signalCounts} c ON c.tenant_id = a.tenant_id AND c.incident_id = a.incident_id AND c.fingerprint = a.fingerprint`;

  return {
    version: `SELECT version FROM ${incidents} WHERE tenant_id = $1 AND id = $2`,
    // $3 the version the store remembers (-1: none): at that version only the counters are read.
    load: `
      SELECT i.version, i.last_hash, ${counters('i')},
        CASE WHEN i.version = $3::integer THEN NULL ELSE i.incident::text END AS incident,
        CASE WHEN i.version = $3::integer THEN NULL ELSE i.snapshot::text END AS snapshot,
        CASE WHEN i.version = $3::integer THEN NULL ELSE ${items('i')} END AS items
      FROM ${incidents} i WHERE i.tenant_id = $1 AND i.id = $2`,
    // $3 after seq, $4 limit (null: all): a seek on the primary key (tenant_id, incident_id, seq).
    events: `
      SELECT seq, id, type, ${ms('at')} AS at_ms, actor::text AS actor, data::text AS data, hash
      FROM ${events} WHERE tenant_id = $1 AND incident_id = $2 AND seq > $3::integer ORDER BY seq LIMIT $4::integer`,
    // Own key first; is_open guards against a row a writer of an older incidentkit left behind.
    openByDedupKey: `
      SELECT i.incident::text AS incident, ${counters('i')}, ${items('i')} AS items
      FROM ${openKeys} k JOIN ${incidents} i ON i.tenant_id = k.tenant_id AND i.id = k.incident_id
      WHERE k.tenant_id = $1 AND k.dedup_key = $2 AND i.is_open
      ORDER BY k.own DESC LIMIT 1`,
    // The newest incident opened with the key, in any status: one seek of the partial index.
    latestByDedupKey: `
      SELECT i.incident::text AS incident, ${counters('i')}, ${items('i')} AS items
      FROM ${incidents} i
      WHERE i.tenant_id = $1 AND i.dedup_key = $2 AND i.dedup_key IS NOT NULL
      ORDER BY i.detected_at DESC, i.id DESC LIMIT 1`,
    // The same lookup, without reading the projection: ingest reuses one it read at this version.
    openVersionByDedupKey: `
      SELECT i.id, i.version
      FROM ${openKeys} k JOIN ${incidents} i ON i.tenant_id = k.tenant_id AND i.id = k.incident_id
      WHERE k.tenant_id = $1 AND k.dedup_key = $2 AND i.is_open
      ORDER BY k.own DESC LIMIT 1`,
    ownKeyHolder: `SELECT incident_id FROM ${openKeys} WHERE tenant_id = $1 AND dedup_key = $2 AND own`,
    // $3 the position after which the page starts, $4 how many: a seek on the primary key.
    alerts: `SELECT ${alertColumns} WHERE a.tenant_id = $1 AND a.incident_id = $2 AND a.position > $3 ORDER BY a.position LIMIT $4`,
    alert: `SELECT ${alertColumns} WHERE a.tenant_id = $1 AND a.incident_id = $2 AND a.fingerprint = $3`,
    // $2 counts [{incident_id, fingerprint, count, last_seen_at}], one per counter; the totals in incident order.
    recordSignals: `
      WITH x AS (
        SELECT * FROM jsonb_to_recordset($2::jsonb) AS x(incident_id text, fingerprint text, count bigint, last_seen_at timestamptz)
      ),
      counted AS (
        INSERT INTO ${signalCounts} AS c (tenant_id, incident_id, fingerprint, count, last_seen_at)
        SELECT $1, x.incident_id, x.fingerprint, x.count, x.last_seen_at FROM x
        ON CONFLICT (tenant_id, incident_id, fingerprint)
        DO UPDATE SET count = c.count + EXCLUDED.count, last_seen_at = greatest(c.last_seen_at, EXCLUDED.last_seen_at)
        RETURNING 1
      )
      INSERT INTO ${signalTotals} AS t (tenant_id, incident_id, count)
      SELECT $1, x.incident_id, sum(x.count) FROM x GROUP BY x.incident_id ORDER BY x.incident_id
      ON CONFLICT (tenant_id, incident_id) DO UPDATE SET count = t.count + EXCLUDED.count`,
    // $3 at, $4 since: keeps the firings since $4 plus this one; the row lock serialises callers.
    countFirings: `
      INSERT INTO ${firings} AS f (tenant_id, key, times) VALUES ($1, $2, ARRAY[$3::timestamptz])
      ON CONFLICT (tenant_id, key) DO UPDATE
        SET times = array(SELECT t FROM unnest(f.times) AS t WHERE t >= $4::timestamptz ORDER BY t) || $3::timestamptz
      RETURNING (SELECT count(*)::integer FROM unnest(times) AS t WHERE t >= $4::timestamptz) AS n`,
    // $1 tenant, $2 now, $3 limit, $4 owner, $5 lease until. The claimed rows are updated by
    // their ctid (a TID scan): joining back on the key lets a generic plan hash the whole table.
    claimTimers: `
      UPDATE ${timers} SET lease_owner = $4, lease_until = $5::timestamptz
      WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM ${timers}
        WHERE tenant_id = $1 AND due_at <= $2::timestamptz AND (lease_until IS NULL OR lease_until <= $2::timestamptz)
        ORDER BY due_at, incident_id, timer_id
        LIMIT $3
        FOR UPDATE SKIP LOCKED))
      RETURNING incident_id, timer_id, ${ms('due_at')} AS due_ms, event::text AS event`,
    completeTimer: `
      DELETE FROM ${timers}
      WHERE tenant_id = $1 AND incident_id = $2 AND timer_id = $3 AND due_at = $4::timestamptz
        AND lease_owner = $5 AND lease_until = $6::timestamptz`,
    claimOutbox: `
      UPDATE ${outbox} SET lease_owner = $4, lease_until = $5::timestamptz
      WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM ${outbox}
        WHERE tenant_id = $1 AND state = 'pending' AND available_at <= $2::timestamptz
          AND (lease_until IS NULL OR lease_until <= $2::timestamptz)
        ORDER BY available_at, id
        LIMIT $3
        FOR UPDATE SKIP LOCKED))
      RETURNING id, incident_id, channel, idempotency_key, payload::text AS payload,
        ${ms('available_at')} AS available_ms, attempts, last_error`,
    completeOutbox: `
      UPDATE ${outbox} SET state = 'delivered', attempts = attempts + 1, lease_owner = NULL, lease_until = NULL
      WHERE tenant_id = $1 AND id = $2 AND state = 'pending' AND lease_owner = $3 AND lease_until = $4::timestamptz`,
    // $5 error, $6 retry at (null: dead-letter).
    failOutbox: `
      UPDATE ${outbox} SET attempts = attempts + 1, last_error = $5, available_at = coalesce($6::timestamptz, available_at),
        state = CASE WHEN $6::timestamptz IS NULL THEN 'dead' ELSE 'pending' END, lease_owner = NULL, lease_until = NULL
      WHERE tenant_id = $1 AND id = $2 AND state = 'pending' AND lease_owner = $3 AND lease_until = $4::timestamptz`,
    deadLetters: `
      SELECT id, incident_id, channel, idempotency_key, payload::text AS payload, ${ms('available_at')} AS available_ms, attempts, last_error
      FROM ${outbox} WHERE tenant_id = $1 AND state = 'dead' ORDER BY available_at, id`,
    redeliver: `
      UPDATE ${outbox} SET state = 'pending', available_at = $3::timestamptz
      WHERE tenant_id = $1 AND id = $2 AND state = 'dead'`,
    // Each part is served by a partial index (outbox_due, outbox_dead).
    outboxStats: `
      SELECT (SELECT count(*) FROM ${outbox} WHERE tenant_id = $1 AND state = 'pending')::int AS pending,
        (SELECT ${ms('min(available_at)')} FROM ${outbox} WHERE tenant_id = $1 AND state = 'pending') AS oldest_ms,
        (SELECT count(*) FROM ${outbox} WHERE tenant_id = $1 AND state = 'dead')::int AS dead`,
  };
}

const statementNames = new Map<string, string>();

/**
 * Short, stable prepared-statement name for a SQL text, so each connection parses and plans it once.
 *
 * @internal
 */
export function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    let hash = 0x811c9dc5;
    for (let i = 0; i < text.length; i += 1) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
    name = `incidentkit_${hash.toString(16)}_${text.length.toString(16)}`;
    statementNames.set(text, name);
  }
  return name;
}
