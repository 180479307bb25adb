/**
 * `npx incidentkit …`: operate the incidents of a store from a shell. {@link runCli} takes the
 * arguments and where to write, and resolves to the exit code (0 done, 1 the command failed,
 * 2 a usage error), so it runs the same in a test as from `bin.ts`.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { createIncidentEngine } from '../createIncidentEngine.js';
import { isIncidentKitError } from '../errors.js';
import { buildPostmortem } from '../features/review/buildPostmortem.js';
import { renderPostmortemMarkdown } from '../features/review/renderPostmortemMarkdown.js';
import { describeEvent } from '../lifecycle/describeEvent.js';
import { computeMetrics } from '../metrics/computeMetrics.js';
import type { MetricsGroup } from '../metrics/types.js';
import { openStore, storeTarget, type OpenStore } from './connect.js';
import { drillScenario, drillWhatIf, renderScenarioReport } from './drill.js';
import { IMPORT_FIELDS, importFile, parseMapping } from './importFile.js';
import { cell, colours, csv, formatMs, progress, table, type CliIo } from './output.js';
import { EXIT, UsageError } from './usage.js';

type Engine = ReturnType<typeof createIncidentEngine>;
type Values = Readonly<Record<string, string | boolean | undefined>>;

/** What every command takes: where the store is and which tenant. */
const CONNECTION = {
  sqlite: { type: 'string' },
  postgres: { type: 'string' },
  schema: { type: 'string' },
  tenant: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

const CONNECTION_HELP = `Store (one of):
  --sqlite <file>      a SQLite file (created and migrated if new)
  --postgres <url>     a PostgreSQL URL (default: $INCIDENTKIT_DATABASE_URL)
  --schema <name>      the PostgreSQL schema (default: public)
  --tenant <id>        the tenant (default: default)
  --json               machine-readable output
  -h, --help           this help`;

interface Command {
  readonly summary: string;
  readonly usage: string;
  readonly options?: ParseArgsConfig['options'];
  readonly help: string;
  /** How many positional arguments: [least, most]. */
  readonly positionals: readonly [number, number];
  readonly run: (context: CommandContext) => Promise<number>;
  /** Opens the store without migrating (the command migrates or reports itself). */
  readonly lookOnly?: boolean;
  /** Whether the command needs a store with these options (default: always). */
  readonly needsStore?: (values: Values) => boolean;
}

interface CommandContext {
  readonly io: CliIo;
  readonly values: Values;
  readonly positionals: readonly string[];
  readonly open: OpenStore;
  /** The engine over the store; throws a usage error for a command that opened none. */
  readonly engine: () => Engine;
  readonly paint: ReturnType<typeof colours>;
  readonly out: (text: string) => void;
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
const str = (values: Values, name: string): string | undefined => (typeof values[name] === 'string' ? values[name] : undefined);

function statusColour(paint: CommandContext['paint'], status: string): string {
  return ['resolved', 'closed', 'canceled'].includes(status) ? paint('green', status) : ['triggered', 'declared'].includes(status) ? paint('red', status) : paint('yellow', status);
}

const COMMANDS: Readonly<Record<string, Command>> = {
  migrate: {
    summary: 'apply the store schema migrations and report them',
    usage: 'incidentkit migrate [--dry-run]',
    options: { 'dry-run': { type: 'boolean' } },
    help: '  --dry-run            list the migrations that would be applied, change nothing',
    positionals: [0, 0],
    lookOnly: true,
    async run({ values, open, out }) {
      if (values['dry-run'] === true) {
        const { applied, pending } = await open.migrations();
        if (values.json === true) out(json({ applied, pending: pending.map((p) => p.version) }));
        else out(`Applied: ${applied.length === 0 ? 'none' : applied.join(', ')}\nWould apply: ${pending.length === 0 ? 'nothing, the schema is current' : pending.map((p) => `${String(p.version)} ${p.name}`).join(', ')}\n`);
        return EXIT.ok;
      }
      // Opened without migrating for --dry-run; open it again to migrate.
      await open.close();
      const store = await openStore(open.target);
      try {
        const done = await store.migrate();
        const { applied } = await store.migrations();
        if (values.json === true) out(json({ applied: done, current: applied.at(-1) ?? 0 }));
        else out(done.length === 0 ? `The schema is current (version ${String(applied.at(-1) ?? 0)}).\n` : `Applied ${done.join(', ')}; the schema is at version ${String(applied.at(-1) ?? 0)}.\n`);
      } finally {
        await store.close();
      }
      return EXIT.ok;
    },
  },
  import: {
    summary: 'import past incidents from CSV, JSON or NDJSON (a re-run imports nothing twice)',
    usage: 'incidentkit import <file.csv|.json|.ndjson> [--map field=Column,…] [--strict]',
    options: { map: { type: 'string' }, strict: { type: 'boolean' } },
    help: `  --map <pairs>        which column holds which field, e.g. title=Title,detectedAt=Start
                       (fields: ${IMPORT_FIELDS.join(', ')}; a field
                       without a pair is read from the column of its own name)
  --strict             stop at the first bad row (default: report it and go on)
A row needs title, severity and detectedAt. Exit 1 when any row failed.`,
    positionals: [1, 1],
    async run({ values, positionals, engine, out, io }) {
      const report = await importFile(io, positionals[0] ?? '', {
        mapping: parseMapping(str(values, 'map')),
        strict: values.strict === true,
        importIncident: (input) => engine().importIncident(input),
      });
      if (values.json === true) out(json(report));
      else out(`Imported ${String(report.imported)}, already there ${String(report.skipped)}, failed ${String(report.failed.length)}.\n`);
      return report.failed.length === 0 ? EXIT.ok : EXIT.failure;
    },
  },
  list: {
    summary: 'list incidents, newest first',
    usage: 'incidentkit list [--status s] [--severity s] [--service s] [--open] [--limit n]',
    options: { status: { type: 'string', multiple: true }, severity: { type: 'string', multiple: true }, service: { type: 'string', multiple: true }, open: { type: 'boolean' }, limit: { type: 'string' } },
    help: `  --status <s>         only this status (repeatable)
  --severity <s>       only this severity (repeatable)
  --service <s>        only this service (repeatable)
  --open               only incidents not closed or canceled
  --limit <n>          at most n (1 to 1000, default 50)`,
    positionals: [0, 0],
    async run({ values, engine, out, paint }) {
      const limit = integer(str(values, 'limit') ?? '50', '--limit', 1, 1_000);
      const many = (name: string): string[] | undefined => (Array.isArray(values[name]) ? (values[name]) : undefined);
      const page = await engine().list({
        limit,
        ...(many('status') === undefined ? {} : { status: many('status') as never }),
        ...(many('severity') === undefined ? {} : { severity: many('severity') }),
        ...(many('service') === undefined ? {} : { service: many('service') }),
        ...(values.open === true ? { open: true } : {}),
      });
      if (values.json === true) {
        out(json(page.items));
        return EXIT.ok;
      }
      out(table(['ID', 'STATUS', 'SEVERITY', 'SERVICE', 'DETECTED', 'TITLE'], page.items.map((i) => [i.id, statusColour(paint, i.status), i.severity, cell(i.service, 24), i.detectedAt, cell(i.title)])));
      if (page.nextCursor !== undefined) out(paint('dim', `(more: raise --limit)\n`));
      return EXIT.ok;
    },
  },
  show: {
    summary: 'one incident',
    usage: 'incidentkit show <id>',
    help: '',
    positionals: [1, 1],
    async run({ values, positionals, engine, out, paint }) {
      const incident = await engine().get(positionals[0] ?? '');
      if (values.json === true) {
        out(json(incident));
        return EXIT.ok;
      }
      const rows: [string, string | undefined][] = [
        ['Title', incident.title],
        ['Status', statusColour(paint, incident.status)],
        ['Severity', incident.severity],
        ['Service', incident.service],
        ['Type', incident.type],
        ['Detected', incident.detectedAt],
        ['Acknowledged', incident.acknowledgedAt],
        ['Mitigated', incident.mitigatedAt],
        ['Resolved', incident.resolvedAt],
        ['Closed', incident.closedAt],
        ['Roles', Object.entries(incident.roles).map(([role, holder]) => `${role}: ${holder.assignee.name ?? holder.assignee.id}`).join(', ') || undefined],
        ['Action items', incident.actionItems.length === 0 ? undefined : String(incident.actionItems.length)],
      ];
      out(`${paint('bold', incident.id)}\n${rows.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `  ${`${k}:`.padEnd(14)}${cell(v, 200)}`).join('\n')}\n`);
      return EXIT.ok;
    },
  },
  timeline: {
    summary: "an incident's timeline, oldest first",
    usage: 'incidentkit timeline <id>',
    help: '',
    positionals: [1, 1],
    async run({ values, positionals, engine, out }) {
      const id = positionals[0] ?? '';
      const [incident, events] = await Promise.all([engine().get(id), engine().timeline(id)]);
      if (values.json === true) {
        out(json(events));
        return EXIT.ok;
      }
      out(table(['SEQ', 'AT', 'WHO', 'WHAT'], events.map((e) => [String(e.seq), e.at, cell(e.actor.name ?? e.actor.id, 24), cell(describeEvent(e, incident, (text) => text, (actor) => actor.name ?? actor.id), 100)])));
      return EXIT.ok;
    },
  },
  verify: {
    summary: "check incidents' hash-chained timelines (exit 1 on any break)",
    usage: 'incidentkit verify <id> | --all',
    options: { all: { type: 'boolean' } },
    help: '  --all                every incident of the tenant, with progress on stderr',
    positionals: [0, 1],
    async run({ values, positionals, engine, out, io, paint }) {
      const all = values.all === true;
      if (all === (positionals.length > 0)) throw new UsageError('Give one incident id, or --all.');
      const broken: { id: string; brokenAt: number; reason?: string }[] = [];
      let checked = 0;
      const check = async (id: string): Promise<void> => {
        const result = await engine().verifyTimeline(id);
        checked += 1;
        if (!result.ok) broken.push({ id, brokenAt: result.brokenAt, ...(result.reason === undefined ? {} : { reason: result.reason }) });
      };
      if (all) {
        const bar = progress(io, 'verified', undefined, 1_000);
        for await (const incident of engine().scan()) {
          await check(incident.id);
          bar.tick();
        }
        bar.done();
      } else {
        await check(positionals[0] ?? '');
      }
      if (values.json === true) out(json({ checked, broken }));
      else if (broken.length === 0) out(paint('green', `${String(checked)} timeline${checked === 1 ? '' : 's'} intact.\n`));
      else out(paint('red', `${String(broken.length)} of ${String(checked)} broken:\n`) + broken.map((b) => `  ${b.id}: at seq ${String(b.brokenAt)} (${b.reason ?? 'chain'})\n`).join(''));
      return broken.length === 0 ? EXIT.ok : EXIT.failure;
    },
  },
  metrics: {
    summary: 'MTTA, MTTR and more, overall or by group',
    usage: 'incidentkit metrics [--by service|severity|type] [--from t] [--to t] [--format table|csv|json] [--include-drills]',
    options: { by: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, format: { type: 'string' }, 'include-drills': { type: 'boolean' } },
    help: `  --by <key>           group by service, severity or type
  --from <time>        incidents from this ISO-8601 time
  --to <time>          incidents before this ISO-8601 time
  --format <f>         table (default), csv or json (--json is json)
  --include-drills     count drills too (left out by default)`,
    positionals: [0, 0],
    async run({ values, engine, out }) {
      const by = str(values, 'by');
      if (by !== undefined && !['service', 'severity', 'type'].includes(by)) throw new UsageError(`--by takes service, severity or type, not '${by}'.`);
      const format = values.json === true ? 'json' : (str(values, 'format') ?? 'table');
      if (!['table', 'csv', 'json'].includes(format)) throw new UsageError(`--format takes table, csv or json, not '${format}'.`);
      const from = time(str(values, 'from'), '--from');
      const to = time(str(values, 'to'), '--to');
      const result = await computeMetrics(engine().scan(), {
        ...(by === undefined ? {} : { groupBy: by as 'service' }),
        ...(from === undefined ? {} : { from }),
        ...(to === undefined ? {} : { to }),
        ...(values['include-drills'] === true ? { includeDrills: true } : {}),
      });
      if (format === 'json') {
        out(json(result));
        return EXIT.ok;
      }
      const names = Object.keys(result.definitions);
      const groups: [string, MetricsGroup][] = [['(all)', result.overall], ...Object.entries(result.groups)];
      const header = ['GROUP', 'COUNT', ...names.flatMap((n) => [`${n.toUpperCase()} MEAN`, `${n.toUpperCase()} P90`])];
      if (format === 'csv') {
        out(csv(['group', 'count', ...names.flatMap((n) => [`${n}_mean_ms`, `${n}_p90_ms`])], groups.map(([key, g]) => [key, String(g.count), ...names.flatMap((n) => [String(g.durations[n]?.mean ?? ''), String(g.durations[n]?.p90 ?? '')])])));
        return EXIT.ok;
      }
      out(table(header, groups.map(([key, g]) => [cell(key, 30), String(g.count), ...names.flatMap((n) => [formatMs(g.durations[n]?.mean), formatMs(g.durations[n]?.p90)])])));
      return EXIT.ok;
    },
  },
  oncall: {
    summary: 'who is on call on a schedule, now or at a time',
    usage: 'incidentkit oncall <scheduleId> [--at t]',
    options: { at: { type: 'string' } },
    help: '  --at <time>          an ISO-8601 time (default: now)',
    positionals: [1, 1],
    async run({ values, positionals, engine, out }) {
      const at = time(str(values, 'at'), '--at') ?? new Date().toISOString();
      const onCall = await engine().schedules.whoIsOnCall(positionals[0] ?? '', at);
      if (values.json === true) out(json({ at, ...onCall }));
      else {
        out(`${at}: ${people(onCall.userIds)}${onCall.shift === null ? '' : ` (shift ${onCall.shift.start} to ${onCall.shift.end}, ${onCall.source})`}\n`);
      }
      return EXIT.ok;
    },
  },
  shifts: {
    summary: "a schedule's shifts in a time range",
    usage: 'incidentkit shifts <scheduleId> --from t --to t',
    options: { from: { type: 'string' }, to: { type: 'string' } },
    help: `  --from <time>        the range's start (ISO-8601)
  --to <time>          the range's end (ISO-8601)`,
    positionals: [1, 1],
    async run({ values, positionals, engine, out }) {
      const from = time(str(values, 'from'), '--from');
      const to = time(str(values, 'to'), '--to');
      if (from === undefined || to === undefined) throw new UsageError('shifts needs --from and --to.');
      const shifts = await engine().schedules.render(positionals[0] ?? '', { from, to });
      if (values.json === true) out(json(shifts));
      else out(table(['START', 'END', 'WHO', 'SOURCE'], shifts.map((s) => [s.start, s.end, cell(people(s.userIds), 60), s.source])));
      return EXIT.ok;
    },
  },
  postmortem: {
    summary: "an incident's postmortem as Markdown",
    usage: 'incidentkit postmortem <id> [--out file.md]',
    options: { out: { type: 'string' } },
    help: '  --out <file>         write it to this file instead of stdout',
    positionals: [1, 1],
    async run({ values, positionals, engine, out }) {
      const id = positionals[0] ?? '';
      const [incident, events] = await Promise.all([engine().get(id), engine().timeline(id)]);
      const postmortem = buildPostmortem(incident, events);
      const text = values.json === true ? json(postmortem) : renderPostmortemMarkdown(postmortem);
      const file = str(values, 'out');
      if (file === undefined) out(text);
      else {
        await writeFile(file, text, 'utf8');
        out(`Wrote ${file}\n`);
      }
      return EXIT.ok;
    },
  },
  drill: {
    summary: 'play a scenario in a sandbox, or replay past signals under a candidate configuration (--what-if)',
    usage: 'incidentkit drill <scenario.json> | --what-if <config.mjs|.json> --from t --to t [--signals file.ndjson]',
    options: { 'what-if': { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, signals: { type: 'string' } },
    help: `  <scenario.json>      a scenario (docs/drills.md), played on a manual clock in an in-memory
                       engine with recording channels: nothing is sent, no store is needed
  --what-if <file>     a candidate configuration (.mjs or .js: its default export; or .json),
                       replayed over the store's signals of the window, beside what happened
  --from <time>        the window's start (ISO-8601)
  --to <time>          the window's end (ISO-8601)
  --signals <file>     replay these signals (.ndjson or .json) instead of the store's
A .ts configuration needs a Node that can import TypeScript (e.g. run under tsx); else compile it.`,
    positionals: [0, 1],
    needsStore: (values) => typeof values['what-if'] === 'string',
    async run({ values, positionals, engine, out }) {
      const config = str(values, 'what-if');
      if (config === undefined) {
        if (positionals.length !== 1) throw new UsageError('drill takes a scenario file, or --what-if <config> --from t --to t.');
        const report = await drillScenario(positionals[0] ?? '');
        out(values.json === true ? json(report) : renderScenarioReport(report));
        return report.steps.some((s) => s.outcome === 'refused') ? EXIT.failure : EXIT.ok;
      }
      if (positionals.length > 0) throw new UsageError('Give a scenario file or --what-if, not both.');
      const from = time(str(values, 'from'), '--from');
      const to = time(str(values, 'to'), '--to');
      if (from === undefined || to === undefined) throw new UsageError('drill --what-if needs --from and --to.');
      const { report, markdown } = await drillWhatIf(engine(), { config, from, to, signals: str(values, 'signals') });
      out(values.json === true ? json(report) : markdown);
      return EXIT.ok;
    },
  },
};

/** Who is on call, in words. */
function people(userIds: readonly string[]): string {
  return userIds.length === 0 ? 'nobody' : userIds.join(', ');
}

function integer(text: string, name: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name} takes a whole number from ${String(min)} to ${String(max)}, not '${text}'.`);
  return n;
}

function time(text: string | undefined, name: string): string | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new UsageError(`${name} takes an ISO-8601 time such as 2026-01-31 or 2026-01-31T12:00:00Z, not '${text}'.`);
  return new Date(ms).toISOString();
}

function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return `Usage: incidentkit <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
  .join('\n')}

${CONNECTION_HELP}

Exit codes: 0 done, 1 the command failed (e.g. a broken timeline), 2 a usage error.
Run 'incidentkit <command> --help' for a command's options.
`;
}

function commandHelp(name: string, command: Command): string {
  return `Usage: ${command.usage}\n\n${command.summary[0]?.toUpperCase() ?? ''}${command.summary.slice(1)}.\n\n${command.help === '' ? '' : `Options:\n${command.help}\n\n`}${CONNECTION_HELP}\n`.replace(`${name} ${name}`, name);
}

/**
 * Runs the CLI with `argv` (without `node` and the script) and resolves to its exit code.
 * Writes results to `io.stdout`, errors and progress to `io.stderr`.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  const out = (text: string): void => void io.stdout.write(text);
  const fail = (message: string, code: number): number => {
    io.stderr.write(`incidentkit: ${message}\n`);
    return code;
  };
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out(mainHelp());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    out(`${typeof __INCIDENTKIT_VERSION__ === 'string' ? __INCIDENTKIT_VERSION__ : 'development'}\n`);
    return EXIT.ok;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) return fail(`unknown command '${name}'. Run 'incidentkit --help' for the list.`, EXIT.usage);
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...rest], options: { ...CONNECTION, ...command.options }, allowPositionals: true, strict: true });
  } catch (error) {
    return fail(`${error instanceof Error ? error.message : String(error)}\nRun 'incidentkit ${name} --help' for its options.`, EXIT.usage);
  }
  if (parsed.values.help === true) {
    out(commandHelp(name, command));
    return EXIT.ok;
  }
  const [least, most] = command.positionals;
  if (parsed.positionals.length < least || parsed.positionals.length > most) {
    return fail(`${name} takes ${least === most ? String(least) : `${String(least)} to ${String(most)}`} argument${most === 1 ? '' : 's'}: ${command.usage}`, EXIT.usage);
  }
  let open: OpenStore | undefined;
  try {
    const where: { sqlite?: string; postgres?: string; schema?: string } = {};
    for (const key of ['sqlite', 'postgres', 'schema'] as const) {
      const value = str(parsed.values, key);
      if (value !== undefined) where[key] = value;
    }
    const needsStore = command.needsStore?.(parsed.values) ?? true;
    if (needsStore) open = await openStore(storeTarget(where, io.env), command.lookOnly === true ? { migrate: false } : {});
    const store = open;
    let engine: Engine | undefined;
    const tenant = str(parsed.values, 'tenant');
    const noStore = (): never => {
      throw new UsageError(`${name} opens no store with these options.`);
    };
    return await command.run({
      io,
      values: parsed.values,
      positionals: parsed.positionals,
      open: store ?? (new Proxy({}, { get: noStore }) as OpenStore),
      engine: () => (engine ??= createIncidentEngine({ store: store?.store ?? noStore(), ...(tenant === undefined ? {} : { tenantId: tenant }) })),
      paint: colours(io),
      out,
    });
  } catch (error) {
    if (error instanceof UsageError) return fail(error.message, EXIT.usage);
    if (isIncidentKitError(error, 'NOT_FOUND')) return fail(error.message, EXIT.failure);
    if (isIncidentKitError(error)) return fail(`${error.code}: ${error.message}`, EXIT.failure);
    return fail(error instanceof Error ? (error.stack ?? error.message) : String(error), EXIT.failure);
  } finally {
    await open?.close().catch(() => undefined);
  }
}

declare const __INCIDENTKIT_VERSION__: string;
