/**
 * The PostgreSQL store's commit: one statement (data-modifying CTEs, so one round trip and
 * atomic on its own), written for the shape of the commit at hand. A new incident with one event
 * and nothing else is the common case and takes only what it needs: every value a plain
 * parameter, no JSON built in JavaScript only to be taken apart again in SQL. Several events,
 * timers and outbox messages are bound as arrays and `unnest`ed.
 */
import type { Commit, OutboxRecord } from '../types.js';
import { timerChangesOf } from './checkCommit.js';
import { itemWrites, type CollectionWrite } from './incidentItems.js';
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
    items: `${s}.incidentkit_incident_items`,
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
  return outboxInsert(t.outbox, commit.outbox ?? [], gateOf(commit).join);
}

/**
 * The insert of outbox messages as a statement part, `queued`, its rows taken `join` the messages
 * (`FROM`, or `FROM inc,` / `FROM rec,` to write them only when the gate's row was written): one
 * statement for commits and record writes alike. `undefined` when there are no messages.
 *
 * @internal
 */
export function outboxInsert(table: string, messages: readonly OutboxRecord[], join: string): CommitPart | undefined {
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
    sql: (p) => `INSERT INTO ${table} (tenant_id, id, incident_id, channel, idempotency_key, payload, available_at, attempts, last_error, state)
      SELECT $1, x.id, x.incident_id, x.channel, x.idempotency_key, x.payload, x.available_at, x.attempts, x.last_error, 'pending'
      ${join} unnest(${p(0)}::text[], ${p(1)}::text[], ${p(2)}::text[], ${p(3)}::text[], ${p(4)}::jsonb[], ${p(5)}::timestamptz[],
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
 * The item-row writes of a commit (see {@link CollectionWrite}), flattened over its collections.
 * A patch inserts its new items after the collection's last (without `ON CONFLICT`: a repeat of
 * a stored key fails the commit), updates its changed ones in place and deletes its removed
 * ones, all by key. A rewrite moves every item of the collection after the last stored one, in
 * order (an upsert by key), and deletes the collection's other items. Each part touches rows the
 * others do not, as one statement must.
 */
function itemParts(t: Tables, commit: Commit, writes: readonly CollectionWrite[]): CommitPart[] {
  const gate = gateOf(commit);
  const added: { collection: string; key: string; body: string }[] = [];
  const changed: { collection: string; key: string; body: string }[] = [];
  const removed: { collection: string; key: string }[] = [];
  const moved: { collection: string; key: string; body: string }[] = [];
  const rewritten: string[] = [];
  for (const write of writes) {
    const { collection } = write;
    if (write.kind === 'rewrite') {
      rewritten.push(collection);
      for (const row of write.items) moved.push({ collection, ...row });
      continue;
    }
    for (const row of write.added) added.push({ collection, ...row });
    for (const row of write.changed) changed.push({ collection, ...row });
    for (const key of write.removed) removed.push({ collection, key });
  }
  const rows = (list: readonly { collection: string; key: string; body: string }[]) => [list.map((r) => r.collection), list.map((r) => r.key), list.map((r) => r.body)];
  const after = `coalesce((SELECT max(d.position) FROM ${t.items} d WHERE d.tenant_id = $1 AND d.incident_id = $2 AND d.collection = x.collection), -1) + x.n`;
  const insert = `INSERT INTO ${t.items} (tenant_id, incident_id, collection, item_key, position, body)`;
  const parts: CommitPart[] = [];
  if (removed.length > 0) {
    parts.push({
      key: 'items-remove',
      values: [removed.map((r) => r.collection), removed.map((r) => r.key)],
      name: 'items_removed',
      sql: (p) => `DELETE FROM ${t.items} d USING ${gate.from === '' ? '' : 'inc, '}unnest(${p(0)}::text[], ${p(1)}::text[]) AS x(collection, item_key)
        WHERE d.tenant_id = $1 AND d.incident_id = $2 AND d.collection = x.collection AND d.item_key = x.item_key`,
    });
  }
  if (changed.length > 0) {
    parts.push({
      key: 'items-change',
      values: rows(changed),
      name: 'items_changed',
      sql: (p) => `UPDATE ${t.items} d SET body = x.body
        ${gate.join} unnest(${p(0)}::text[], ${p(1)}::text[], ${p(2)}::jsonb[]) AS x(collection, item_key, body)
        WHERE d.tenant_id = $1 AND d.incident_id = $2 AND d.collection = x.collection AND d.item_key = x.item_key`,
    });
  }
  if (added.length > 0) {
    parts.push({
      key: 'items-add',
      values: rows(added),
      name: 'items_added',
      sql: (p) => `${insert}
        SELECT $1, $2, x.collection, x.item_key, ${after}, x.body
        ${gate.join} unnest(${p(0)}::text[], ${p(1)}::text[], ${p(2)}::jsonb[]) WITH ORDINALITY AS x(collection, item_key, body, n)`,
    });
  }
  // A new incident has no item rows to delete yet.
  if (rewritten.length > 0 && commit.expectedVersion !== 0) {
    parts.push({
      key: 'items-keep',
      values: [rewritten, moved.map((r) => r.collection), moved.map((r) => r.key)],
      name: 'items_dropped',
      sql: (p) => `DELETE FROM ${t.items} d ${gate.using}
        WHERE d.tenant_id = $1 AND d.incident_id = $2 AND d.collection = ANY(${p(0)}::text[])
          AND NOT EXISTS (SELECT 1 FROM unnest(${p(1)}::text[], ${p(2)}::text[]) AS x(collection, item_key)
            WHERE x.collection = d.collection AND x.item_key = d.item_key)`,
    });
  }
  if (moved.length > 0) {
    parts.push({
      key: 'items-move',
      values: rows(moved),
      name: 'items_moved',
      sql: (p) => `${insert}
        SELECT $1, $2, x.collection, x.item_key, ${after}, x.body
        ${gate.join} unnest(${p(0)}::text[], ${p(1)}::text[], ${p(2)}::jsonb[]) WITH ORDINALITY AS x(collection, item_key, body, n)
        ON CONFLICT (tenant_id, incident_id, collection, item_key) DO UPDATE SET position = EXCLUDED.position, body = EXCLUDED.body`,
    });
  }
  return parts;
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
 * The commit statements of schema `s` (already quoted): turns a {@link Commit} and its item-row
 * writes (default: rewrite every collection, for a store that does not know what is stored) into
 * one prepared statement. An update returns one row, `applied`: 1 when its compare-and-set on the version
 * matched, 0 when it did not (then nothing was written). A create returns no row: it is applied
 * unless it fails (an existing incident on `incidentkit_incidents_pkey`, a taken own key on
 * `incidentkit_open_keys_pkey`).
 *
 * @internal
 */
export function postgresCommits(s: string): (commit: Commit, items?: readonly CollectionWrite[]) => PreparedQuery {
  const t = tablesOf(s);
  const assemble = queryAssembler<CommitPart>((sql, parts) => {
    const ctes = parts.map((part, i) => `${part.name} AS (\n${sql[i] ?? ''})`);
    if (parts[0]?.key !== 'create') return `WITH ${ctes.join(',\n')}\nSELECT count(*)::integer AS applied FROM inc`;
    // A create is applied unless it fails, so it returns nothing: its last write is the statement itself.
    return ctes.length === 1 ? (sql[0] ?? '') : `WITH ${ctes.slice(0, -1).join(',\n')}\n${sql.at(-1) ?? ''}`;
  });
  return (commit, items = itemWrites('postgres', undefined, commit.incident)) => {
    const parts: CommitPart[] = [incidentPart(t, commit), ...itemParts(t, commit, items)];
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
