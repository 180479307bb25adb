/**
 * The schedule routes `createIncidentHandler` mounts: who is on call, shifts and a calendar feed,
 * behind `authenticate`, errors as the handler's JSON.
 */
import { describe, expect, it } from 'vitest';
import { createIncidentEngine } from '../../../src/createIncidentEngine.js';
import { createIncidentHandler } from '../../../src/http/createIncidentHandler.js';
import { memoryStore } from '../../../src/storage/memory.js';
import { createManualClock } from '../../../src/testing/manualClock.js';
import { ANA, primary, SCHEDULE_T0 } from './schedulesSuite.js';

async function handlerWith(authorize?: (action: string, actorId: string) => boolean) {
  const engine = createIncidentEngine({
    store: memoryStore(),
    clock: createManualClock(SCHEDULE_T0),
    ...(authorize === undefined ? {} : { authorize: ({ action, actor }) => authorize(action, actor.id) }),
  });
  await engine.schedules.put(primary, { actor: ANA });
  const handler = createIncidentHandler(engine, { basePath: '/api', authenticate: (request) => { const user = request.headers.get('x-user'); return user === null ? null : { id: user }; } });
  return (path: string, user: string | null = 'u_ana') => handler(new Request(`http://localhost/api${path}`, { headers: user === null ? {} : { 'x-user': user } }));
}

describe('schedule routes', () => {
  it('GET /schedules/:id/oncall answers who is on call now, or at ?at=', async () => {
    const get = await handlerWith();
    const now = await get('/schedules/sre-primary/oncall');
    expect(now.status).toBe(200);
    expect(await now.json()).toEqual({ userIds: ['ben'], shift: { start: '2026-03-09T08:00:00.000Z', end: '2026-03-16T08:00:00.000Z' }, source: 'layer', layerId: 'weekly' });
    expect(((await (await get('/schedules/sre-primary/oncall?at=2026-03-03T00:00:00Z')).json()) as { userIds: string[] }).userIds).toEqual(['ana']);
  });

  it('GET /schedules/:id/shifts?from&to answers the shifts', async () => {
    const get = await handlerWith();
    const response = await get('/schedules/sre-primary/shifts?from=2026-03-09T00:00:00Z&to=2026-03-09T12:00:00Z');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      shifts: [
        { userIds: ['ana'], start: '2026-03-09T00:00:00.000Z', end: '2026-03-09T08:00:00.000Z', source: 'layer', layerId: 'weekly' },
        { userIds: ['ben'], start: '2026-03-09T08:00:00.000Z', end: '2026-03-09T12:00:00.000Z', source: 'layer', layerId: 'weekly' },
      ],
    });
  });

  it('GET /schedules/:id/calendar.ics?userId= serves one person’s feed as text/calendar', async () => {
    const get = await handlerWith();
    const response = await get('/schedules/sre-primary/calendar.ics?userId=chen&from=2026-03-09T00:00:00Z&to=2026-03-30T00:00:00Z');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    const text = await response.text();
    expect(text.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(text.match(/^DTSTART:.*$/gm)).toEqual(['DTSTART:20260316T080000Z']);
    expect(text).toContain(`DTSTAMP:${SCHEDULE_T0.slice(0, 19).replaceAll(/[-:]/g, '')}Z`);
    // Without a range: a week back and 90 days ahead of now.
    expect((await get('/schedules/sre-primary/calendar.ics')).status).toBe(200);
  });

  it('refuses without authentication, for an unknown schedule, bad input, and what authorize denies', async () => {
    const get = await handlerWith((action, actor) => action !== 'schedule.read' || actor !== 'u_eve');
    expect((await get('/schedules/sre-primary/oncall', null)).status).toBe(401);
    const unknown = await get('/schedules/nope/oncall');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    const missing = await get('/schedules/sre-primary/shifts?from=2026-03-09T00:00:00Z');
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { details: { issues: { path: string[] }[] } } }).error.details.issues[0]?.path).toEqual(['to']);
    expect((await get('/schedules/sre-primary/oncall?at=yesterday')).status).toBe(400);
    expect((await get('/schedules/sre-primary/calendar.ics?userId=')).status).toBe(400);
    expect((await get('/schedules/sre-primary/oncall', 'u_eve')).status).toBe(403);
  });
});
