import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createIncidentEngine } from '../../src/createIncidentEngine.js';
import { historyFromEngine, renderWhatIfMarkdown, whatIf, type ReplaySignal } from '../../src/drills/whatIf.js';
import { memoryStore } from '../../src/storage/memory.js';
import { createManualClock } from '../../src/testing/manualClock.js';

const FROM = '2026-11-02T00:00:00.000Z';
const TO = '2026-11-02T06:00:00.000Z';
const signal = (fingerprint: string, service: string, at: string, status: 'firing' | 'resolved' = 'firing'): ReplaySignal => ({
  at,
  signal: { source: 'prometheus', fingerprint, status, severity: 'SEV2', summary: `${fingerprint} on ${service}`, service, labels: {}, annotations: {}, startsAt: at, links: [], raw: null },
});
const SCHEDULE = { id: 'ops', name: 'Ops', timeZone: 'Europe/Berlin', layers: [{ id: 'l', start: '2026-10-26T09:00', rotation: { every: { amount: 1, unit: 'weeks' as const } }, members: ['u_ana'] }] };
const LEVEL_AFTER_5 = { escalation: { levels: [{ afterMinutes: 5, targets: [{ kind: 'schedule' as const, id: 'ops' }] }] }, targets: { SEV2: { acknowledgeWithinMinutes: 8 } } };

/** What really happened: two disk alerts on db at 02:00 and 02:01 UTC (03:00 in Berlin), each its own incident, acknowledged after 10 minutes. */
async function realHistory() {
  const clock = createManualClock('2026-11-02T02:00:00.000Z');
  const engine = createIncidentEngine({ store: memoryStore(), clock, policies: LEVEL_AFTER_5 });
  await engine.schedules.put(SCHEDULE, { actor: { id: 'u_admin' } });
  const [first] = await engine.ingest(signal('disk-1', 'db', clock.now().toISOString()).signal as never);
  clock.advance(60_000);
  const [second] = await engine.ingest(signal('disk-2', 'db', clock.now().toISOString()).signal as never);
  for (let minute = 1; minute <= 10; minute += 1) {
    clock.set(new Date(Date.parse('2026-11-02T02:00:00.000Z') + minute * 60_000));
    await engine.tick();
  }
  await engine.acknowledge(first?.incident?.id ?? '', { actor: { id: 'u_ana' } });
  clock.advance(60_000);
  await engine.tick();
  await engine.acknowledge(second?.incident?.id ?? '', { actor: { id: 'u_ana' } });
  return historyFromEngine(engine, { from: FROM, to: TO });
}

describe('whatIf', () => {
  it('reads what happened from the store and replays it under a candidate, side by side', async () => {
    const history = await realHistory();
    expect(history.signals.map((s) => [s.at, s.signal.fingerprint, s.signal.status])).toEqual([
      ['2026-11-02T02:00:00.000Z', 'disk-1', 'firing'],
      ['2026-11-02T02:01:00.000Z', 'disk-2', 'firing'],
    ]);
    expect(history.actual).toEqual({
      incidents: 2,
      pages: 2,
      nightPages: 2,
      pagesByPerson: { u_ana: { pages: 2, night: 2 } },
      breaches: 2,
      breachesByName: { 'target acknowledge': 2 },
    });

    // The candidate groups by service and waits 15 minutes before paging: responders still acknowledge after 10.
    const report = await whatIf({
      from: FROM,
      to: TO,
      signals: history.signals,
      history,
      candidate: { schedules: [SCHEDULE], ingest: { groupBy: ['service'] }, policies: { escalation: { levels: [{ afterMinutes: 15, targets: [{ kind: 'schedule', id: 'ops' }] }] }, targets: { SEV2: { acknowledgeWithinMinutes: 15 } } } },
    });
    expect(report.candidate).toEqual({ incidents: 1, pages: 0, nightPages: 0, pagesByPerson: {}, breaches: 0, breachesByName: {} });
    expect(report.actual).toMatchObject({ incidents: 2, pages: 2, declaredByHand: 0 });
    expect(report.outcomes).toEqual({ created: 1, grouped: 1 });
    const markdown = renderWhatIfMarkdown(report);
    expect(markdown).toContain('| incidents | 1 | 2 |');
    expect(markdown).toContain('| u_ana | 0 | 2 (2 at night) |');
  });

  it('counts night in the person’s time zone: 06:30 UTC is night in New York, morning in Berlin', async () => {
    const signals = [signal('cpu', 'api', '2026-11-02T06:30:00.000Z')];
    const report = await whatIf({
      from: '2026-11-02T06:00:00Z',
      to: '2026-11-02T07:00:00Z',
      signals,
      candidate: { policies: { escalation: { levels: [{ afterMinutes: 0, targets: [{ kind: 'user', id: 'u_ny' }, { kind: 'user', id: 'u_berlin' }] }] } } },
      timeZones: { u_ny: 'America/New_York', u_berlin: 'Europe/Berlin' },
    });
    expect(report.candidate.pagesByPerson).toEqual({ u_berlin: { pages: 1, night: 0 }, u_ny: { pages: 1, night: 1 } });
  });

  it('refuses a bad window or night', async () => {
    await expect(whatIf({ from: TO, to: FROM, signals: [], candidate: {} })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(whatIf({ from: FROM, to: TO, signals: [], candidate: {}, night: { from: '10pm' } })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('gives the same report twice for the same signals', async () => {
    const signalSets = fc.array(
      fc.record({ fingerprint: fc.constantFrom('a', 'b', 'c', 'd'), service: fc.constantFrom('web', 'db'), minute: fc.integer({ min: 0, max: 170 }), resolved: fc.boolean() }),
      { maxLength: 12 },
    );
    await fc.assert(
      fc.asyncProperty(signalSets, fc.boolean(), async (drawn, grouped) => {
        const signals = drawn.map((d) => signal(d.fingerprint, d.service, new Date(Date.parse(FROM) + d.minute * 60_000).toISOString(), d.resolved ? 'resolved' : 'firing'));
        const options = {
          from: FROM,
          to: '2026-11-02T03:00:00.000Z',
          signals,
          response: { acknowledgeAfterMs: 7 * 60_000 },
          tickMs: 300_000,
          candidate: { schedules: [SCHEDULE], policies: LEVEL_AFTER_5, ...(grouped ? { ingest: { groupBy: ['service'] } } : {}) },
        };
        expect(await whatIf(options)).toEqual(await whatIf(options));
      }),
      { numRuns: 15 },
    );
  });
});
