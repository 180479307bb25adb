/**
 * `incidentkit import <file>`: past incidents from CSV, JSON (an array of objects) or NDJSON,
 * each row through `engine.importIncident`, with a column mapping. A bad row is reported with
 * its line number and the rest continue (`--strict` stops at the first); a re-run imports
 * nothing twice, because each row's incident id is derived from its `id` column (or, without
 * one, from the row itself).
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { sha256Hex } from '../kernel/hash.js';
import type { ImportIncidentInput } from '../engine/commands.js';
import { isIncidentKitError } from '../errors.js';
import { progress, type CliIo } from './output.js';
import { UsageError } from './usage.js';

/** The fields a column can be mapped to. */
export const IMPORT_FIELDS = [
  'id',
  'title',
  'severity',
  'service',
  'summary',
  'rootCause',
  'startedAt',
  'detectedAt',
  'acknowledgedAt',
  'mitigatedAt',
  'diagnosedAt',
  'resolvedAt',
  'closedAt',
] as const;
type ImportField = (typeof IMPORT_FIELDS)[number];
const MILESTONES: ReadonlySet<string> = new Set(['startedAt', 'detectedAt', 'acknowledgedAt', 'mitigatedAt', 'diagnosedAt', 'resolvedAt', 'closedAt']);

/** One row of the file: its line and its columns. */
interface Row {
  readonly line: number;
  readonly columns: Readonly<Record<string, unknown>>;
}

/** `--map title=Title,startedAt=Start` as field → column. */
export function parseMapping(text: string | undefined): ReadonlyMap<ImportField, string> {
  const mapping = new Map<ImportField, string>();
  if (text === undefined) return mapping;
  for (const pair of text.split(',')) {
    const at = pair.indexOf('=');
    const field = pair.slice(0, at).trim();
    const column = pair.slice(at + 1).trim();
    if (at < 1 || column === '') throw new UsageError(`--map takes field=Column pairs separated by commas, e.g. title=Title,detectedAt=Start; not '${pair}'.`);
    if (!(IMPORT_FIELDS as readonly string[]).includes(field)) throw new UsageError(`--map: '${field}' is not a field; the fields are ${IMPORT_FIELDS.join(', ')}.`);
    mapping.set(field as ImportField, column);
  }
  return mapping;
}

/** The rows of `text`, by the file's extension. */
export function readRows(file: string, text: string): Row[] {
  const lower = file.toLowerCase();
  if (lower.endsWith('.csv')) {
    const records = parse<{ record: Record<string, string>; info: { lines: number }; raw: string }>(text, { columns: true, skip_empty_lines: true, bom: true, info: true, raw: true, relax_column_count: false });
    return records.map(({ record, info, raw }) => ({ line: info.lines - (raw.replace(/\r?\n$/, '').split('\n').length - 1), columns: record }));
  }
  if (lower.endsWith('.ndjson') || lower.endsWith('.jsonl')) {
    return text.split('\n').flatMap((line, index) => {
      if (line.trim() === '') return [];
      try {
        return [{ line: index + 1, columns: object(JSON.parse(line)) }];
      } catch (error) {
        return [{ line: index + 1, columns: { __error: error instanceof Error ? error.message : String(error) } }];
      }
    });
  }
  if (lower.endsWith('.json')) {
    const value: unknown = JSON.parse(text);
    if (!Array.isArray(value)) throw new UsageError(`${file} must hold a JSON array of objects.`);
    // Objects of a JSON array have no line each: number them from 1 as `line`.
    return value.map((item: unknown, index) => ({ line: index + 1, columns: object(item) }));
  }
  throw new UsageError(`Cannot tell the format of '${file}': name it .csv, .json, .ndjson or .jsonl.`);
}

function object(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { __error: 'not a JSON object' };
  return value as Record<string, unknown>;
}

