/** `engine.heartbeats` on the memory and SQLite stores, its HTTP route and authorization. */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createIncidentEngine } from '../../../src/createIncidentEngine.js';
import { createIncidentHandler } from '../../../src/http/createIncidentHandler.js';
import { memoryStore } from '../../../src/storage/memory.js';
import { sqliteStore } from '../../../src/storage/sqlite.js';
import { createManualClock } from '../../../src/testing/manualClock.js';
import { ADA, backup, heartbeatCases, T0 } from './heartbeatsSuite.js';

describe('engine.heartbeats on memoryStore', () => {
  heartbeatCases(() => memoryStore());
});

describe('engine.heartbeats on sqliteStore', () => {
  heartbeatCases(() => sqliteStore(new Database(':memory:')));
});

describe('POST /heartbeats/:id', () => {
  it('takes a beat as the authenticated actor (202 with the next deadline); refuses the unauthenticated, unknown and denied', async () => {
    const asked: string[] = [];
    const engine = createIncidentEngine({
      store: memoryStore(),
      clock: createManualClock(T0),
      authorize: ({ actor, action }) => {
        asked.push(`${actor.id}:${action}`);
        return actor.id !== 'u_eve';
      },
    });
    await engine.heartbeats.put(backup, { actor: ADA });
    const handler = createIncidentHandler(engine, {
      basePath: '/api',
      authenticate: (request) => {
        const user = request.headers.get('x-user');
        return user === null ? null : { id: user };
      },
    });
    const post = (id: string, user?: string) => handler(new Request(`http://localhost/api/heartbeats/${id}`, { method: 'POST', headers: user === undefined ? {} : { 'x-user': user } }));
    const ok = await post('nightly-backup', 'cron-db');
    expect(ok.status).toBe(202);
    expect(await ok.json()).toEqual({ heartbeatId: 'nightly-backup', at: T0, deadline: '2026-03-10T03:00:00.000Z' });
    expect(asked).toContain('cron-db:heartbeat.beat');
    expect((await post('nightly-backup')).status).toBe(401);
    expect((await post('nightly-backup', 'u_eve')).status).toBe(403);
    const unknown = await post('nope', 'cron-db');
    expect(unknown.status).toBe(404);
  });
});
