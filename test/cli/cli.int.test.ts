/** `npx incidentkit`: the built CLI run as a subprocess against a SQLite file and a real PostgreSQL. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createIncidentEngine } from '../../src/createIncidentEngine.js';
import { postgresStore } from '../../src/storage/postgres.js';
import { sqliteStore } from '../../src/storage/sqlite.js';
import type { StorageAdapter } from '../../src/storage/types.js';
import { createManualClock } from '../../src/testing/manualClock.js';
import { markPostgresSuiteRan } from '../setup/postgres.js';
import { buildCli } from './builtCli.js';

const ADA = { id: 'u_ada', name: 'Ada' };
const T0 = '2026-03-02T09:00:00.000Z';

let cli: Awaited<ReturnType<typeof buildCli>>;
let dir: string;
beforeAll(async () => {
  cli = await buildCli();
  dir = mkdtempSync(join(tmpdir(), 'incidentkit-cli-'));
});
afterAll(() => {
  cli.remove();
  rmSync(dir, { recursive: true, force: true });
});

/** Three incidents on `store`: web (acknowledged after 5 min, resolved after 60), api (resolved after 30), db (open). */
async function seed(store: StorageAdapter): Promise<string[]> {
  const clock = createManualClock(T0);
  const engine = createIncidentEngine({ store, clock });
  const web = await engine.declare({ title: 'Website down', severity: 'SEV1', service: 'web', actor: ADA });
  clock.advance(5 * 60_000);
  await engine.acknowledge(web.id, { actor: ADA });
  await engine.addNote(web.id, { text: 'failing over to eu-west', actor: ADA });
  clock.advance(55 * 60_000);
  await engine.resolve(web.id, { summary: 'Failover done', actor: ADA });
  const api = await engine.declare({ title: 'API errors', severity: 'SEV2', service: 'api', actor: ADA });
  clock.advance(30 * 60_000);
  await engine.resolve(api.id, { actor: ADA });
  const db = await engine.declare({ title: 'DB slow', severity: 'SEV3', service: 'db', actor: ADA });
  // A weekly rotation of two, handing over Mondays 09:00 UTC (2026-03-02 is a Monday).
  await engine.schedules.put(
    { id: 'sre', name: 'SRE primary', timeZone: 'UTC', layers: [{ id: 'week', start: '2026-03-02T09:00', rotation: { every: { amount: 1, unit: 'weeks' } }, members: ['ana', 'ben'] }] },
    { actor: ADA },
  );
  return [web.id, api.id, db.id];
}

