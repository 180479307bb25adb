/**
 * Formats a duration in milliseconds compactly for review and metrics tables: `850ms`, `45s`,
 * `12m 5s`, `1h 23m`, `2d 3h`.
 *
 * @remarks Two units at most, the smaller one dropped when zero; negative durations get a
 * leading `-`. Non-finite input gives `—`. Internal: the core entry's `formatDuration` is the
 * notifiers' (`1 h 05 min`), which reads better in messages than in dense tables.
 *
 * @internal
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 0) return `-${formatDuration(-ms)}`;
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
