import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createIncidentEngine } from '../../src/createIncidentEngine.js';
import { createScenarioEngine } from '../../src/drills/createScenarioEngine.js';
import { runScenario } from '../../src/drills/runScenario.js';
import { parseScenario, parseScenarioJson, type Scenario } from '../../src/drills/scenario.js';
import { isIncidentKitError } from '../../src/errors.js';
import type { Notifier } from '../../src/model/notification.js';
import { memoryStore } from '../../src/storage/memory.js';
import { createManualClock } from '../../src/testing/manualClock.js';

const load = (name: string): Scenario => parseScenarioJson(readFileSync(new URL(`../../examples/scenarios/${name}.json`, import.meta.url), 'utf8'));

async function play(scenario: Scenario) {
  const { engine, clock, sent } = await createScenarioEngine(scenario);
  return { report: await runScenario(engine, scenario, { clock }), sent };
}

describe('the IT website outage scenario', () => {
  it('opens one incident from the alert, pages Dana at level 1 over chat and her pager, and misses no target', async () => {
    const { report, sent } = await play(load('it-website-outage'));
    expect(report.incidents.map((i) => [i.id, i.alias, i.status, i.acknowledgedAt, i.resolvedAt])).toEqual([
      ['inc_1', 'site', 'closed', '2026-11-29T02:24:00.000Z', '2026-11-29T03:45:00.000Z'],
    ]);
    expect(report.pages).toEqual([
      {
        incidentId: 'inc_1',
        alias: 'site',
        at: '2026-11-29T02:19:00.000Z',
        offset: 'PT5M',
        level: 1,
        cycle: 0,
        trigger: 'timer',
        targets: ['schedule:web-primary'],
        paged: ['u_dana'],
        nobody: false,
        deliveries: [
          { channel: 'chat', at: '2026-11-29T02:19:00.000Z' },
          { channel: 'pager', recipient: 'u_dana', at: '2026-11-29T02:19:00.000Z' },
        ],
      },
    ]);
    expect(report.breaches).toEqual([]);
    expect(report.steps.every((s) => s.outcome === 'done')).toBe(true);
    expect(report.steps[0]).toMatchObject({ action: 'signal', ingested: ['created'], incidentId: 'inc_1' });
    expect(report.incidents[0]?.timeline.map((e) => e.type)).toContain('ALERT_STATUS_CHANGED');
    // The recording channels sent nothing anywhere; they kept what they were given.
    expect(sent.filter((m) => m.channel === 'pager')).toEqual([{ channel: 'pager', at: '2026-11-29T02:19:00.000Z', incidentId: 'inc_1', eventType: 'ESCALATED', title: expect.any(String) as string, recipient: 'u_dana' }]);
  });

  it('escalates to level 2 and breaches the acknowledge target when nobody acknowledges', async () => {
    const story = load('it-website-outage');
    const { report } = await play({ ...story, steps: story.steps.filter((s) => s.do !== 'acknowledge') });
    expect(report.pages.map((p) => [p.offset, p.level, p.paged])).toEqual([
      ['PT5M', 1, ['u_dana']],
      ['PT15M', 2, ['u_lee', 'u_eng_manager']],
    ]);
    expect(report.breaches).toEqual([{ incidentId: 'inc_1', alias: 'site', kind: 'target', name: 'acknowledge', dueAt: '2026-11-29T02:29:00.000Z', at: '2026-11-29T02:29:00.000Z', offset: 'PT15M' }]);
  });

  it('gives the same report on every run', async () => {
    const first = await play(load('it-website-outage'));
    const second = await play(load('it-website-outage'));
    expect(second.report).toEqual(first.report);
  });
});

describe('the healthcare medication error scenario', () => {
  it('runs the story: closing is refused until the review is done, the MDR report is filed in time', async () => {
    const { report, sent } = await play(load('healthcare-medication-error'));
    expect(report.incidents.map((i) => [i.id, i.severity, i.status])).toEqual([['inc_1', 'E', 'closed']]);
    const refused = report.steps.filter((s) => s.outcome === 'refused');
    expect(refused.map((s) => [s.index, s.action, s.error?.code])).toEqual([[11, 'close', 'INVALID_TRANSITION']]);
    expect(report.pages).toEqual([]);
    expect(report.breaches).toEqual([]);
    expect(report.incidents[0]?.timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['CLOCK_STARTED', 'REPORT_FILED', 'CLOSED']));
    expect(new Set(sent.map((m) => m.channel))).toEqual(new Set(['pharmacy', 'attending', 'console']));
  });

  it('reports the overdue MDR report when nobody files it', async () => {
    const story = load('healthcare-medication-error');
    const { report } = await play({ ...story, steps: story.steps.filter((s) => s.do !== 'fileReport'), runFor: 'P3D' });
    expect(report.breaches).toMatchObject([{ incidentId: 'inc_1', alias: 'heparin', kind: 'report', name: 'fdaMdr report' }]);
    const [breach] = report.breaches;
    expect(breach?.dueAt !== undefined && breach.dueAt <= breach.at).toBe(true);
  });
});

