/**
 * Time formatting shared by the notification texts, the channels, review documents and metric
 * tables.
 *
 * @module
 */

/** An ISO time as `2026-01-02 03:04 UTC`: unambiguous in every locale and time zone. */
export function formatTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** A duration in milliseconds as `1 h 05 min`, `12 min` or `40 s`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${String(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${String(minutes)} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours < 48) return `${String(hours)} h ${String(rest).padStart(2, '0')} min`;
  return `${String(Math.floor(hours / 24))} d ${String(hours % 24)} h`;
}

/**
 * Formats a duration in milliseconds compactly for review and metrics tables: `850ms`, `45s`,
 * `12m 5s`, `1h 23m`, `2d 3h`.
 *
 * @remarks Two units at most, the smaller one dropped when zero; negative durations get a
 * leading `-`. Non-finite input gives `—`. {@link formatDuration} (`1 h 05 min`) is
 * the notifiers' form, which reads better in messages than in dense tables.
 *
 * @internal
 */
export function formatDurationCompact(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 0) return `-${formatDurationCompact(-ms)}`;
  if (ms < 1000) return `${String(Math.round(ms))}ms`;
  const totalSeconds = Math.round(ms / 1000);
  const units: readonly [number, string][] = [
    [86_400, 'd'],
    [3_600, 'h'],
    [60, 'm'],
    [1, 's'],
  ];
  for (const [i, [size, name]] of units.entries()) {
    if (totalSeconds >= size || size === 1) {
      const major = Math.floor(totalSeconds / size);
      const next = units[i + 1];
      if (next === undefined) return `${String(major)}${name}`;
      const minor = Math.floor((totalSeconds - major * size) / next[0]);
      return minor === 0 ? `${String(major)}${name}` : `${String(major)}${name} ${String(minor)}${next[1]}`;
    }
  }
  return `${String(totalSeconds)}s`;
}