/** A row as `importIncident` input (without the actor), or why not. */
async function toInput(row: Row, mapping: ReadonlyMap<ImportField, string>): Promise<{ readonly input: Omit<ImportIncidentInput, 'actor'> } | { readonly error: string }> {
  if (typeof row.columns.__error === 'string') return { error: row.columns.__error };
  const value = (field: ImportField): string | undefined => {
    const raw = row.columns[mapping.get(field) ?? field];
    if (raw === undefined || raw === null) return undefined;
    const text = (typeof raw === 'string' ? raw : typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : JSON.stringify(raw)).trim();
    return text === '' ? undefined : text;
  };
  const milestones: Record<string, string> = {};
  for (const field of IMPORT_FIELDS) {
    if (!MILESTONES.has(field)) continue;
    const text = value(field);
    if (text === undefined) continue;
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) return { error: `${field} '${text}' is not a time (use ISO-8601, e.g. 2026-01-31T12:00:00Z).` };
    milestones[field] = new Date(ms).toISOString();
  }
  const title = value('title');
  const severity = value('severity');
  const missing = [title === undefined ? `title (column '${mapping.get('title') ?? 'title'}')` : undefined, severity === undefined ? `severity (column '${mapping.get('severity') ?? 'severity'}')` : undefined, milestones.detectedAt === undefined ? `detectedAt (column '${mapping.get('detectedAt') ?? 'detectedAt'}')` : undefined].filter((m) => m !== undefined);
  if (missing.length > 0) return { error: `missing ${missing.join(', ')}.` };
  // The same row (or the same id) gets the same incident id on every run.
  const key = value('id') ?? JSON.stringify(Object.entries(row.columns).sort(([a], [b]) => (a < b ? -1 : 1)));
  const id = `inc_imp_${(await sha256Hex(key)).slice(0, 32)}`;
  const optional = (field: 'service' | 'summary' | 'rootCause') => (value(field) === undefined ? {} : { [field]: value(field) });
  return {
    input: {
      id,
      title: title ?? '',
      severity: severity ?? '',
      ...optional('service'),
      ...optional('summary'),
      ...optional('rootCause'),
      milestones: milestones as ImportIncidentInput['milestones'],
    },
  };
}

/** What an import did. */
export interface ImportReport {
  readonly imported: number;
  /** Rows imported by an earlier run (their incident exists). */
  readonly skipped: number;
  readonly failed: readonly { readonly line: number; readonly message: string }[];
}

/** Imports `file` through `importIncident`, reporting bad rows on stderr as it goes. */
export async function importFile(
  io: CliIo,
  file: string,
  options: { readonly mapping: ReadonlyMap<ImportField, string>; readonly strict: boolean; readonly importIncident: (input: ImportIncidentInput) => Promise<unknown> },
): Promise<ImportReport> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read '${file}': ${error instanceof Error ? error.message : String(error)}`, error);
  }
  let rows: Row[];
  try {
    rows = readRows(file, text);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`Cannot parse '${file}': ${error instanceof Error ? error.message : String(error)}`, error);
  }
  const bar = progress(io, 'imported', rows.length, 1_000);
  let imported = 0;
  let skipped = 0;
  const failed: { line: number; message: string }[] = [];
  for (const row of rows) {
    const made = await toInput(row, options.mapping);
    let message: string | undefined;
    if ('error' in made) message = made.error;
    else {
      try {
        await options.importIncident({ ...made.input, actor: { kind: 'system', id: 'incidentkit-cli', name: 'incidentkit import' } });
        imported += 1;
      } catch (error) {
        if (isIncidentKitError(error, 'VERSION_CONFLICT')) skipped += 1;
        else if (isIncidentKitError(error)) message = error.message;
        else throw error;
      }
    }
    if (message !== undefined) {
      failed.push({ line: row.line, message });
      io.stderr.write(`${io.stderr.isTTY === true ? '\r\u001B[2K' : ''}${file}:${String(row.line)}: ${message}\n`);
      if (options.strict) break;
    }
    bar.tick();
  }
  bar.done();
  return { imported, skipped, failed };
}
