/**
 * `GET /incidents/:id/alerts`: every alert of an incident, page by page, as the authenticated
 * actor; query parameters validated like the other routes'.
 */
import { describe, expect, it } from 'vitest';
import { createIncidentHandler } from '../../src/http/createIncidentHandler.js';
import type { ErrorBody } from '../../src/http/errorResponse.js';
import type { AlertSummary } from '../../src/model/incident.js';
import { parseSignal } from '../../src/model/signal.js';
import type { Page } from '../../src/storage/types.js';
import { makeEngine, T0 } from '../helpers.js';

const ALICE = { authorization: 'Bearer alice' } as const;

async function setup(alerts: number) {
  const { engine } = makeEngine({
    ingest: { groupBy: ['alertname'], countWindowMs: 0 },
    authorize: ({ actor, action }) => actor.id !== 'u_eve' || action !== 'read',
  });
  const handler = createIncidentHandler(engine, {
    basePath: '/api',
    authenticate: (request) => {
      const token = request.headers.get('authorization');
      return token === 'Bearer alice' ? { id: 'u_alice' } : token === 'Bearer eve' ? { id: 'u_eve' } : null;
    },
  });
  const results = await engine.ingest(
    Array.from({ length: alerts }, (_, i) =>
      parseSignal({ source: 'alertmanager', fingerprint: `fp_${String(i)}`, status: 'firing', severity: 'SEV2', summary: `Replica ${String(i)} is down`, labels: { alertname: 'ReplicaDown' }, startsAt: T0 }),
    ),
  );
  const id = results[0]?.incident?.id ?? '';
  const get = (path: string, headers: Record<string, string> = ALICE) => handler(new Request(`http://localhost/api${path}`, { headers }));
  return { engine, id, get, handler };
}

describe('GET /incidents/:id/alerts', () => {
  it('pages through every alert in the order attached, with limit and cursor', async () => {
    const { id, get } = await setup(130);
    const fingerprints: string[] = [];
    let path = `/incidents/${id}/alerts?limit=50`;
    for (;;) {
      const response = await get(path);
      expect(response.status).toBe(200);
      const page = (await response.json()) as Page<AlertSummary>;
      expect(page.items.length).toBeLessThanOrEqual(50);
      fingerprints.push(...page.items.map((a) => a.fingerprint));
      if (page.nextCursor === undefined) break;
      path = `/incidents/${id}/alerts?limit=50&cursor=${encodeURIComponent(page.nextCursor)}`;
    }
    expect(fingerprints).toEqual(Array.from({ length: 130 }, (_, i) => `fp_${String(i)}`));
    const first = (await (await get(`/incidents/${id}/alerts`)).json()) as Page<AlertSummary>;
    expect(first.items).toHaveLength(100);
    expect(first.items[0]).toMatchObject({ fingerprint: 'fp_0', status: 'firing', count: 1 });
    // The incident itself carries the count and the newest 100.
    const incident = (await (await get(`/incidents/${id}`)).json()) as { alertCount: number; alerts: AlertSummary[] };
    expect([incident.alertCount, incident.alerts[0]?.fingerprint]).toEqual([130, 'fp_30']);
  });

  it('answers 400 for bad query parameters, 401 without credentials, 403 when authorize denies read, 404 for an unknown incident, 405 for POST', async () => {
    const { id, get, handler } = await setup(3);
    const codeOf = async (response: Response): Promise<[number, string]> => [response.status, ((await response.json()) as ErrorBody).error.code];
    for (const query of ['limit=0', 'limit=1001', 'limit=ten', 'limit=5&limit=6', 'page=2', 'cursor=forged']) {
      expect(await codeOf(await get(`/incidents/${id}/alerts?${query}`)), query).toEqual([400, 'VALIDATION_FAILED']);
    }
    expect(await codeOf(await get(`/incidents/${id}/alerts`, {}))).toEqual([401, 'UNAUTHENTICATED']);
    expect(await codeOf(await get(`/incidents/${id}/alerts`, { authorization: 'Bearer eve' }))).toEqual([403, 'FORBIDDEN']);
    expect(await codeOf(await get('/incidents/inc_nope/alerts'))).toEqual([404, 'NOT_FOUND']);
    expect(await codeOf(await get(`/incidents/${id}/alerts/extra`))).toEqual([404, 'ROUTE_NOT_FOUND']);
    const post = await handler(new Request(`http://localhost/api/incidents/${id}/alerts`, { method: 'POST', headers: { ...ALICE, 'content-type': 'application/json' }, body: '{}' }));
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET']);
  });
});
