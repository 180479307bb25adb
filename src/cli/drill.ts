/**
 * `incidentkit drill`: a scenario file played in a sandbox engine, or `--what-if` a candidate
 * configuration replayed over the store's past signals (or a signals file).
 */
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createScenarioEngine } from '../drills/createScenarioEngine.js';
import { runScenario, type ScenarioReport } from '../drills/runScenario.js';
import { parseScenarioJson } from '../drills/scenario.js';
import { historyFromEngine, renderWhatIfMarkdown, whatIf, type ReplaySignal, type WhatIfCandidate } from '../drills/whatIf.js';
import type { IncidentEngine } from '../incidentEngine.js';
import { cell, table } from './output.js';
import { UsageError } from './usage.js';

async function read(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read '${file}': ${error instanceof Error ? error.message : String(error)}`, error);
  }
}

/** Plays a scenario file in a sandbox engine: nothing is sent, nothing is stored. */
export async function drillScenario(file: string): Promise<ScenarioReport> {
  const scenario = parseScenarioJson(await read(file));
  const { engine, clock } = await createScenarioEngine(scenario);
  return runScenario(engine, scenario, { clock });
}

/** The report as text: steps refused, incidents, pages and missed deadlines. */
export function renderScenarioReport(report: ScenarioReport): string {
  const refused = report.steps.filter((s) => s.outcome === 'refused');
  const lines = [
    `Scenario: ${report.scenario} (${report.start} to ${report.end})`,
    '',
    `Incidents: ${String(report.incidents.length)}`,
    table(['ID', 'ALIAS', 'SEVERITY', 'STATUS', 'TITLE'], report.incidents.map((i) => [i.id, i.alias ?? '', i.severity, i.status, cell(i.title)])),
    `Pages: ${String(report.pages.length)}`,
    table(['OFFSET', 'INCIDENT', 'LEVEL', 'TARGETS', 'PAGED', 'CHANNELS'], report.pages.map((p) => [p.offset, p.alias ?? p.incidentId, String(p.level), cell(p.targets.join(', '), 40), cell(p.nobody ? 'nobody' : p.paged.join(', '), 40), [...new Set(p.deliveries.map((d) => d.channel))].join(', ')])),
    `Missed deadlines: ${String(report.breaches.length)}`,
    table(['OFFSET', 'INCIDENT', 'KIND', 'WHAT', 'DUE'], report.breaches.map((b) => [b.offset, b.alias ?? b.incidentId, b.kind, cell(b.name, 40), b.dueAt ?? ''])),
  ];
  if (refused.length > 0) lines.push(`Steps refused: ${String(refused.length)}`, ...refused.map((s) => `  step ${String(s.index)} (${s.offset}, ${s.action}): ${s.error?.message ?? ''}`), '');
  for (const incident of report.incidents) {
    lines.push(`Timeline of ${incident.alias ?? incident.id}:`, table(['OFFSET', 'WHO', 'WHAT'], incident.timeline.map((e) => [e.offset, cell(e.actor, 24), cell(e.text, 100)])));
  }
  return lines.join('\n');
}

/**
 * Loads a what-if configuration module: `.mjs`/`.js` (its default export, or `config`), or
 * `.json`. A `.ts` file is imported only where the running Node can (under tsx, or a Node with
 * type stripping); otherwise a usage error says to compile it or write it as `.mjs`.
 */
export async function loadCandidate(file: string): Promise<WhatIfCandidate> {
  const ext = extname(file);
  if (ext === '.json') return JSON.parse(await read(file)) as WhatIfCandidate;
  if (!['.mjs', '.js', '.cjs', '.ts', '.mts', '.cts'].includes(ext)) throw new UsageError(`--what-if takes a .mjs, .js or .json configuration, not '${file}'.`);
  let module: { default?: unknown; config?: unknown };
  try {
    module = (await import(pathToFileURL(resolve(file)).href)) as typeof module;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (ext.endsWith('ts') && code === 'ERR_UNKNOWN_FILE_EXTENSION') {
      throw new UsageError(`This Node cannot import TypeScript ('${file}'): compile it to .mjs, write the configuration as .mjs or .json, or run the CLI with tsx (npx tsx node_modules/incidentkit/dist/cli.js …).`, error);
    }
    throw new UsageError(`Cannot load the configuration '${file}': ${error instanceof Error ? error.message : String(error)}`, error);
  }
  const candidate = module.default ?? module.config;
  if (typeof candidate !== 'object' || candidate === null) throw new UsageError(`'${file}' must export the candidate configuration as its default export (or as 'config').`);
  return candidate;
}

/** Signals from a `.json` array or `.ndjson` lines: each a signal (arriving at `startsAt`, or `endsAt` when resolved) or `{ at, signal }`. */
export async function loadSignals(file: string): Promise<ReplaySignal[]> {
  const text = await read(file);
  const items: unknown[] = [];
  if (extname(file) === '.json') {
    const parsed = JSON.parse(text) as unknown;
    if (!Array.isArray(parsed)) throw new UsageError(`'${file}' must hold a JSON array of signals.`);
    items.push(...(parsed as unknown[]));
  } else {
    for (const [index, line] of text.split('\n').entries()) {
      if (line.trim() === '') continue;
      try {
        items.push(JSON.parse(line));
      } catch {
        throw new UsageError(`${file}:${String(index + 1)}: not a JSON object.`);
      }
    }
  }
  return items.map((item, index) => {
    const record = (typeof item === 'object' && item !== null ? item : {}) as { at?: unknown; signal?: unknown; startsAt?: unknown; endsAt?: unknown; status?: unknown };
    if (typeof record.at === 'string' && typeof record.signal === 'object') return record as ReplaySignal;
    const at = record.status === 'resolved' && typeof record.endsAt === 'string' ? record.endsAt : record.startsAt;
    if (typeof at !== 'string') throw new UsageError(`${file}: signal ${String(index + 1)} has no startsAt (or give { "at", "signal" }).`);
    return { at, signal: record as ReplaySignal['signal'] };
  });
}

/** `--what-if`: the candidate replayed over the window, beside what the store recorded. */
export async function drillWhatIf(engine: IncidentEngine, options: { readonly config: string; readonly from: string; readonly to: string; readonly signals?: string | undefined }) {
  const candidate = await loadCandidate(options.config);
  const window = { from: options.from, to: options.to };
  const history = await historyFromEngine(engine, window);
  const signals = options.signals === undefined ? history.signals : await loadSignals(options.signals);
  const report = await whatIf({ ...window, signals, history, candidate });
  return { report, markdown: renderWhatIfMarkdown(report) };
}
