/** Component uptime from the history of component changes: weighted shares and per-day worst status in the page's time zone. */
import { describe, expect, it } from 'vitest';
import { defineStatusPage } from '../../../src/features/statusPage/defineStatusPage.js';
import { computeUptime } from '../../../src/features/statusPage/uptime.js';

const utcPage = defineStatusPage({ id: 'p', name: 'P', url: 'https://status.example.com', timeZone: 'UTC', components: [{ id: 'api', name: 'API' }, { id: 'web', name: 'Web' }] });

describe('computeUptime', () => {
  it('weighs a partial outage 30 % and a major outage 100 %, per day and over the range; the worst status of each day', () => {
    const changes = [
      { componentId: 'api', newStatus: 'major_outage', at: '2026-12-05T12:00:00.000Z' },
      { componentId: 'api', newStatus: 'operational', at: '2026-12-05T18:00:00.000Z' },
      { componentId: 'api', newStatus: 'partial_outage', at: '2026-12-06T00:00:00.000Z' },
      { componentId: 'api', newStatus: 'operational', at: '2026-12-06T06:00:00.000Z' },
      { componentId: 'web', newStatus: 'degraded_performance', at: '2026-12-06T01:00:00.000Z' },
    ] as const;
    const [api, web] = computeUptime({ page: utcPage, changes, createdAt: '2026-11-01T00:00:00.000Z', at: '2026-12-06T12:00:00.000Z', days: 3 });
    expect(api?.days).toEqual([
      { date: '2026-12-04', worst: 'operational', uptime: 1 },
      { date: '2026-12-05', worst: 'major_outage', uptime: 0.75 },
      { date: '2026-12-06', worst: 'partial_outage', uptime: expect.closeTo(0.85, 10) as number },
    ]);
    expect(api?.uptime).toBeCloseTo(1 - 7.8 / 60, 10);
    // Degraded performance is not downtime, but it is the day's worst status.
    expect(web).toMatchObject({ uptime: 1, days: [{ worst: 'operational' }, { worst: 'operational' }, { worst: 'degraded_performance', uptime: 1 }] });
  });

  it("cuts days at midnight in the page's time zone", () => {
    const berlin = defineStatusPage({ ...utcPage, timeZone: 'Europe/Berlin' });
    const changes = [
      { componentId: 'api', newStatus: 'major_outage', at: '2026-12-06T22:00:00.000Z' },
      { componentId: 'api', newStatus: 'operational', at: '2026-12-06T23:15:00.000Z' },
    ] as const;
    const [api] = computeUptime({ page: berlin, changes, createdAt: '2026-11-01T00:00:00.000Z', at: '2026-12-06T23:30:00.000Z', days: 2 });
    // 23:00Z is midnight in Berlin (UTC+1 in December): the outage spans both days.
    expect(api?.days).toEqual([
      { date: '2026-12-06', worst: 'major_outage', uptime: expect.closeTo(23 / 24, 10) as number },
      { date: '2026-12-07', worst: 'major_outage', uptime: 0.5 },
    ]);
  });
});
