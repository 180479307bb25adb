/** `npx incidentkit drill`: the built CLI run as a subprocess, on scenario files and against a SQLite file. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIncidentEngine } from '../../src/createIncidentEngine.js';
import type { ScenarioReport } from '../../src/drills/runScenario.js';
import type { WhatIfReport } from '../../src/drills/whatIf.js';
import { sqliteStore } from '../../src/storage/sqlite.js';
import { createManualClock } from '../../src/testing/manualClock.js';
import { buildCli } from './builtCli.js';

let cli: Awaited<ReturnType<typeof buildCli>>;
let dir: string;
beforeAll(async () => {
  cli = await buildCli();
  dir = mkdtempSync(join(tmpdir(), 'incidentkit-drill-'));
});
afterAll(() => {
  cli.remove();
  rmSync(dir, { recursive: true, force: true });
});

describe('incidentkit drill <scenario.json>', () => {
  it('plays the IT outage scenario without a store and prints its pages, as text and --json', async () => {
    const text = await cli.run(['drill', 'examples/scenarios/it-website-outage.json']);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Pages: 1');
    expect(text.stdout).toMatch(/PT5M\s+site\s+1\s+schedule:web-primary\s+u_dana\s+chat, pager/);
    expect(text.stdout).toContain('Missed deadlines: 0');
    const json = await cli.run(['drill', 'examples/scenarios/it-website-outage.json', '--json']);
    const report = JSON.parse(json.stdout) as ScenarioReport;
    expect(report.pages.map((p) => [p.level, p.paged])).toEqual([[1, ['u_dana']]]);
  });

  it('exits 1 when the engine refused a step (the medication story closes too early once), 2 for a bad scenario', async () => {
    const run = await cli.run(['drill', 'examples/scenarios/healthcare-medication-error.json']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Steps refused: 1');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{\n  "name": "x",\n  "start": "2026-01-01T00:00:00Z",\n  "steps": [\n    { "at": "+5m", "do": "declare" }\n  ]\n}\n');
    const refused = await cli.run(['drill', bad]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('scenario step 0 (line 5)');
  });
});

describe('incidentkit drill --what-if', () => {
  it('replays the SQLite store’s signals under a .mjs candidate beside what happened, and refuses a .ts one it cannot import', async () => {
    const file = join(dir, 'what-if.sqlite');
    const db = new Database(file);
    const clock = createManualClock('2026-11-02T02:00:00.000Z');
    const engine = createIncidentEngine({ store: sqliteStore(db), clock, policies: { escalation: { levels: [{ afterMinutes: 5, targets: [{ kind: 'user', id: 'u_ana' }] }] } } });
    for (const fingerprint of ['disk-1', 'disk-2']) {
      await engine.ingest({ source: 'prometheus', fingerprint, status: 'firing', severity: 'SEV2', summary: `${fingerprint} full`, service: 'db', labels: {}, annotations: {}, startsAt: clock.now().toISOString(), links: [], raw: null });
    }
    clock.advance(6 * 60_000);
    await engine.tick();
    db.close();
    const config = join(dir, 'candidate.mjs');
    writeFileSync(config, `export default { ingest: { groupBy: ['service'] }, policies: { escalation: { levels: [{ afterMinutes: 30, targets: [{ kind: 'user', id: 'u_ana' }] }] } } };\n`);
    const run = await cli.run(['drill', '--what-if', config, '--from', '2026-11-02T00:00:00Z', '--to', '2026-11-02T03:00:00Z', '--sqlite', file, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as WhatIfReport;
    expect([report.candidate.incidents, report.actual?.incidents]).toEqual([1, 2]);
    expect([report.candidate.pages, report.actual?.pages]).toEqual([1, 2]);
    expect(report.actual?.pagesByPerson).toEqual({ u_ana: { pages: 2, night: 2 } });
    const text = await cli.run(['drill', '--what-if', config, '--from', '2026-11-02T00:00:00Z', '--to', '2026-11-02T03:00:00Z', '--sqlite', file]);
    expect(text.stdout).toContain('| incidents | 1 | 2 |');

    const ts = join(dir, 'candidate.ts');
    writeFileSync(ts, 'export default { ingest: { groupBy: ["service"] } } as const;\n');
    const refused = await cli.run(['drill', '--what-if', ts, '--from', '2026-11-02T00:00:00Z', '--to', '2026-11-02T03:00:00Z', '--sqlite', file]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('cannot import TypeScript');
  });
});