/** The cases, on a store the CLI reaches with `args` (and `env`), seeded through `seeded`. */
function cases(connection: () => { readonly args: string[]; readonly env?: Record<string, string> }, seeded: () => string[]) {
  const run = (...args: string[]) => cli.run([...args, ...connection().args], connection().env);

  it('lists, shows and prints timelines, as tables and as --json', async () => {
    const [web = '', api = '', db = ''] = seeded();
    const listed = await run('list', '--json');
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as { id: string }[]).map((i) => i.id).sort()).toEqual([web, api, db].sort());
    const resolved = await run('list', '--status', 'resolved', '--json');
    expect((JSON.parse(resolved.stdout) as { id: string }[]).map((i) => i.id).sort()).toEqual([web, api].sort());
    const sev3 = await run('list', '--severity', 'SEV3', '--json');
    expect((JSON.parse(sev3.stdout) as { id: string }[]).map((i) => i.id)).toEqual([db]);
    const table = await run('list', '--service', 'web');
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+STATUS\s+SEVERITY\s+SERVICE\s+DETECTED\s+TITLE$/);
    expect(table.stdout).toContain('Website down');
    expect(table.stdout).not.toContain('API errors');
    // Not a TTY: no colour codes.
    expect(table.stdout).not.toContain('\u001B[');

    const shown = await run('show', web);
    expect(shown.stdout).toMatch(/Status:\s+resolved/);
    expect(shown.stdout).toMatch(/Acknowledged:\s+2026-03-02T09:05:00.000Z/);
    expect((JSON.parse((await run('show', web, '--json')).stdout) as { id: string }).id).toBe(web);

    const timeline = await run('timeline', web);
    expect(timeline.code).toBe(0);
    expect(timeline.stdout).toContain('failing over to eu-west');
    const events = JSON.parse((await run('timeline', web, '--json')).stdout) as { seq: number; type: string }[];
    expect(events.map((e) => e.type)).toEqual(['DECLARED', 'ACKNOWLEDGED', 'NOTE_ADDED', 'RESOLVED']);
  });

  it('computes metrics by service as a table, CSV and JSON', async () => {
    const json = await run('metrics', '--by', 'service', '--json');
    expect(json.code).toBe(0);
    const result = JSON.parse(json.stdout) as { overall: { count: number }; groups: Record<string, { durations: Record<string, { mean: number | null }> }> };
    expect(result.overall.count).toBe(3);
    expect(result.groups.web?.durations.mtta?.mean).toBe(5 * 60_000);
    expect(result.groups.web?.durations.mttr?.mean).toBe(60 * 60_000);
    const csv = await run('metrics', '--by', 'service', '--format', 'csv');
    const lines = csv.stdout.trimEnd().split('\r\n');
    expect(lines[0]?.startsWith('group,count,')).toBe(true);
    expect(lines.find((l) => l.startsWith('api,'))).toContain(String(30 * 60_000));
    const table = await run('metrics', '--by', 'severity');
    expect(table.stdout).toMatch(/SEV1\s+1\s/);
    // Durations as the review and metric tables write them: MTTA 5m and MTTR 1h for the SEV1 outage.
    expect(table.stdout).toMatch(/^SEV1 +1 +0ms +0ms +5m +5m +– +– +1h +1h$/m);
    const none = await run('metrics', '--from', '2030-01-01', '--json');
    expect((JSON.parse(none.stdout) as { overall: { count: number } }).overall.count).toBe(0);
  });

  it('writes a postmortem to a file', async () => {
    const [web = ''] = seeded();
    const file = join(dir, `pm-${web}.md`);
    const written = await run('postmortem', web, '--out', file);
    expect(written.code).toBe(0);
    const markdown = readFileSync(file, 'utf8');
    expect(markdown).toMatch(/^# .*Website down/m);
    expect(markdown).toContain('failing over to eu-west');
  });

  it('tells who is on call and lists the shifts of a schedule', async () => {
    const ana = await run('oncall', 'sre', '--at', '2026-03-03T12:00:00Z', '--json');
    expect(ana.code).toBe(0);
    expect(JSON.parse(ana.stdout)).toMatchObject({ userIds: ['ana'], shift: { start: '2026-03-02T09:00:00.000Z', end: '2026-03-09T09:00:00.000Z' } });
    expect((await run('oncall', 'sre', '--at', '2026-03-10T12:00:00Z')).stdout).toMatch(/^2026-03-10T12:00:00\.000Z: ben \(shift 2026-03-09T09:00:00\.000Z to 2026-03-16T09:00:00\.000Z/);
    const shifts = await run('shifts', 'sre', '--from', '2026-03-02T09:00:00Z', '--to', '2026-03-23T09:00:00Z', '--json');
    expect((JSON.parse(shifts.stdout) as { userIds: string[] }[]).map((s) => s.userIds)).toEqual([['ana'], ['ben'], ['ana']]);
    const table = await run('shifts', 'sre', '--from', '2026-03-02T09:00:00Z', '--to', '2026-03-16T09:00:00Z');
    expect(table.stdout.split('\n')[0]).toMatch(/^START\s+END\s+WHO\s+SOURCE$/);
    expect((await run('shifts', 'sre', '--from', '2026-03-02')).code).toBe(2);
    expect((await run('oncall', 'nope')).code).toBe(1);
  });

  it('answers usage errors with exit 2 and a missing incident with exit 1', async () => {
    expect((await run('list', '--limit', 'many')).code).toBe(2);
    expect((await run('list', '--bogus')).code).toBe(2);
    expect((await run('show')).code).toBe(2);
    expect((await run('metrics', '--by', 'colour')).stderr).toContain('--by takes service, severity or type');
    const missing = await run('show', 'inc_missing');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/inc_missing/);
  });
}