describe('runScenario', () => {
  it('refuses an engine that does not run on the clock it is given', async () => {
    const engine = createIncidentEngine({ store: memoryStore(), clock: createManualClock('2030-01-01T00:00:00Z') });
    const scenario = parseScenario({ name: 'x', start: '2026-01-01T00:00:00Z', steps: [{ at: 'PT0S', do: 'declare', input: { title: 'A', severity: 'SEV2' } }] });
    const error = await runScenario(engine, scenario, { clock: createManualClock() }).catch((e: unknown) => e);
    expect(isIncidentKitError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toContain('create the engine with the manual clock');
  });

  it("plays every incident as a drill on a host's engine: only drillSafe notifiers hear of it, the others' messages are kept as would-have-sent", async () => {
    const clock = createManualClock();
    const heard: Record<string, string[]> = { pager: [], drills: [] };
    const notifier = (name: string, drillSafe: boolean): Notifier => ({
      name,
      ...(drillSafe ? { drillSafe } : {}),
      send: (message) => {
        heard[name]?.push(message.title);
        return Promise.resolve();
      },
      sendNotice: () => Promise.resolve(),
    });
    const engine = createIncidentEngine({ store: memoryStore(), clock, notifiers: { pager: notifier('pager', false), drills: notifier('drills', true) } });
    const scenario = parseScenario({
      name: 'x',
      start: '2026-01-01T00:00:00Z',
      steps: [
        { at: 'PT0S', do: 'declare', as: 'db', input: { title: 'Database down', severity: 'SEV1', service: 'db' } },
        { at: 'PT1M', signal: { source: 'prometheus', fingerprint: 'api-5xx', summary: 'API 5xx', severity: 'SEV2', service: 'api' } },
      ],
      runFor: 'PT5M',
    });
    await runScenario(engine, scenario, { clock });
    const incidents = (await engine.list()).items;
    expect(incidents.map((incident) => incident.drill)).toEqual([true, true]);
    expect(heard.pager).toEqual([]);
    expect(heard.drills?.length).toBeGreaterThan(0);
    expect(heard.drills?.every((title) => title.startsWith('[DRILL] '))).toBe(true);
    const kept = (await Promise.all(incidents.map((incident) => engine.wouldHaveSent(incident.id)))).flat();
    expect(kept.map((message) => message.notifier)).toEqual(heard.drills?.map(() => 'pager'));
  });

  it('stops at the first refused step with strict', async () => {
    const clock = createManualClock();
    const engine = createIncidentEngine({ store: memoryStore(), clock });
    const scenario = parseScenario({ name: 'x', start: '2026-01-01T00:00:00Z', steps: [{ at: 'PT0S', do: 'acknowledge', incident: 'nope' }] });
    await expect(runScenario(engine, scenario, { clock, strict: true })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('parseScenario', () => {
  const base = { name: 'x', start: '2026-01-01T00:00:00Z' };

  it('names the step and the field of a bad offset', () => {
    const error = (() => {
      try {
        parseScenario({ ...base, steps: [{ at: 'PT0S', do: 'declare', input: {} }, { at: '+5m', do: 'acknowledge', incident: 'a' }] });
      } catch (e) {
        return e;
      }
    })();
    expect(isIncidentKitError(error, 'VALIDATION_FAILED')).toBe(true);
    expect((error as Error).message).toContain('scenario step 1');
    expect((error as { details: { issues: { path: unknown[] }[] } }).details.issues[0]?.path).toEqual(['steps', 1, 'at']);
  });

  it('refuses steps out of time order, a step with both a signal and a command, and a command without its incident', () => {
    expect(() => parseScenario({ ...base, steps: [{ at: 'PT5M', do: 'declare' }, { at: 'PT1M', do: 'declare' }] })).toThrow(/time order/);
    expect(() => parseScenario({ ...base, steps: [{ at: 'PT0S', do: 'declare', signal: {} }] })).toThrow(/exactly one/);
    expect(() => parseScenario({ ...base, steps: [{ at: 'PT0S', do: 'resolve' }] })).toThrow(/needs the incident/);
  });

  it('gives the line of a bad step in a file, and of a JSON syntax error', () => {
    const text = `{\n  "name": "x",\n  "start": "2026-01-01T00:00:00Z",\n  "steps": [\n    { "at": "PT0S", "do": "declare" },\n    { "at": "5 minutes", "do": "declare" }\n  ]\n}\n`;
    expect(() => parseScenarioJson(text)).toThrow(/scenario step 1 \(line 6\)/);
    expect(() => parseScenarioJson('{\n  "name": "x",\n  oops\n}')).toThrow(/line 3/);
  });
});
