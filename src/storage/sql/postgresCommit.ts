/**
 * The PostgreSQL store's commit: one statement (data-modifying CTEs, so one round trip and
 * atomic on its own), written for the shape of the commit at hand. A new incident with one event
 * and nothing else is the common case and takes only what it needs: every value a plain
 * parameter, no JSON built in JavaScript only to be taken apart again in SQL. Several events,
 * timers and outbox messages are bound as arrays and `unnest`ed.
 */
import type { Commit } from '../types.js';
import { timerChangesOf } from './checkCommit.js';
import { openKeysOf, type OpenKeys } from './openKeys.js';
import { projectionRow } from './projectionRow.js';
import { queryAssembler, type PreparedQuery, type QueryPart } from './postgresQuery.js';

/** A part of a commit: one data-modifying statement, run as the CTE `name`. */
interface CommitPart extends QueryPart {
  readonly name: string;
}

/** The tables a commit writes, in schema `s` (already quoted). */
function tablesOf(s: string) {
  return {
    incidents: `${s}.incidentkit_incidents`,
    events: `${s}.incidentkit_events`,
    timers: `${s}.incidentkit_timers`,
    outbox: `${s}.incidentkit_outbox`,
    openKeys: `${s}.incidentkit_open_keys`,
    alerts: `${s}.incidentkit_alerts`,
  };
}
type Tables = ReturnType<typeof tablesOf>;

/**
 * The projection write, `inc`: an insert for a new incident, else the compare-and-set on its
 * version. An insert either happens or fails the whole statement (an existing incident is a
 * unique violation on `incidentkit_incidents_pkey`), so the rest of a create needs no gate;
 * an update that matched no row writes nothing else, as every other part reads `FROM inc`.
 */
function incidentPart(t: Tables, commit: Commit): CommitPart {
  const row = projectionRow(commit, (open) => open);
  if (commit.expectedVersion === 0) {
    return {
      key: 'create',
      values: row,
      name: 'inc',
      sql: (p) => `INSERT INTO ${t.incidents} (tenant_id, id, version, status, is_open, severity, service, dedup_key, detected_at, incident, snapshot, last_hash)
        VALUES ($1, $2, ${p(0)}::integer, ${p(1)}::text, ${p(2)}::boolean, ${p(3)}::text, ${p(4)}::text, ${p(5)}::text, ${p(6)}::timestamptz,
          ${p(7)}::jsonb, ${p(8)}::jsonb, coalesce(${p(9)}::text, ''))`,
    };
  }
  return {
    key: 'update',
    values: [...row, commit.expectedVersion],
    name: 'inc',
    sql: (p) => `UPDATE ${t.incidents} SET version = ${p(0)}::integer, status = ${p(1)}::text, is_open = ${p(2)}::boolean, severity = ${p(3)}::text,
        service = ${p(4)}::text, dedup_key = ${p(5)}::text, detected_at = ${p(6)}::timestamptz, incident = ${p(7)}::jsonb,
        snapshot = ${p(8)}::jsonb, last_hash = coalesce(${p(9)}::text, last_hash)
      WHERE tenant_id = $1 AND id = $2 AND version = ${p(10)}::integer
      RETURNING 1`,
  };
}

/** `FROM inc` when the write depends on the compare-and-set, else nothing (see {@link incidentPart}). */
const gateOf = (commit: Commit): { from: string; join: string; using: string } =>
  commit.expectedVersion === 0 ? { from: '', join: 'FROM', using: '' } : { from: 'FROM inc', join: 'FROM inc,', using: 'USING inc' };

function eventsPart(t: Tables, commit: Commit): CommitPart | undefined {
  const gate = gateOf(commit);
  const columns = 'tenant_id, incident_id, seq, id, type, at, actor, data, hash';
  const [only] = commit.events;
  if (only === undefined) return undefined;
  if (commit.events.length === 1) {
    return {
      key: 'event',
      values: [only.seq, only.id, only.type, only.at, JSON.stringify(only.actor), JSON.stringify(only.data), only.hash],
      name: 'ev',
      sql: (p) => `INSERT INTO ${t.events} (${columns})
        SELECT $1, $2, ${p(0)}::integer, ${p(1)}::text, ${p(2)}::text, ${p(3)}::timestamptz, ${p(4)}::jsonb, ${p(5)}::jsonb, ${p(6)}::text ${gate.from}`,
    };
  }
  const events = commit.events;
  return {
    key: 'events',
    values: [
      events.map((e) => e.seq),
      events.map((e) => e.id),
      events.map((e) => e.type),
      events.map((e) => e.at),
      events.map((e) => JSON.stringify(e.actor)),
      events.map((e) => JSON.stringify(e.data)),
      events.map((e) => e.hash),
    ],
    name: 'ev',
    sql: (p) => `INSERT INTO ${t.events} (${columns})
      SELECT $1, $2, e.seq, e.id, e.type, e.at, e.actor, e.data, e.hash
      ${gate.join} unnest(${p(0)}::integer[], ${p(1)}::text[], ${p(2)}::text[], ${p(3)}::timestamptz[], ${p(4)}::jsonb[], ${p(5)}::jsonb[], ${p(6)}::text[])
        AS e(seq, id, type, at, actor, data, hash)`,
  };
}