describe('incidentkit CLI on a SQLite file', () => {
  let file: string;
  let ids: string[] = [];
  beforeAll(async () => {
    file = join(dir, 'incidents.db');
    const db = new Database(file);
    ids = await seed(sqliteStore(db));
    db.close();
  });

  cases(() => ({ args: ['--sqlite', file] }), () => ids);

  it('prints help for the CLI and each command, and its version', async () => {
    const help = await cli.run(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['migrate', 'import', 'list', 'show', 'timeline', 'verify', 'metrics', 'oncall', 'shifts', 'postmortem', 'drill']) expect(help.stdout).toMatch(new RegExp(`^  ${command}\\s`, 'm'));
    // The README shows this help as it is.
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(`$ npx incidentkit --help\n${help.stdout.trimEnd()}\n\`\`\``);
    const verifyHelp = await cli.run(['verify', '--help']);
    expect(verifyHelp.stdout).toContain('--all');
    expect((await cli.run([])).code).toBe(2);
    expect((await cli.run(['frobnicate'])).code).toBe(2);
    expect((await cli.run(['--version'])).stdout.trim()).toBe('0.0.0-test');
    const nowhere = await cli.run(['list']);
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toContain('INCIDENTKIT_DATABASE_URL');
  });

  it('verifies every timeline, and exits 1 naming the incident whose stored event was altered', async () => {
    const ok = await cli.run(['verify', '--all', '--sqlite', file]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('3 timelines intact');
    expect(ok.stderr).toMatch(/verified: 3 /);
    const copy = join(dir, 'tampered.db');
    const db = new Database(file);
    await db.backup(copy);
    db.close();
    const tampered = new Database(copy);
    tampered.prepare(`UPDATE incidentkit_events SET data = json_set(data, '$.text', 'nothing to see') WHERE type = 'NOTE_ADDED'`).run();
    tampered.close();
    const broken = await cli.run(['verify', '--all', '--sqlite', copy, '--json']);
    expect(broken.code).toBe(1);
    expect(JSON.parse(broken.stdout)).toEqual({ checked: 3, broken: [{ id: ids[0], brokenAt: 3, reason: 'chain' }] });
    expect((await cli.run(['verify', ids[1] ?? '', '--sqlite', copy])).code).toBe(0);
  });

  it('imports a CSV with a column mapping, reports bad rows by line and goes on, and imports nothing twice', async () => {
    const target = join(dir, 'imported.db');
    const csvFile = join(dir, 'history.csv');
    writeFileSync(
      csvFile,
      [
        'Ticket,Title,Sev,Service,Start,Ack,Fixed',
        'T-1,Checkout down,SEV1,checkout,2025-11-02T10:00:00Z,2025-11-02T10:04:00Z,2025-11-02T11:00:00Z',
        'T-2,"Login slow, then down",SEV2,auth,2025-11-03T08:00:00Z,,2025-11-03T08:30:00Z',
        'T-3,No start time,SEV3,auth,,,',
        'T-4,"Two-line',
        'title",SEV3,search,2025-11-04T09:00:00Z,2025-11-04T08:00:00Z,',
        'T-5,Search stale,SEV3,search,yesterday,,',
        'T-6,Cache cold,SEV4,cache,2025-11-05T12:00:00Z,,2025-11-05T12:20:00Z',
      ].join('\n'),
    );
    const args = ['import', csvFile, '--map', 'id=Ticket,title=Title,severity=Sev,service=Service,detectedAt=Start,acknowledgedAt=Ack,resolvedAt=Fixed', '--sqlite', target];
    const first = await cli.run([...args, '--json']);
    expect(first.code).toBe(1);
    expect(JSON.parse(first.stdout)).toMatchObject({ imported: 3, skipped: 0, failed: [{ line: 4 }, { line: 5 }, { line: 7 }] });
    expect(first.stderr).toContain(`${csvFile}:4: missing detectedAt (column 'Start').`);
    expect(first.stderr).toMatch(new RegExp(`${csvFile.replaceAll('.', '\\.')}:5: .*acknowledgedAt .* is before detectedAt`));
    expect(first.stderr).toContain(`${csvFile}:7: detectedAt 'yesterday' is not a time`);
    const listed = JSON.parse((await cli.run(['list', '--json', '--sqlite', target])).stdout) as { title: string; status: string; acknowledgedAt?: string }[];
    expect(listed.map((i) => [i.title, i.status]).sort()).toEqual([
      ['Cache cold', 'resolved'],
      ['Checkout down', 'resolved'],
      ['Login slow, then down', 'resolved'],
    ]);
    const again = await cli.run([...args, '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ imported: 0, skipped: 3 });
    expect(JSON.parse((await cli.run(['list', '--json', '--sqlite', target])).stdout)).toHaveLength(3);
    const strict = await cli.run([...args, '--strict', '--json']);
    expect(JSON.parse(strict.stdout)).toMatchObject({ imported: 0, skipped: 2, failed: [{ line: 4 }] });

    const ndjson = join(dir, 'more.ndjson');
    writeFileSync(ndjson, '{"title":"Queue backlog","severity":"SEV3","detectedAt":"2025-12-01T00:00:00Z"}\n\nnot json\n');
    const fromNdjson = await cli.run(['import', ndjson, '--sqlite', target, '--json']);
    expect(JSON.parse(fromNdjson.stdout)).toMatchObject({ imported: 1, failed: [{ line: 3 }] });
    expect((await cli.run(['import', ndjson, '--map', 'colour=Colour', '--sqlite', target])).code).toBe(2);
    expect((await cli.run(['import', join(dir, 'history.txt'), '--sqlite', target])).code).toBe(2);
  });

  it('reports migrations with --dry-run without creating anything, then applies them', async () => {
    const fresh = join(dir, 'fresh.db');
    const dry = await cli.run(['migrate', '--dry-run', '--sqlite', fresh]);
    expect(dry.code).toBe(2);
    expect(dry.stderr).toContain('Cannot open the SQLite file');
    new Database(fresh).close();
    const planned = await cli.run(['migrate', '--dry-run', '--json', '--sqlite', fresh]);
    const plan = JSON.parse(planned.stdout) as { applied: number[]; pending: number[] };
    expect(plan.applied).toEqual([]);
    expect(plan.pending.length).toBeGreaterThan(0);
    const applied = await cli.run(['migrate', '--json', '--sqlite', fresh]);
    expect(JSON.parse(applied.stdout)).toEqual({ applied: plan.pending, current: plan.pending.at(-1) });
    const again = await cli.run(['migrate', '--sqlite', fresh]);
    expect(again.stdout).toContain('The schema is current');
    expect(JSON.parse((await cli.run(['migrate', '--dry-run', '--json', '--sqlite', fresh])).stdout)).toEqual({ applied: plan.pending, pending: [] });
  });
});

const postgres = inject('postgres');
describe.skipIf(postgres.url === null)(`incidentkit CLI on PostgreSQL${postgres.url === null ? ` (skipped: ${postgres.reason})` : ''}`, () => {
  const schema = `ik_cli_${crypto.randomUUID().replaceAll('-', '').slice(0, 10)}`;
  let pool: pg.Pool;
  let ids: string[] = [];
  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: postgres.url ?? '', max: 2 });
    const store = postgresStore(pool, { schema });
    await store.migrate();
    ids = await seed(store);
  });
  afterAll(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
    markPostgresSuiteRan('cli.int');
  });

  // The URL from the environment, as a deployment sets it.
  cases(() => ({ args: ['--schema', schema], env: { INCIDENTKIT_DATABASE_URL: postgres.url ?? '' } }), () => ids);

  it('verifies every timeline and reports the schema current', async () => {
    const env = { INCIDENTKIT_DATABASE_URL: postgres.url ?? '' };
    const verified = await cli.run(['verify', '--all', '--schema', schema], env);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain('3 timelines intact');
    expect(JSON.parse((await cli.run(['migrate', '--dry-run', '--json', '--schema', schema], env)).stdout)).toMatchObject({ pending: [] });
  });
});
