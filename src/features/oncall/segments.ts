/**
 * The arithmetic behind every on-call function: the final schedule over `[from, to)` as
 * segments that tile the range, computed by walking rotation boundaries, restriction windows
 * and override bounds (never minute by minute).
 */
import { DAY_MS, epochDayOf, utcMs, ymdOfEpochDay } from '../../kernel/civilDate.js';
import { instantOf, localParts } from '../../kernel/timeZone.js';
import type { CompiledLayer, CompiledOverride, CompiledSchedule } from './schedule.js';

/** Where a stretch of the final schedule comes from. */
export type ShiftSource = 'layer' | 'override' | 'gap';

/** A stretch of the final schedule, in epoch milliseconds. */
export interface Segment {
  readonly start: number;
  readonly end: number;
  readonly userIds: readonly string[];
  readonly source: ShiftSource;
  readonly layerId: string | undefined;
}

/** A stretch of one layer covering one user. */
interface Piece {
  readonly start: number;
  readonly end: number;
  readonly userId: string;
}

const NO_USERS: readonly string[] = /* @__PURE__ */ Object.freeze([]);

/**
 * Remembered answers of `Intl`, per zone: local-time → instant conversions keyed by epoch day
 * and minute of the day, and UTC offsets at the start of each 6-hour bucket of time. Each
 * asks `Intl.DateTimeFormat#formatToParts` once or more (microseconds each); schedules ask for
 * the same hand-offs, restriction windows and local days over and over (every `whoIsOnCall`
 * near the same days). Bounded: a full cache starts again.
 */
const caches = /* @__PURE__ */ new Map<string, Map<number, number>>();
const CACHE_LIMIT = 200_000;
let cached = 0;

function remembered(kind: string, timeZone: string, key: number, compute: () => number): number {
  const name = `${kind} ${timeZone}`;
  let cache = caches.get(name);
  let value = cache?.get(key);
  if (value !== undefined) return value;
  value = compute();
  if (cached >= CACHE_LIMIT) {
    caches.clear();
    cached = 0;
    cache = undefined;
  }
  if (cache === undefined) {
    cache = new Map();
    caches.set(name, cache);
  }
  cache.set(key, value);
  cached += 1;
  return value;
}

/** The instant of local time `h:mi` on epoch day `day` (see `instantOf` for skipped and repeated times). */
function localInstant(day: number, h: number, mi: number, timeZone: string): number {
  return remembered('instant', timeZone, day * 1440 + h * 60 + mi, () => instantOf(ymdOfEpochDay(day), h, mi, timeZone));
}

const BUCKET_MS = 21_600_000; // 6 hours, a literal: a bundler keeps an unused `6 * 3_600_000`

/** The zone's offset (local − UTC, ms) at the start of 6-hour bucket `bucket`. */
function bucketOffset(bucket: number, timeZone: string): number {
  return remembered('offset', timeZone, bucket, () => {
    const ms = bucket * BUCKET_MS;
    const p = localParts(ms, timeZone);
    return utcMs(p.y, p.m, p.d, p.h, p.mi, p.s) - ms;
  });
}

/**
 * The local epoch day of instant `ms`. Where the offset is the same at both ends of its 6-hour
 * bucket, it holds throughout (no zone changes its offset and back within 6 hours); otherwise
 * the bucket holds a change and `Intl` is asked directly.
 */
function localDay(ms: number, timeZone: string): number {
  const bucket = Math.floor(ms / BUCKET_MS);
  const offset = bucketOffset(bucket, timeZone);
  if (offset === bucketOffset(bucket + 1, timeZone)) return Math.floor((ms + offset) / DAY_MS);
  return epochDayOf(localParts(ms, timeZone));
}

/** The instant of hand-off `k` (0 = the layer's start). */
function boundary(layer: CompiledLayer, startDay: number, k: number, timeZone: string): number {
  if (layer.unit === 'hours') return layer.startMs + k * layer.step;
  return localInstant(startDay + k * layer.step, layer.startTime.h, layer.startTime.mi, timeZone);
}

/** The turn in effect at `t` (≥ the layer's start): the largest `k` whose hand-off is at or before `t`. */
function turnAt(layer: CompiledLayer, startDay: number, t: number, timeZone: string): number {
  if (layer.unit === 'hours') return Math.floor((t - layer.startMs) / layer.step);
  // The local date gives the turn to within one; the hand-off instants settle it.
  let k = Math.max(0, Math.floor((localDay(t, timeZone) - startDay) / layer.step));
  while (k > 0 && boundary(layer, startDay, k, timeZone) > t) k -= 1;
  while (boundary(layer, startDay, k + 1, timeZone) <= t) k += 1;
  return k;
}

