/**
 * The memory store's timers and outbox. Pending items wait in one heap per tenant ordered by due
 * time, so a claim costs the same however many items were completed or delivered before it;
 * delivered messages are kept only up to a count (dead letters always).
 */
import { createDueHeap, type DueHeap } from './dueHeap.js';
import type { ClaimOptions, Claimed, OutboxFailure, OutboxRecord, OutboxStats, TimerRecord } from './types.js';

interface Lease {
  owner: string;
  until: string;
}

interface TimerRow {
  readonly record: TimerRecord;
  lease?: Lease;
}

interface OutboxRow {
  record: OutboxRecord;
  lease?: Lease;
  state: 'pending' | 'delivered' | 'dead';
}

const key = (...parts: readonly string[]): string => parts.join('\u0000');

function addMs(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

function holds(lease: Lease | undefined, claimed: Claimed<unknown>): boolean {
  return lease?.owner === claimed.owner && lease.until === claimed.leaseUntil;
}

/** One heap per tenant, created on first use and dropped once empty. */
function heapsBy<R>(before: (a: R, b: R) => boolean) {
  const heaps = new Map<string, DueHeap<R>>();
  return {
    of(tenantId: string): DueHeap<R> {
      let heap = heaps.get(tenantId);
      if (heap === undefined) {
        heap = createDueHeap(before);
        heaps.set(tenantId, heap);
      }
      return heap;
    },
    remove(tenantId: string, row: R): void {
      const heap = heaps.get(tenantId);
      if (heap?.remove(row) === true && heap.size === 0) heaps.delete(tenantId);
    },
    get: (tenantId: string): DueHeap<R> | undefined => heaps.get(tenantId),
  };
}

/**
 * Leases the due rows of `heap` (earliest first) that nobody holds a live lease on. Only the due
 * rows and the live leases among them are visited: rows stay in the heap until completed.
 */
function claimDue<R extends { readonly record: T; lease?: Lease }, T>(
  heap: DueHeap<R> | undefined,
  options: ClaimOptions,
  due: (row: R) => string,
): Claimed<T>[] {
  if (heap === undefined) return [];
  const until = addMs(options.now, options.leaseMs);
  const visited: R[] = [];
  const claimed: Claimed<T>[] = [];
  for (let row = heap.peek(); row !== undefined && due(row) <= options.now && claimed.length < options.limit; row = heap.peek()) {
    heap.pop();
    visited.push(row);
    if (row.lease !== undefined && row.lease.until > options.now) continue;
    row.lease = { owner: options.owner, until };
    claimed.push({ item: structuredClone(row.record), owner: options.owner, leaseUntil: until });
  }
  for (const row of visited) heap.push(row);
  return claimed;
}

/**
 * The memory store's durable timers: set and cancelled by commits, claimed with a lease,
 * completed by their claimant.
 *
 * @internal
 */
export function memoryTimers() {
  const rows = new Map<string, TimerRow>();
  // The order of the SQL stores: due time, then incident and timer id.
  const heaps = heapsBy<TimerRow>((a, b) => {
    const x = a.record;
    const y = b.record;
    if (x.dueAt !== y.dueAt) return x.dueAt < y.dueAt;
    if (x.incidentId !== y.incidentId) return x.incidentId < y.incidentId;
    return x.timerId < y.timerId;
  });
  const timerKey = (t: Pick<TimerRecord, 'tenantId' | 'incidentId' | 'timerId'>): string => key(t.tenantId, t.incidentId, t.timerId);

  function drop(k: string): void {
    const row = rows.get(k);
    if (row === undefined) return;
    rows.delete(k);
    heaps.remove(row.record.tenantId, row);
  }

  return {
    /** Creates or replaces a timer; a replaced timer loses its lease. */
    set(timer: TimerRecord): void {
      const k = timerKey(timer);
      drop(k);
      const row: TimerRow = { record: structuredClone(timer) };
      rows.set(k, row);
      heaps.of(timer.tenantId).push(row);
    },
    cancel(tenantId: string, incidentId: string, timerId: string): void {
      drop(timerKey({ tenantId, incidentId, timerId }));
    },
    claim(options: ClaimOptions): Claimed<TimerRecord>[] {
      return claimDue<TimerRow, TimerRecord>(heaps.get(options.tenantId), options, (row) => row.record.dueAt);
    },
    complete(claimed: Claimed<TimerRecord>): boolean {
      const k = timerKey(claimed.item);
      const row = rows.get(k);
      if (row === undefined || !holds(row.lease, claimed) || row.record.dueAt !== claimed.item.dueAt) return false;
      drop(k);
      return true;
    },
  };
}

/**
 * The memory store's outbox: pending messages in a heap per tenant, the newest `keepDelivered`
 * delivered ones in delivery order, dead letters until redelivered.
 *
 * @internal
 */
export function memoryOutbox(keepDelivered: number) {
  const rows = new Map<string, OutboxRow>();
  // The order of the SQL stores: available time, then id.
  const pending = heapsBy<OutboxRow>((a, b) =>
    a.record.availableAt !== b.record.availableAt ? a.record.availableAt < b.record.availableAt : a.record.id < b.record.id,
  );
  /** Keys of delivered rows, oldest delivery first (a Set iterates in insertion order). */
  const delivered = new Set<string>();
  const deadByTenant = new Map<string, Set<OutboxRow>>();
  const rowOf = (tenantId: string, id: string): OutboxRow | undefined => rows.get(key(tenantId, id));

  function deadOf(tenantId: string): Set<OutboxRow> {
    let set = deadByTenant.get(tenantId);
    if (set === undefined) {
      set = new Set();
      deadByTenant.set(tenantId, set);
    }
    return set;
  }

  /** Takes a row out of whichever index its state puts it in. */
  function unindex(k: string, row: OutboxRow): void {
    if (row.state === 'pending') pending.remove(row.record.tenantId, row);
    if (row.state === 'delivered') delivered.delete(k);
    if (row.state === 'dead') deadByTenant.get(row.record.tenantId)?.delete(row);
  }

  function forgetOldDelivered(): void {
    for (const k of delivered) {
      if (delivered.size <= keepDelivered) return;
      delivered.delete(k);
      rows.delete(k);
    }
  }

  return {
    /** Queues a message; one with the same id is replaced. */
    add(message: OutboxRecord): void {
      const k = key(message.tenantId, message.id);
      const previous = rows.get(k);
      if (previous !== undefined) unindex(k, previous);
      const row: OutboxRow = { record: structuredClone(message), state: 'pending' };
      rows.set(k, row);
      pending.of(message.tenantId).push(row);
    },
    claim(options: ClaimOptions): Claimed<OutboxRecord>[] {
      return claimDue<OutboxRow, OutboxRecord>(pending.get(options.tenantId), options, (row) => row.record.availableAt);
    },
    complete(claimed: Claimed<OutboxRecord>): boolean {
      const k = key(claimed.item.tenantId, claimed.item.id);
      const row = rows.get(k);
      if (row?.state !== 'pending' || !holds(row.lease, claimed)) return false;
      unindex(k, row);
      row.state = 'delivered';
      row.record = { ...row.record, attempts: row.record.attempts + 1 };
      delete row.lease;
      delivered.add(k);
      forgetOldDelivered();
      return true;
    },
    fail(claimed: Claimed<OutboxRecord>, failure: OutboxFailure): boolean {
      const k = key(claimed.item.tenantId, claimed.item.id);
      const row = rows.get(k);
      if (row?.state !== 'pending' || !holds(row.lease, claimed)) return false;
      unindex(k, row);
      row.record = {
        ...row.record,
        attempts: row.record.attempts + 1,
        lastError: failure.error,
        availableAt: failure.retryAt ?? row.record.availableAt,
      };
      delete row.lease;
      if (failure.retryAt === undefined) {
        row.state = 'dead';
        deadOf(row.record.tenantId).add(row);
      } else {
        pending.of(row.record.tenantId).push(row);
      }
      return true;
    },
    deadLetters(tenantId: string): OutboxRecord[] {
      return [...(deadByTenant.get(tenantId) ?? [])]
        .map((row) => structuredClone(row.record))
        .sort((a, b) => (a.availableAt < b.availableAt ? -1 : a.availableAt > b.availableAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
    /** How many messages are kept in each state (for tests of the retention). */
    counts(): { readonly pending: number; readonly delivered: number; readonly dead: number } {
      let dead = 0;
      for (const set of deadByTenant.values()) dead += set.size;
      return { pending: rows.size - delivered.size - dead, delivered: delivered.size, dead };
    },
    /** The tenant's pending count, earliest pending time and dead letters (`StorageAdapter.outboxStats`). */
    stats(tenantId: string): OutboxStats {
      const heap = pending.get(tenantId);
      const oldest = heap?.peek()?.record.availableAt;
      return { pending: heap?.size ?? 0, ...(oldest === undefined ? {} : { oldestPendingAt: oldest }), deadLetters: deadByTenant.get(tenantId)?.size ?? 0 };
    },
    redeliver(tenantId: string, messageId: string, availableAt: string): boolean {
      const row = rowOf(tenantId, messageId);
      if (row?.state !== 'dead') return false;
      unindex(key(tenantId, messageId), row);
      row.state = 'pending';
      row.record = { ...row.record, availableAt };
      pending.of(tenantId).push(row);
      return true;
    },
  };
}
