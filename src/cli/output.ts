/**
 * How the CLI writes: colour only on a TTY (and never with `NO_COLOR`), tables aligned for a
 * terminal, CSV quoted per RFC 4180, and a progress line (count, rate, ETA) that redraws itself
 * on a TTY and prints plain lines otherwise.
 */

import { truncate } from '../kernel/text.js';
import { formatDurationCompact } from '../kernel/timeFormat.js';

/** Where the CLI writes and what it knows of the terminal. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Milliseconds, for rates and ETAs (tests pass a fake). Default: `Date.now`. */
  readonly now?: () => number;
}

const CODES = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39] } as const;

/** A colour function for `io.stdout`: a no-op off a TTY or with `NO_COLOR` set. */
export function colours(io: CliIo): (style: keyof typeof CODES, text: string) => string {
  const on = io.stdout.isTTY === true && (io.env.NO_COLOR ?? '') === '' && io.env.TERM !== 'dumb';
  return (style, text) => (on ? `\u001B[${String(CODES[style][0])}m${text}\u001B[${String(CODES[style][1])}m` : text);
}

const GRAPHEMES = /* @__PURE__ */ new Intl.Segmenter('en', { granularity: 'grapheme' });

/** Visible width of `text` (escape sequences excluded). */
function width(text: string): number {
  // eslint-disable-next-line no-control-regex -- strips the SGR sequences `colours` writes
  return [...GRAPHEMES.segment(text.replace(/\u001B\[\d+m/g, ''))].length;
}

/** Rows aligned in columns, the header underlined with dashes. Cells must be one line. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - width(cell))))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Rows as CSV with a header line, CRLF line ends. */
export function csv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** Text for one table cell: control characters and line breaks shown as spaces, cut to `max`. */
export function cell(text: string | undefined, max = 60): string {
  // eslint-disable-next-line no-control-regex -- terminal safety: no escape sequences from stored text
  return truncate((text ?? '').replace(/[\u0000-\u001F\u007F-\u009F]/g, ' '), max);
}

/** Reports progress of `total` steps (unknown: `undefined`) on stderr. */
export interface Progress {
  tick(count?: number): void;
  done(): void;
}

/**
 * A progress report on stderr: on a TTY one line redrawn at most every 100 ms with a bar, the
 * count, the rate and the ETA; otherwise a plain line every `every` steps and at the end.
 */
export function progress(io: CliIo, label: string, total: number | undefined, every = 1_000): Progress {
  const now = io.now ?? Date.now;
  const started = now();
  const tty = io.stderr.isTTY === true;
  let count = 0;
  let drawn = 0;
  const describe = (): string => {
    const seconds = Math.max((now() - started) / 1_000, 1e-3);
    const rate = count / seconds;
    const left = total === undefined || rate === 0 ? undefined : (total - count) / rate;
    const eta = left === undefined ? '' : `, ETA ${formatDurationCompact(Math.round(left) * 1_000)}`;
    const of = total === undefined ? String(count) : `${String(count)}/${String(total)}`;
    return `${label}: ${of} (${rate >= 100 ? Math.round(rate).toLocaleString('en') : rate.toFixed(1)}/s${count === total ? '' : eta})`;
  };
  const bar = (): string => {
    if (total === undefined || total === 0) return '';
    const filled = Math.round((Math.min(count, total) / total) * 24);
    return `[${'#'.repeat(filled)}${'.'.repeat(24 - filled)}] `;
  };
  return {
    tick(step = 1) {
      count += step;
      if (tty) {
        const t = now();
        if (t - drawn >= 100) {
          drawn = t;
          io.stderr.write(`\r\u001B[2K${bar()}${describe()}`);
        }
      } else if (Math.floor(count / every) !== Math.floor((count - step) / every)) {
        io.stderr.write(`${describe()}\n`);
      }
    },
    done() {
      io.stderr.write(tty ? `\r\u001B[2K${bar()}${describe()}\n` : `${describe()}\n`);
    },
  };
}

/** Milliseconds as a short duration, as the review and metric tables write it (`4m 12s`); `–` for none. */
export function formatMs(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '–' : formatDurationCompact(ms);
}
