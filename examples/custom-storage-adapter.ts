/**
 * Write your own storage adapter: a complete StorageAdapter over a tiny async key-value
 * interface (think Redis, a KV service, or files), kept as small as the contract allows.
 * docs/custom-storage-adapter.md walks through it; test/storage/storage.contract.test.ts proves it with
 * runStorageContract, exactly as you would prove yours.
 *
 * Run it with `npx tsx examples/custom-storage-adapter.ts`.
 */
import { pathToFileURL } from 'node:url';
import {
  ConcurrencyError,
  createIncidentEngine,
  DuplicateIncidentError,
  holdsDedupKeys,
  OPEN_STATUSES,
  RecordConflictError,
  requireRecords,
  ValidationError,
  type AlertSummary,
  type Claimed,
  type ClaimOptions,
  type Commit,
  type Incident,
  type OutboxRecord,
  type StorageAdapter,
  type StoredEvent,
  type StoredIncident,
  type StoredRecord,
  type TimerRecord,
} from 'incidentkit';

/** The backend this adapter needs: string values under string keys, listable by prefix. */
export interface KeyValue {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
  /** Every key that starts with `prefix`. */
  keys(prefix: string): Promise<string[]>;
}

/** A KeyValue on a Map, standing in for a real backend. */
export function createMapKeyValue(): KeyValue {
  const map = new Map<string, string>();
  return {
    get: (key) => Promise.resolve(map.get(key)),
    set: (key, value) => Promise.resolve(void map.set(key, value)),
    delete: (key) => Promise.resolve(void map.delete(key)),
    keys: (prefix) => Promise.resolve([...map.keys()].filter((key) => key.startsWith(prefix))),
  };
}

interface Lease {
  readonly owner: string;
  readonly until: string;
}
interface TimerDoc {
  readonly record: TimerRecord;
  readonly lease?: Lease;
}
interface OutboxDoc {
  readonly record: OutboxRecord;
  readonly lease?: Lease;
  readonly state: 'pending' | 'delivered' | 'dead';
}

// Keys are JSON arrays, so ids may contain any character; a prefix is the array without its "]".
const key = (...parts: string[]): string => JSON.stringify(parts);
const prefix = (...parts: string[]): string => `${key(...parts).slice(0, -1)},`;
const isOpen = (incident: Incident): boolean => OPEN_STATUSES.includes(incident.status);
// An open incident whose recurrence took its keys over holds none: dedup asks this, not isOpen.
const holdsKeys = (incident: Incident): boolean => holdsDedupKeys(incident);
const holds = (lease: Lease | undefined, claim: Claimed<unknown>): boolean =>
  lease?.owner === claim.owner && lease.until === claim.leaseUntil;

/** Newest detectedAt first, then id descending: the order every adapter lists in. */
const listOrder = (a: Incident, b: Incident): number =>
  a.detectedAt !== b.detectedAt ? (a.detectedAt < b.detectedAt ? 1 : -1) : a.id === b.id ? 0 : a.id < b.id ? 1 : -1;

/** An alerts cursor: the position of a page's last alert. */
const encodeAlertCursor = (position: number): string => Buffer.from(JSON.stringify(['alerts', position])).toString('base64url');

function decodeAlertCursor(cursor: string): number {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (Array.isArray(parsed) && parsed[0] === 'alerts' && Number.isSafeInteger(parsed[1]) && (parsed[1] as number) >= 0) return parsed[1] as number;
  } catch {
    // reported below
  }
  throw new ValidationError('alerts', [{ code: 'custom', path: ['cursor'], message: 'Unknown cursor; pass nextCursor back unchanged.' }]);
}

/** A records cursor: the last id of a page. */
const encodeRecordCursor = (id: string): string => Buffer.from(JSON.stringify(['records', id])).toString('base64url');

function decodeRecordCursor(cursor: string): string {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (Array.isArray(parsed) && parsed[0] === 'records' && typeof parsed[1] === 'string') return parsed[1];
  } catch {
    // reported below
  }
  throw new ValidationError('listRecords', [{ code: 'custom', path: ['cursor'], message: 'Unknown cursor; pass nextCursor back unchanged.' }]);
}

/** Record versions sort by key when the version is zero-padded. */
const versionPart = (version: number): string => String(version).padStart(12, '0');

function encodeCursor(incident: Incident): string {
  return Buffer.from(JSON.stringify([incident.detectedAt, incident.id])).toString('base64url');
}

