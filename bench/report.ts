/** Shared output helpers for the benchmarks: every bench prints a Markdown table. */
import { cpus } from 'node:os';

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