function timerParts(t: Tables, commit: Commit): CommitPart[] {
  const gate = gateOf(commit);
  const { set, cancel } = timerChangesOf(commit);
  const parts: CommitPart[] = [];
  if (cancel.length > 0) {
    parts.push({
      key: 'cancel',
      values: [cancel],
      name: 'cancelled',
      sql: (p) => `DELETE FROM ${t.timers} t ${gate.using} WHERE t.tenant_id = $1 AND t.incident_id = $2 AND t.timer_id = ANY(${p(0)}::text[])`,
    });
  }
  if (set.length > 0) {
    parts.push({
      key: 'schedule',
      values: [set.map((x) => x.incidentId), set.map((x) => x.timerId), set.map((x) => x.dueAt), set.map((x) => JSON.stringify(x.event))],
      name: 'scheduled',
      sql: (p) => `INSERT INTO ${t.timers} (tenant_id, incident_id, timer_id, due_at, event)
        SELECT $1, x.incident_id, x.timer_id, x.due_at, x.event
        ${gate.join} unnest(${p(0)}::text[], ${p(1)}::text[], ${p(2)}::timestamptz[], ${p(3)}::jsonb[]) AS x(incident_id, timer_id, due_at, event)
        ON CONFLICT (tenant_id, incident_id, timer_id)
        DO UPDATE SET due_at = EXCLUDED.due_at, event = EXCLUDED.event, lease_owner = NULL, lease_until = NULL`,
    });
  }
  return parts;
}

function outboxPart(t: Tables, commit: Commit): CommitPart | undefined {
  const gate = gateOf(commit);
  const messages = commit.outbox ?? [];
  if (messages.length === 0) return undefined;
  return {
    key: 'outbox',
    values: [
      messages.map((m) => m.id),
      messages.map((m) => m.incidentId),
      messages.map((m) => m.channel),
      messages.map((m) => m.idempotencyKey),
      messages.map((m) => JSON.stringify(m.payload)),
      messages.map((m) => m.availableAt),
      messages.map((m) => m.attempts),
      messages.map((m) => m.lastError ?? null),
    ],
    name: 'queued',
    sql: (p) => `INSERT INTO ${t.outbox} (tenant_id, id, incident_id, channel, idempotency_key, payload, available_at, attempts, last_error, state)
      SELECT $1, x.id, x.incident_id, x.channel, x.idempotency_key, x.payload, x.available_at, x.attempts, x.last_error, 'pending'
      ${gate.join} unnest(${p(0)}::text[], ${p(1)}::text[], ${p(2)}::text[], ${p(3)}::text[], ${p(4)}::jsonb[], ${p(5)}::timestamptz[],
          ${p(6)}::integer[], ${p(7)}::text[])
        AS x(id, incident_id, channel, idempotency_key, payload, available_at, attempts, last_error)`,
  };
}

/**
 * The alert rows a commit writes (only those it carries): a new fingerprint goes after the
 * incident's last alert, a known one is replaced in place. `open` is whether the incident is open
 * after the commit: its alert rows hold keys (see {@link openKeyParts}) only while it is.
 */
function alertsPart(t: Tables, commit: Commit, open: boolean): CommitPart | undefined {
  const gate = gateOf(commit);
  const alerts = commit.alerts ?? [];
  if (alerts.length === 0) return undefined;
  return {
    key: 'alerts',
    values: [alerts.map((a) => a.fingerprint), alerts.map((a) => a.dedupKey), alerts.map((a) => JSON.stringify(a)), open],
    name: 'alerted',
    sql: (p) => `INSERT INTO ${t.alerts} (tenant_id, incident_id, position, fingerprint, dedup_key, is_open, alert)
      SELECT $1, $2, coalesce((SELECT max(position) FROM ${t.alerts} WHERE tenant_id = $1 AND incident_id = $2), -1) + x.n,
        x.fingerprint, x.dedup_key, ${p(3)}::boolean, x.alert
      ${gate.join} unnest(${p(0)}::text[], ${p(1)}::text[], ${p(2)}::jsonb[]) WITH ORDINALITY AS x(fingerprint, dedup_key, alert, n)
      ON CONFLICT (tenant_id, incident_id, fingerprint)
      DO UPDATE SET dedup_key = EXCLUDED.dedup_key, is_open = EXCLUDED.is_open, alert = EXCLUDED.alert`,
  };
}

/**
 * The open-keys maintenance of a commit (see {@link OpenKeys}): takes the incident's own key with
 * a plain insert unless it holds it (another open incident holding it makes the statement fail on
 * `incidentkit_open_keys_pkey`, which the store reports as a `DuplicateIncidentError`) and every
 * free key of the alert rows it writes (`ON CONFLICT DO NOTHING`: the first holder keeps it).
 * Nothing here reads all the keys an incident holds, so a commit costs the same after 10 000
 * alerts. An incident that is no longer open lets go of every key: each alert key another open
 * incident has an open alert row for passes to the oldest of them, the rest are deleted, and its
 * alert rows stop holding keys (after that commit these find nothing to do).
 *
 * @internal
 */
