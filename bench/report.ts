/** Shared output helpers for the benchmarks: every bench prints a Markdown table. */
import { cpus, loadavg } from 'node:os';

/** One measured row. */
export interface Row {
  readonly name: string;
  readonly opsPerSecond: number;
  readonly note?: string;
  /** The ratio to the baseline when measured otherwise than from the medians (e.g. the median of per-round ratios). */
  readonly ratio?: number;
}

/** Prints the machine facts the numbers depend on. */
export function printEnvironment(): void {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`Node ${process.version}, ${String(cpus().length)} × ${cpu}, ${new Date().toISOString().slice(0, 10)}\n`);
}

/** Prints rows as a Markdown table, with each row's speed relative to the baseline row. */
export function printTable(rows: readonly Row[], baseline: string): void {
  const base = rows.find((row) => row.name === baseline)?.opsPerSecond ?? Number.NaN;
  console.log('| case | ops/s | vs baseline | note |');
  console.log('| --- | ---: | ---: | --- |');
  for (const row of rows) {
    const ratio = row.ratio ?? row.opsPerSecond / base;
    console.log(
      `| ${row.name} | ${Math.round(row.opsPerSecond).toLocaleString('en-US')} | ${ratio.toFixed(2)}× | ${row.note ?? ''} |`,
    );
  }
}

/** A duration in seconds, readably: `812 ns`, `41.2 µs`, `3.05 ms`, `1.92 s`. */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'n/a';
  const [value, unit] =
    seconds < 1e-6 ? [seconds * 1e9, 'ns'] : seconds < 1e-3 ? [seconds * 1e6, 'µs'] : seconds < 1 ? [seconds * 1e3, 'ms'] : [seconds, 's'];
  return `${value >= 1000 ? value.toFixed(0) : value.toPrecision(3)} ${unit}`;
}

/** A ratio as `1.23×` (`n/a` when it is not a finite number). */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return 'n/a';
  return `${ratio >= 100 ? Math.round(ratio).toLocaleString('en-US') : ratio >= 0.1 ? ratio.toFixed(2) : ratio.toPrecision(2)}×`;
}

/** A count with thousands separators (`n/a` when it is not a finite number). */
export function formatCount(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a';
}

/** Prints a Markdown table: the first column left-aligned and the others right-aligned, unless `align` says otherwise. */
export function printMarkdown(header: readonly string[], rows: readonly (readonly string[])[], align: readonly ('left' | 'right')[] = []): void {
  console.log(`| ${header.join(' | ')} |`);
  console.log(`| ${header.map((_, i) => ((align[i] ?? (i === 0 ? 'left' : 'right')) === 'right' ? '---:' : '---')).join(' | ')} |`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

/**
 * Prints what the whole run cost (wall and CPU time since the process started) and the load
 * average: on a shared machine a wall time far above the CPU time means others were running.
 */
export function printRunCost(): void {
  const cpu = process.cpuUsage();
  const load = loadavg().map((l) => l.toFixed(1)).join(', ');
  console.log(`\nThis run: ${process.uptime().toFixed(0)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(0)} s CPU; load average now ${load}.`);
}