function decodeCursor(cursor: string): Pick<Incident, 'detectedAt' | 'id'> {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (Array.isArray(parsed) && typeof parsed[0] === 'string' && typeof parsed[1] === 'string') {
      return { detectedAt: parsed[0], id: parsed[1] };
    }
  } catch {
    // reported below
  }
  throw new ValidationError('list', [{ code: 'custom', path: ['cursor'], message: 'Unknown cursor; pass nextCursor back unchanged.' }]);
}

/**
 * A StorageAdapter over a {@link KeyValue}. A KeyValue has no transactions, so this adapter runs
 * every write through one queue: fine within one process. For several processes, use a backend
 * with transactions or compare-and-set, and enforce the same rules there.
 */
export function keyValueStore(kv: KeyValue): StorageAdapter {
  let queue: Promise<unknown> = Promise.resolve();
  /** Runs `work` after every write queued before it: read-check-write is safe inside. */
  function exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = queue.then(work);
    queue = result.catch(() => undefined);
    return result;
  }
  async function read<T>(k: string): Promise<T | undefined> {
    const text = await kv.get(k);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }
  const write = (k: string, value: unknown): Promise<void> => kv.set(k, JSON.stringify(value));
  // T is what the caller stored under the keys.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
  async function readAll<T>(p: string): Promise<{ key: string; doc: T }[]> {
    const keys = (await kv.keys(p)).sort();
    return Promise.all(keys.map(async (k) => ({ key: k, doc: (await read<T>(k)) as T })));
  }
  /** One alert with its repeat counter, which lives beside it (commits never overwrite counters). */
  async function alertWithCounter(tenantId: string, incidentId: string, alert: AlertSummary): Promise<AlertSummary> {
    const counter = await read<{ count: number; lastSeenAt: string }>(key('counter', tenantId, incidentId, alert.fingerprint));
    return counter === undefined ? alert : { ...alert, ...counter };
  }
  /** Counters merged into every read: the alerts the incident carries, and the total of all its alerts. */
  async function withCounters(incident: Incident): Promise<Incident> {
    if (incident.alerts.length === 0) return incident;
    const alerts = await Promise.all(incident.alerts.map((alert) => alertWithCounter(incident.tenantId, incident.id, alert)));
    const signalCount = (await read<number>(key('signalTotal', incident.tenantId, incident.id))) ?? 0;
    return { ...incident, alerts, signalCount };
  }
  /** Alert rows: by position (zero-padded, so keys sort in attach order) and a fingerprint → position index. */
  const alertAt = (tenantId: string, incidentId: string, position: number): string => key('alert', tenantId, incidentId, String(position).padStart(12, '0'));
  async function writeAlerts(commit: Commit): Promise<void> {
    const { tenantId, incidentId } = commit;
    for (const alert of commit.alerts ?? []) {
      const indexKey = key('alertIndex', tenantId, incidentId, alert.fingerprint);
      let position = await read<number>(indexKey);
      if (position === undefined) {
        position = (await read<number>(key('alertCount', tenantId, incidentId))) ?? 0;
        await write(key('alertCount', tenantId, incidentId), position + 1);
        await write(indexKey, position);
      }
      await write(alertAt(tenantId, incidentId, position), alert);
      await write(key('alertKey', tenantId, incidentId, alert.dedupKey), true);
    }
  }
  async function incidents(tenantId: string): Promise<Incident[]> {
    return (await readAll<StoredIncident>(prefix('incident', tenantId))).map(({ doc }) => doc.incident);
  }

  /** Claims due, unleased docs (earliest first) for one owner. */
  async function claim<D extends { readonly lease?: Lease }, R>(
    docs: { key: string; doc: D }[],
    options: ClaimOptions,
    due: (doc: D) => string | undefined,
    record: (doc: D) => R,
  ): Promise<Claimed<R>[]> {
    const until = new Date(Date.parse(options.now) + options.leaseMs).toISOString();
    const ready = docs
      .filter(({ doc }) => {
        const at = due(doc);
        return at !== undefined && at <= options.now && (doc.lease === undefined || doc.lease.until <= options.now);
      })
      .sort((a, b) => ((due(a.doc) ?? '') < (due(b.doc) ?? '') ? -1 : 1))
      .slice(0, options.limit);
    const lease = { owner: options.owner, until };
    for (const { key: k, doc } of ready) await write(k, { ...doc, lease });
    return ready.map(({ doc }) => ({ item: record(doc), owner: options.owner, leaseUntil: until }));
  }

  return {
    name: 'key-value example',

    async load(tenantId, incidentId) {
      const stored = await read<StoredIncident>(key('incident', tenantId, incidentId));
      return stored === undefined ? undefined : { ...stored, incident: await withCounters(stored.incident) };
    },

    commit: (commit) =>
      exclusive(async () => {
        const { tenantId, incidentId } = commit;
        const stored = await read<StoredIncident>(key('incident', tenantId, incidentId));
        const actual = stored?.incident.version ?? 0;
        // Rule 1: the expected version must be the stored one; the loser changes nothing.
        if (actual !== commit.expectedVersion) {
          throw new ConcurrencyError({ tenantId, incidentId, expected: commit.expectedVersion, actual });
        }
        // Rule 2: at most one open incident per (tenant, dedupKey).
        const dedupKey = commit.incident.dedupKey;
        if (dedupKey !== undefined && holdsKeys(commit.incident)) {
          const holder = (await incidents(tenantId)).find((i) => i.dedupKey === dedupKey && holdsKeys(i) && i.id !== incidentId);
          if (holder !== undefined) throw new DuplicateIncidentError({ tenantId, dedupKey, existingIncidentId: holder.id });
        }
        // Everything checked: write it all.
        const lastHash = commit.events.at(-1)?.hash ?? stored?.lastHash ?? '';
        await write(key('incident', tenantId, incidentId), { incident: commit.incident, snapshot: commit.snapshot, lastHash });
        const events = (await read<StoredEvent[]>(key('events', tenantId, incidentId))) ?? [];
        await write(key('events', tenantId, incidentId), [...events, ...commit.events]);
        for (const timerId of commit.timers?.cancel ?? []) await kv.delete(key('timer', tenantId, incidentId, timerId));
        for (const t of commit.timers?.set ?? []) await write(key('timer', t.tenantId, t.incidentId, t.timerId), { record: t });
        for (const m of commit.outbox ?? []) await write(key('outbox', m.tenantId, m.id), { record: m, state: 'pending' });
        // Rule 3: only the alerts the commit changed; a new fingerprint goes after the others.
        await writeAlerts(commit);
      }),

    // The whole timeline is one document here, so a range is cut from it; a backend with ordered
    // keys would seek to (tenantId, incidentId, afterSeq) instead.
    async events(tenantId, incidentId, range = {}) {
      const events = (await read<StoredEvent[]>(key('events', tenantId, incidentId))) ?? [];
      const after = events.filter((event) => event.seq > (range.afterSeq ?? 0));
      return range.limit === undefined ? after : after.slice(0, range.limit);
    },

    async list(tenantId, query) {
      const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      const matches = (await incidents(tenantId))
        .filter(
          (i) =>
            (query.status === undefined || query.status.includes(i.status)) &&
            (query.severity === undefined || query.severity.includes(i.severity)) &&
            (query.service === undefined || (i.service !== undefined && query.service.includes(i.service))) &&
            (query.open === undefined || isOpen(i) === query.open) &&
            // Canonical ISO-8601 UTC strings compare as times: from inclusive, to exclusive.
            (query.detectedFrom === undefined || i.detectedAt >= query.detectedFrom) &&
            (query.detectedTo === undefined || i.detectedAt < query.detectedTo) &&
            (after === undefined || listOrder(i, { ...i, ...after }) > 0),
        )
        .sort(listOrder);
      const items = await Promise.all(matches.slice(0, query.limit).map(withCounters));
      const last = items.at(-1);
      return matches.length > query.limit && last !== undefined ? { items, nextCursor: encodeCursor(last) } : { items };
    },

    async findOpenByDedupKey(tenantId, dedupKey) {
      const open = (await incidents(tenantId)).filter(holdsKeys);
      // Its own key first; else the oldest incident that grouped an alert with this key.
      let found = open.find((i) => i.dedupKey === dedupKey);
      for (const i of open.sort((a, b) => -listOrder(a, b))) {
        if (found !== undefined) break;
        if ((await read<boolean>(key('alertKey', tenantId, i.id, dedupKey))) === true) found = i;
      }
      return found === undefined ? undefined : withCounters(found);
    },

    async alerts(tenantId, incidentId, query) {
      const keys = (await kv.keys(prefix('alert', tenantId, incidentId))).sort();
      // A cursor names a position, so alerts attached between two pages never shift the next page.
      const start = query.cursor === undefined ? 0 : decodeAlertCursor(query.cursor) + 1;
      const page = keys.slice(start, start + query.limit);
      const rows = await Promise.all(page.map((k) => read<AlertSummary>(k)));
      const items = await Promise.all(rows.flatMap((row) => (row === undefined ? [] : [alertWithCounter(tenantId, incidentId, row)])));
      return start + query.limit < keys.length ? { items, nextCursor: encodeAlertCursor(start + query.limit - 1) } : { items };
    },

    async findAlert(tenantId, incidentId, fingerprint) {
      const position = await read<number>(key('alertIndex', tenantId, incidentId, fingerprint));
      const alert = position === undefined ? undefined : await read<AlertSummary>(alertAt(tenantId, incidentId, position));
      return alert === undefined ? undefined : alertWithCounter(tenantId, incidentId, alert);
    },

    recordSignals: (tenantId, counts) =>
      exclusive(async () => {
        for (const update of counts) {
          const k = key('counter', tenantId, update.incidentId, update.fingerprint);
          const counter = await read<{ count: number; lastSeenAt: string }>(k);
          await write(k, {
            count: (counter?.count ?? 0) + update.count,
            lastSeenAt: counter !== undefined && counter.lastSeenAt > update.lastSeenAt ? counter.lastSeenAt : update.lastSeenAt,
          });
          const total = key('signalTotal', tenantId, update.incidentId);
          await write(total, ((await read<number>(total)) ?? 0) + update.count);
        }
      }),

    countFirings: (tenantId, firingKey, at, since) =>
      exclusive(async () => {
        const k = key('firings', tenantId, firingKey);
        const kept = [...((await read<string[]>(k)) ?? []).filter((time) => time >= since), at];
        await write(k, kept);
        return kept.filter((time) => time >= since).length;
      }),

    claimTimers: (options) =>
      exclusive(async () =>
        claim(await readAll<TimerDoc>(prefix('timer', options.tenantId)), options, (d) => d.record.dueAt, (d) => d.record),
      ),

    completeTimer: (claimed) =>
      exclusive(async () => {
        const k = key('timer', claimed.item.tenantId, claimed.item.incidentId, claimed.item.timerId);
        const doc = await read<TimerDoc>(k);
        // A replaced timer has no lease, so the old claim cannot delete its successor.
        if (doc === undefined || !holds(doc.lease, claimed) || doc.record.dueAt !== claimed.item.dueAt) return false;
        await kv.delete(k);
        return true;
      }),

    claimOutbox: (options) =>
      exclusive(async () =>
        claim(
          await readAll<OutboxDoc>(prefix('outbox', options.tenantId)),
          options,
          (d) => (d.state === 'pending' ? d.record.availableAt : undefined),
          (d) => d.record,
        ),
      ),

    completeOutbox: (claimed) =>
      exclusive(async () => {
        const k = key('outbox', claimed.item.tenantId, claimed.item.id);
        const doc = await read<OutboxDoc>(k);
        if (doc?.state !== 'pending' || !holds(doc.lease, claimed)) return false;
        await write(k, { record: { ...doc.record, attempts: doc.record.attempts + 1 }, state: 'delivered' });
        return true;
      }),

    failOutbox: (claimed, failure) =>
      exclusive(async () => {
        const k = key('outbox', claimed.item.tenantId, claimed.item.id);
        const doc = await read<OutboxDoc>(k);
        if (doc?.state !== 'pending' || !holds(doc.lease, claimed)) return false;
        const record = {
          ...doc.record,
          attempts: doc.record.attempts + 1,
          lastError: failure.error,
          availableAt: failure.retryAt ?? doc.record.availableAt,
        };
        await write(k, { record, state: failure.retryAt === undefined ? 'dead' : 'pending' });
        return true;
      }),

    deadLetters: async (tenantId) =>
      (await readAll<OutboxDoc>(prefix('outbox', tenantId)))
        .filter(({ doc }) => doc.state === 'dead')
        .map(({ doc }) => doc.record)
        .sort((a, b) => (a.availableAt < b.availableAt ? -1 : a.availableAt > b.availableAt ? 1 : 0)),

    redeliver: (tenantId, messageId, availableAt) =>
      exclusive(async () => {
        const k = key('outbox', tenantId, messageId);
        const doc = await read<OutboxDoc>(k);
        if (doc?.state !== 'dead') return false;
        await write(k, { record: { ...doc.record, availableAt }, state: 'pending' });
        return true;
      }),

    // Versioned records (optional: all five or none). Every version is a document of its own and
    // `recordCurrent` names the newest; engine code reaches them through requireRecords(store),
    // which checks every write first.
    putRecord: (change) =>
      exclusive(async () => {
        const { tenantId, kind, id, expectedVersion } = change;
        const actual = (await read<number>(key('recordCurrent', tenantId, kind, id))) ?? 0;
        // Rule 1 again: compare and set, and the loser changes nothing.
        if (actual !== expectedVersion) throw new RecordConflictError({ tenantId, kind, id, expected: expectedVersion, actual });
        const record: StoredRecord = {
          tenantId,
          kind,
          id,
          version: actual + 1,
          value: change.value,
          updatedAt: change.at,
          updatedBy: change.actor,
          ...(change.value === null ? { deleted: true as const } : {}),
        };
        await write(key('recordVersion', tenantId, kind, id, versionPart(record.version)), record);
        await write(key('recordCurrent', tenantId, kind, id), record.version);
        // Its timers belong to no incident (incidentId ''), like any timer otherwise.
        for (const timerId of change.timers?.cancel ?? []) await kv.delete(key('timer', tenantId, '', timerId));
        for (const t of change.timers?.set ?? []) await write(key('timer', t.tenantId, t.incidentId, t.timerId), { record: t });
        for (const m of change.outbox ?? []) await write(key('outbox', m.tenantId, m.id), { record: m, state: 'pending' });
        return record;
      }),

    async getRecord(tenantId, kind, id, options = {}) {
      const version = options.version ?? (await read<number>(key('recordCurrent', tenantId, kind, id)));
      return version === undefined ? undefined : read<StoredRecord>(key('recordVersion', tenantId, kind, id, versionPart(version)));
    },

    async listRecords(tenantId, kind, query) {
      const after = query.cursor === undefined ? undefined : decodeRecordCursor(query.cursor);
      const currents = await readAll<number>(prefix('recordCurrent', tenantId, kind));
      const records = await Promise.all(
        currents.map(({ key: k, doc }) => read<StoredRecord>(key('recordVersion', tenantId, kind, (JSON.parse(k) as string[])[3] ?? '', versionPart(doc)))),
      );
      // By id; `<` compares UTF-16 units, which is code point order for every id that holds no
      // character beyond U+FFFF next to one in U+E000–U+FFFF.
      const live = records
        .filter((r): r is StoredRecord => r !== undefined && r.deleted === undefined && (after === undefined || r.id > after))
        .sort((a, b) => (a.id < b.id ? -1 : 1));
      const items = live.slice(0, query.limit);
      const last = items.at(-1);
      return live.length > query.limit && last !== undefined ? { items, nextCursor: encodeRecordCursor(last.id) } : { items };
    },

    async recordHistory(tenantId, kind, id, range = {}) {
      const versions = (await readAll<StoredRecord>(prefix('recordVersion', tenantId, kind, id))).map(({ doc }) => doc);
      const after = versions.filter((v) => v.version > (range.afterVersion ?? 0));
      return range.limit === undefined ? after : after.slice(0, range.limit);
    },

    // Timers of no incident without a version (a heartbeat's deadline): set replaces, and drops the lease.
    setRecordTimers: (change) =>
      exclusive(async () => {
        for (const timerId of change.cancel ?? []) await kv.delete(key('timer', change.tenantId, '', timerId));
        for (const t of change.set ?? []) await write(key('timer', t.tenantId, t.incidentId, t.timerId), { record: t });
      }),
  };
}