/** ISO weekday (1 = Monday) of an epoch day (day 0 was a Thursday). */
function isoWeekdayOfEpochDay(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

/** The layer's restriction windows meeting `[from, to)`, sorted and merged; `undefined` when it has none. */
function restrictionWindows(layer: CompiledLayer, from: number, to: number, timeZone: string): [number, number][] | undefined {
  if (layer.restrictions.length === 0) return undefined;
  const windows: [number, number][] = [];
  // A window that opened the local day before `from` may still be open (it spans midnight).
  const first = localDay(from, timeZone) - 1;
  const last = localDay(to, timeZone);
  for (let day = first; day <= last; day += 1) {
    const weekday = isoWeekdayOfEpochDay(day);
    for (const r of layer.restrictions) {
      if (!r.days.has(weekday)) continue;
      const start = localInstant(day, r.start.h, r.start.mi, timeZone);
      const end = localInstant(r.overnight ? day + 1 : day, r.end.h, r.end.mi, timeZone);
      if (end > start && end > from && start < to) windows.push([start, end]);
    }
  }
  windows.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const w of windows) {
    const prev = merged[merged.length - 1];
    if (prev !== undefined && w[0] <= prev[1]) prev[1] = Math.max(prev[1], w[1]);
    else merged.push([w[0], w[1]]);
  }
  return merged;
}

/** Who the layer puts on call over `[from, to)`, as sorted, disjoint pieces. */
function layerPieces(layer: CompiledLayer, from: number, to: number, timeZone: string): Piece[] {
  const pieces: Piece[] = [];
  const begin = Math.max(from, layer.startMs);
  if (begin >= to) return pieces;
  const windows = restrictionWindows(layer, begin, to, timeZone);
  if (windows?.length === 0) return pieces;
  const startDay = epochDayOf(layer.startDate);
  const n = layer.members.length;
  let k = turnAt(layer, startDay, begin, timeZone);
  let shiftStart = boundary(layer, startDay, k, timeZone);
  let w = 0;
  while (shiftStart < to) {
    const shiftEnd = boundary(layer, startDay, k + 1, timeZone);
    const userId = layer.members[k % n] ?? '';
    const s = Math.max(shiftStart, begin);
    const e = Math.min(shiftEnd, to);
    if (windows === undefined) {
      // A zero-length turn happens only where a zone skipped a whole day (Pacific/Apia, 2011-12-30).
      if (e > s) pieces.push({ start: s, end: e, userId });
    } else {
      while (w < windows.length && (windows[w]?.[1] ?? 0) <= s) w += 1;
      for (let j = w; j < windows.length; j += 1) {
        const [ws, we] = windows[j] ?? [0, 0];
        if (ws >= e) break;
        if (Math.min(e, we) > Math.max(s, ws)) pieces.push({ start: Math.max(s, ws), end: Math.min(e, we), userId });
      }
    }
    shiftStart = shiftEnd;
    k += 1;
  }
  return pieces;
}

