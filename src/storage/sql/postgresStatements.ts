/** Epoch milliseconds of a `timestamptz` column: exact, and independent of the pool's type parsers. */
const ms = (column: string): string => `(extract(epoch FROM ${column}) * 1000)::bigint`;

/**
 * The SQL of the PostgreSQL store for one schema `s` (already quoted). Every value is a bind
 * parameter; only the validated schema name is spliced in.
 *
 * @internal
 */
export function postgresStatements(s: string) {
  const incidents = `${s}.incidentkit_incidents`;
  const events = `${s}.incidentkit_events`;
  const timers = `${s}.incidentkit_timers`;
  const outbox = `${s}.incidentkit_outbox`;
  const signalCounts = `${s}.incidentkit_signal_counts`;
  const firings = `${s}.incidentkit_firings`;
  // An incident's signal counters as JSON text [[fingerprint, count, last seen ms], …], or null.
  const counters = (alias: string): string => `
    (SELECT json_agg(json_build_array(c.fingerprint, c.count, ${ms('c.last_seen_at')}))::text
     FROM ${signalCounts} c WHERE c.tenant_id = ${alias}.tenant_id AND c.incident_id = ${alias}.id) AS counters`;

  // The rest of a commit, written only when `inc` (the projection write) produced a row.
  // $1 tenant, $2 incident, $13 events, $14 timer ids to cancel, $15 timers to set, $16 outbox.
  const writes = `
    ev AS (
      INSERT INTO ${events} (tenant_id, incident_id, seq, id, type, at, actor, data, hash)
      SELECT $1, $2, e.seq, e.id, e.type, e.at, e.actor, e.data, e.hash
      FROM inc, jsonb_to_recordset($13::jsonb) AS e(seq integer, id text, type text, at timestamptz, actor jsonb, data jsonb, hash text)
      RETURNING 1
    ),
    cancelled AS (
      DELETE FROM ${timers} t USING inc
      WHERE t.tenant_id = $1 AND t.incident_id = $2 AND t.timer_id = ANY($14::text[])
      RETURNING 1
    ),
    scheduled AS (
      INSERT INTO ${timers} (tenant_id, incident_id, timer_id, due_at, event)
      SELECT $1, x.incident_id, x.timer_id, x.due_at, x.event
      FROM inc, jsonb_to_recordset($15::jsonb) AS x(incident_id text, timer_id text, due_at timestamptz, event jsonb)
      ON CONFLICT (tenant_id, incident_id, timer_id)
      DO UPDATE SET due_at = EXCLUDED.due_at, event = EXCLUDED.event, lease_owner = NULL, lease_until = NULL
      RETURNING 1
    ),
    queued AS (
      INSERT INTO ${outbox} (tenant_id, id, incident_id, channel, idempotency_key, payload, available_at, attempts, last_error, state)
      SELECT $1, x.id, x.incident_id, x.channel, x.idempotency_key, x.payload, x.available_at, x.attempts, x.last_error, 'pending'
      FROM inc, jsonb_to_recordset($16::jsonb)
        AS x(id text, incident_id text, channel text, idempotency_key text, payload jsonb, available_at timestamptz, attempts integer, last_error text)
      RETURNING 1
    )
    SELECT count(*)::integer AS applied FROM inc`;

  return {
    // $3 version, $4 status, $5 is_open, $6 severity, $7 service, $8 dedup_key, $9 detected_at,
    // $10 incident, $11 snapshot, $12 last hash (null: keep).
    commitCreate: `
      WITH inc AS (
        INSERT INTO ${incidents} (tenant_id, id, version, status, is_open, severity, service, dedup_key, detected_at, incident, snapshot, last_hash)
        VALUES ($1, $2, $3, $4, $5, $6, $7::text, $8::text, $9::timestamptz, $10::jsonb, $11::jsonb, coalesce($12::text, ''))
        ON CONFLICT (tenant_id, id) DO NOTHING
        RETURNING 1
      ),${writes}`,
    // As commitCreate, plus $17 the expected version: the compare-and-set.
    commitUpdate: `
      WITH inc AS (
        UPDATE ${incidents} SET version = $3, status = $4, is_open = $5, severity = $6, service = $7::text, dedup_key = $8::text,
          detected_at = $9::timestamptz, incident = $10::jsonb, snapshot = $11::jsonb, last_hash = coalesce($12::text, last_hash)
        WHERE tenant_id = $1 AND id = $2 AND version = $17
        RETURNING 1
      ),${writes}`,
    version: `SELECT version FROM ${incidents} WHERE tenant_id = $1 AND id = $2`,
    load: `
      SELECT i.incident::text AS incident, i.snapshot::text AS snapshot, i.last_hash, ${counters('i')}
      FROM ${incidents} i WHERE i.tenant_id = $1 AND i.id = $2`,
    // $3 after seq, $4 limit (null: all): a seek on the primary key (tenant_id, incident_id, seq).
    events: `
      SELECT seq, id, type, ${ms('at')} AS at_ms, actor::text AS actor, data::text AS data, hash
      FROM ${events} WHERE tenant_id = $1 AND incident_id = $2 AND seq > $3::integer ORDER BY seq LIMIT $4::integer`,
    list: `
      SELECT i.incident::text AS incident, ${counters('i')} FROM ${incidents} i
      WHERE tenant_id = $1
        AND ($2::text[] IS NULL OR status = ANY($2::text[]))
        AND ($3::text[] IS NULL OR severity = ANY($3::text[]))
        AND ($4::text[] IS NULL OR service = ANY($4::text[]))
        AND ($5::boolean IS NULL OR is_open = $5::boolean)
        AND ($6::timestamptz IS NULL OR (detected_at, id) < ($6::timestamptz, $7::text))
        AND detected_at >= $9::timestamptz AND detected_at < $10::timestamptz
      ORDER BY detected_at DESC, id DESC
      LIMIT $8`,
    // The incident holding the key as its own first; else the oldest holding it as an alert's key.
    openByDedupKey: `
      SELECT incident, counters FROM (
        (SELECT 0 AS rank, i.incident::text AS incident, ${counters('i')}
         FROM ${incidents} i WHERE i.tenant_id = $1 AND i.dedup_key = $2 AND i.is_open)
        UNION ALL
        (SELECT 1 AS rank, i.incident::text AS incident, ${counters('i')}
         FROM ${incidents} i
         WHERE i.tenant_id = $1 AND i.is_open AND (i.incident -> 'alerts') @> jsonb_build_array(jsonb_build_object('dedupKey', $2::text))
         ORDER BY i.detected_at, i.id LIMIT 1)
      ) holders ORDER BY rank LIMIT 1`,
    // $2 counts [{incident_id, fingerprint, count, last_seen_at}], one per counter.
    recordSignals: `
      INSERT INTO ${signalCounts} AS c (tenant_id, incident_id, fingerprint, count, last_seen_at)
      SELECT $1, x.incident_id, x.fingerprint, x.count, x.last_seen_at
      FROM jsonb_to_recordset($2::jsonb) AS x(incident_id text, fingerprint text, count bigint, last_seen_at timestamptz)
      ON CONFLICT (tenant_id, incident_id, fingerprint)
      DO UPDATE SET count = c.count + EXCLUDED.count, last_seen_at = greatest(c.last_seen_at, EXCLUDED.last_seen_at)`,
    // $3 at, $4 since: keeps the firings since $4 plus this one; the row lock serialises callers.
    countFirings: `
      INSERT INTO ${firings} AS f (tenant_id, key, times) VALUES ($1, $2, ARRAY[$3::timestamptz])
      ON CONFLICT (tenant_id, key) DO UPDATE
        SET times = array(SELECT t FROM unnest(f.times) AS t WHERE t >= $4::timestamptz ORDER BY t) || $3::timestamptz
      RETURNING (SELECT count(*)::integer FROM unnest(times) AS t WHERE t >= $4::timestamptz) AS n`,
    // $1 tenant, $2 now, $3 limit, $4 owner, $5 lease until.
    claimTimers: `
      WITH due AS (
        SELECT tenant_id, incident_id, timer_id FROM ${timers}
        WHERE tenant_id = $1 AND due_at <= $2::timestamptz AND (lease_until IS NULL OR lease_until <= $2::timestamptz)
        ORDER BY due_at, incident_id, timer_id
        LIMIT $3
        FOR UPDATE SKIP LOCKED
      )
      UPDATE ${timers} t SET lease_owner = $4, lease_until = $5::timestamptz
      FROM due WHERE t.tenant_id = due.tenant_id AND t.incident_id = due.incident_id AND t.timer_id = due.timer_id
      RETURNING t.incident_id, t.timer_id, ${ms('t.due_at')} AS due_ms, t.event::text AS event`,
    completeTimer: `
      DELETE FROM ${timers}
      WHERE tenant_id = $1 AND incident_id = $2 AND timer_id = $3 AND due_at = $4::timestamptz
        AND lease_owner = $5 AND lease_until = $6::timestamptz`,
    claimOutbox: `
      WITH due AS (
        SELECT tenant_id, id FROM ${outbox}
        WHERE tenant_id = $1 AND state = 'pending' AND available_at <= $2::timestamptz
          AND (lease_until IS NULL OR lease_until <= $2::timestamptz)
        ORDER BY available_at, id
        LIMIT $3
        FOR UPDATE SKIP LOCKED
      )
      UPDATE ${outbox} o SET lease_owner = $4, lease_until = $5::timestamptz
      FROM due WHERE o.tenant_id = due.tenant_id AND o.id = due.id
      RETURNING o.id, o.incident_id, o.channel, o.idempotency_key, o.payload::text AS payload,
        ${ms('o.available_at')} AS available_ms, o.attempts, o.last_error`,
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