// Run as a program: drive an incident through the engine on this adapter.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const store = keyValueStore(createMapKeyValue());
  const engine = createIncidentEngine({ store });
  const actor = { id: 'u_sam', name: 'Sam' };
  const incident = await engine.declare({ title: 'Queue backlog growing', severity: 'SEV3', dedupKey: 'backlog/orders', actor });
  await engine.acknowledge(incident.id, { actor });
  await engine.addNote(incident.id, { text: 'Consumers restarted.', actor });
  const resolved = await engine.resolve(incident.id, { summary: 'Backlog drained.', actor });
  console.log(`${resolved.id} is ${resolved.status} at version ${String(resolved.version)}`);
  for (const event of await engine.timeline(incident.id)) console.log(`  #${String(event.seq)} ${event.at} ${event.type}`);
  console.log('timeline verifies:', (await engine.verifyTimeline(incident.id)).ok);

  // Versioned records: what on-call schedules, routing rules and status pages are kept as.
  const records = requireRecords(store, 'example');
  const at = new Date().toISOString();
  const schedule = await records.putRecord({ tenantId: 'default', kind: 'schedule', id: 'primary', expectedVersion: 0, value: { name: 'Primary' }, at, actor: { kind: 'user', id: 'u_sam' } });
  await records.putRecord({ tenantId: 'default', kind: 'schedule', id: 'primary', expectedVersion: schedule.version, value: { name: 'Primary on-call' }, at, actor: { kind: 'user', id: 'u_sam' } });
  console.log('schedule versions:', (await records.recordHistory('default', 'schedule', 'primary')).map((v) => v.version).join(', '));
}