function sameUsers(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

/** Appends `segment`, merging it into the previous one when they say the same. */
function pushMerged(out: Segment[], segment: Segment): void {
  const prev = out[out.length - 1];
  if (prev?.end === segment.start && prev.source === segment.source && prev.layerId === segment.layerId && sameUsers(prev.userIds, segment.userIds)) {
    out[out.length - 1] = { ...prev, end: segment.end };
  } else {
    out.push(segment);
  }
}

/** The layers stacked (a later layer wins wherever it covers someone), gaps included, tiling `[from, to)`. */
function layerSegments(schedule: CompiledSchedule, from: number, to: number): Segment[] {
  const { layers, timeZone } = schedule;
  const pieces = layers.map((layer) => layerPieces(layer, from, to, timeZone));
  const only = layers.length === 1 ? layers[0] : undefined;
  if (only !== undefined) {
    // One layer: its pieces are the segments already, with gaps between them.
    const out: Segment[] = [];
    let at = from;
    for (const p of pieces[0] ?? []) {
      if (p.start > at) pushMerged(out, { start: at, end: p.start, userIds: NO_USERS, source: 'gap', layerId: undefined });
      pushMerged(out, { start: p.start, end: p.end, userIds: [p.userId], source: 'layer', layerId: only.id });
      at = p.end;
    }
    if (at < to) pushMerged(out, { start: at, end: to, userIds: NO_USERS, source: 'gap', layerId: undefined });
    return out;
  }
  const points = new Set<number>([from, to]);
  for (const list of pieces) {
    for (const p of list) {
      points.add(p.start);
      points.add(p.end);
    }
  }
  const sorted = Float64Array.from(points).sort();
  const cursor = pieces.map(() => 0);
  const out: Segment[] = [];
  for (let i = 0; i + 1 < sorted.length; i += 1) {
    const start = sorted[i] ?? 0;
    const end = sorted[i + 1] ?? 0;
    let segment: Segment = { start, end, userIds: NO_USERS, source: 'gap', layerId: undefined };
    for (let l = pieces.length - 1; l >= 0; l -= 1) {
      const list = pieces[l] ?? [];
      let c = cursor[l] ?? 0;
      while (c < list.length && (list[c]?.end ?? 0) <= start) c += 1;
      cursor[l] = c;
      const piece = list[c];
      if (piece !== undefined && piece.start <= start) {
        segment = { start, end, userIds: [piece.userId], source: 'layer', layerId: layers[l]?.id };
        break;
      }
    }
    pushMerged(out, segment);
  }
  return out;
}

/** The people on call given the layers' `base` and the overrides in effect (in the schedule's order). */
function applyOverrides(base: Segment, active: readonly CompiledOverride[], start: number, end: number): Segment {
  let users: string[] = [];
  let changed = false;
  for (const o of active) {
    if (o.replaces === undefined && !users.includes(o.userId)) users.push(o.userId);
    if (o.replaces === undefined) changed = true;
  }
  if (!changed) users = [...base.userIds];
  for (const o of active) {
    if (o.replaces === undefined) continue;
    const i = users.indexOf(o.replaces);
    if (i < 0) continue;
    changed = true;
    if (o.userId !== o.replaces && users.includes(o.userId)) users.splice(i, 1);
    else users[i] = o.userId;
  }
  if (!changed) return { ...base, start, end };
  return { start, end, userIds: users, source: 'override', layerId: undefined };
}

/**
 * The final schedule over `[from, to)`: segments in order that tile the range exactly, adjacent
 * segments saying the same merged, gaps as `source: 'gap'` with no users.
 *
 * @internal
 */
export function segmentsOf(schedule: CompiledSchedule, from: number, to: number): Segment[] {
  if (to <= from) return [];
  const base = layerSegments(schedule, from, to);
  const relevant = schedule.overrides.filter((o) => o.startMs < to && o.endMs > from);
  if (relevant.length === 0) return base;

  const points = new Set<number>();
  for (const s of base) points.add(s.start);
  points.add(to);
  for (const o of relevant) {
    points.add(Math.max(o.startMs, from));
    points.add(Math.min(o.endMs, to));
  }
  const sorted = Float64Array.from(points).sort();
  // Overrides by start and by end, so the sweep adds and drops each one once.
  const byStart = relevant.map((_, i) => i).sort((a, b) => (relevant[a]?.startMs ?? 0) - (relevant[b]?.startMs ?? 0));
  const byEnd = relevant.map((_, i) => i).sort((a, b) => (relevant[a]?.endMs ?? 0) - (relevant[b]?.endMs ?? 0));
  const isActive = new Uint8Array(relevant.length);
  let activeCount = 0;
  let nextStart = 0;
  let nextEnd = 0;
  let b = 0;
  const out: Segment[] = [];
  for (let i = 0; i + 1 < sorted.length; i += 1) {
    const start = sorted[i] ?? 0;
    const end = sorted[i + 1] ?? 0;
    while (nextStart < byStart.length && (relevant[byStart[nextStart] ?? 0]?.startMs ?? 0) <= start) {
      isActive[byStart[nextStart] ?? 0] = 1;
      activeCount += 1;
      nextStart += 1;
    }
    while (nextEnd < byEnd.length && (relevant[byEnd[nextEnd] ?? 0]?.endMs ?? 0) <= start) {
      isActive[byEnd[nextEnd] ?? 0] = 0;
      activeCount -= 1;
      nextEnd += 1;
    }
    while (b + 1 < base.length && (base[b]?.end ?? 0) <= start) b += 1;
    const layer = base[b];
    if (layer === undefined) break;
    const active = activeCount === 0 ? [] : relevant.filter((_, j) => isActive[j] === 1);
    pushMerged(out, applyOverrides(layer, active, start, end));
  }
  return out;
}