export function openKeyParts(t: Pick<Tables, 'openKeys' | 'alerts' | 'incidents'>, keys: OpenKeys, creating: boolean, written: readonly string[]): CommitPart[] {
  const { openKeys } = t;
  if (!keys.open) {
    if (creating) return [];
    const nextHolder = `SELECT o.incident_id FROM ${t.alerts} o JOIN ${t.incidents} i ON i.tenant_id = o.tenant_id AND i.id = o.incident_id
      WHERE o.tenant_id = $1 AND o.dedup_key = k.dedup_key AND o.is_open AND i.is_open AND o.incident_id <> $2
      ORDER BY i.detected_at, i.id LIMIT 1`;
    return [
      {
        key: 'hand-over',
        values: [],
        name: 'handed',
        sql: () => `UPDATE ${openKeys} k SET incident_id = (${nextHolder}) FROM inc
          WHERE k.tenant_id = $1 AND k.incident_id = $2 AND NOT k.own AND EXISTS (${nextHolder})`,
      },
      {
        key: 'release',
        values: [],
        name: 'released',
        sql: () => `DELETE FROM ${openKeys} k USING inc
          WHERE k.tenant_id = $1 AND k.incident_id = $2 AND (k.own OR NOT EXISTS (${nextHolder}))`,
      },
      {
        // The rows this commit writes get is_open from it; updating them twice in one statement is not allowed.
        key: 'close-alerts',
        values: [written],
        name: 'closed_alerts',
        sql: (p) => `UPDATE ${t.alerts} a SET is_open = false FROM inc
          WHERE a.tenant_id = $1 AND a.incident_id = $2 AND a.is_open AND a.fingerprint <> ALL(${p(0)}::text[])`,
      },
    ];
  }
  const parts: CommitPart[] = [];
  if (keys.own !== null) {
    const insert = `INSERT INTO ${openKeys} (tenant_id, dedup_key, own, incident_id)`;
    parts.push({
      key: creating ? 'own' : 'own-again',
      values: [keys.own],
      name: 'own_key',
      sql: (p) =>
        creating
          ? `${insert} VALUES ($1, ${p(0)}::text, true, $2)`
          : `${insert} SELECT $1, ${p(0)}::text, true, $2 FROM inc
             WHERE NOT EXISTS (SELECT 1 FROM ${openKeys} k WHERE k.tenant_id = $1 AND k.dedup_key = ${p(0)}::text AND k.own AND k.incident_id = $2)`,
    });
  }
  if (keys.alerts.length > 0) {
    parts.push({
      key: 'alert-keys',
      values: [keys.alerts],
      name: 'alert_keys',
      sql: (p) => `INSERT INTO ${openKeys} (tenant_id, dedup_key, own, incident_id)
        SELECT $1, a.key, false, $2 ${creating ? 'FROM' : 'FROM inc,'} unnest(${p(0)}::text[]) AS a(key)
        ON CONFLICT DO NOTHING`,
    });
  }
  return parts;
}

/**
 * The commit statements of schema `s` (already quoted): turns a {@link Commit} into one prepared
 * statement. An update returns one row, `applied`: 1 when its compare-and-set on the version
 * matched, 0 when it did not (then nothing was written). A create returns no row: it is applied
 * unless it fails (an existing incident on `incidentkit_incidents_pkey`, a taken own key on
 * `incidentkit_open_keys_pkey`).
 *
 * @internal
 */
export function postgresCommits(s: string): (commit: Commit) => PreparedQuery {
  const t = tablesOf(s);
  const assemble = queryAssembler<CommitPart>((sql, parts) => {
    const ctes = parts.map((part, i) => `${part.name} AS (\n${sql[i] ?? ''})`);
    if (parts[0]?.key !== 'create') return `WITH ${ctes.join(',\n')}\nSELECT count(*)::integer AS applied FROM inc`;
    // A create is applied unless it fails, so it returns nothing: its last write is the statement itself.
    return ctes.length === 1 ? (sql[0] ?? '') : `WITH ${ctes.slice(0, -1).join(',\n')}\n${sql.at(-1) ?? ''}`;
  });
  return (commit) => {
    const parts: CommitPart[] = [incidentPart(t, commit)];
    const events = eventsPart(t, commit);
    if (events !== undefined) parts.push(events);
    parts.push(...timerParts(t, commit));
    const outbox = outboxPart(t, commit);
    if (outbox !== undefined) parts.push(outbox);
    const keys = openKeysOf(commit);
    const alerts = alertsPart(t, commit, keys.open);
    if (alerts !== undefined) parts.push(alerts);
    parts.push(...openKeyParts(t, keys, commit.expectedVersion === 0, (commit.alerts ?? []).map((a) => a.fingerprint)));
    return assemble([commit.tenantId, commit.incidentId], parts);
  };
}
