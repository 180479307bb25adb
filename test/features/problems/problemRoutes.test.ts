/**
 * The problem routes of createIncidentHandler behind a real node:http server on 127.0.0.1: a
 * problem's whole life over HTTP, as the authenticated actor, and the handler's usual refusals.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createIncidentHandler } from '../../../src/http/createIncidentHandler.js';
import type { StoredProblem } from '../../../src/features/problems/problemsFeature.js';
import { PROBLEM_COMMANDS } from '../../../src/features/problems/problemRoutes.js';
import { declareIncident, makeEngine } from '../../helpers.js';
import { startServer, type TestServer } from '../../http/server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const HEADERS = { authorization: 'Bearer ada', 'content-type': 'application/json' } as const;

async function serve() {
  const { engine } = makeEngine();
  server = await startServer(createIncidentHandler(engine, { authenticate: (request) => (request.headers.get('authorization') === 'Bearer ada' ? { id: 'u_ada', name: 'Ada' } : null) }));
  return { engine, url: server.url };
}

const post = (url: string, body: unknown, headers: Record<string, string> = HEADERS) => fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });

describe('problem routes', () => {
  it("runs a problem's whole life over HTTP: open, every command, get, list and history", async () => {
    const { engine, url } = await serve();
    const incident = await declareIncident(engine);
    const withItem = await engine.addActionItem(incident.id, { title: 'Pin resolvers', dueAt: '2026-03-01T00:00:00Z', kind: 'prevent', actor: { id: 'u_ada' } });
    const actionItemId = withItem.actionItems[0]?.id;

    const opened = await post(`${url}/problems`, { title: 'Flaky DNS' });
    expect(opened.status).toBe(201);
    const { problem } = (await opened.json()) as StoredProblem;
    expect(problem).toMatchObject({ title: 'Flaky DNS', status: 'investigating', openedBy: { id: 'u_ada', name: 'Ada' } });

    const bodies: Record<(typeof PROBLEM_COMMANDS)[number], Record<string, unknown>> = {
      link: { incidentId: incident.id },
      linkActionItem: { incidentId: incident.id, actionItemId },
      recordWorkaround: { workaround: 'Restart the resolver pods' },
      recordRootCause: { rootCause: 'A resolver leaks sockets under load' },
      markKnownError: {},
      resolve: {},
      close: {},
    };
    const statuses: string[] = [];
    for (const command of PROBLEM_COMMANDS) {
      const response = await post(`${url}/problems/${problem.id}/${command}`, bodies[command]);
      expect(response.status, command).toBe(200);
      statuses.push(((await response.json()) as StoredProblem).problem.status);
    }
    expect(statuses).toEqual(['investigating', 'investigating', 'investigating', 'investigating', 'knownError', 'resolved', 'closed']);

    const got = (await (await fetch(`${url}/problems/${problem.id}`, { headers: HEADERS })).json()) as StoredProblem;
    expect(got).toEqual(await engine.problems.get(problem.id));
    expect(got.problem.incidents.map((link) => link.incidentId)).toEqual([incident.id]);
    const history = (await (await fetch(`${url}/problems/${problem.id}/history`, { headers: HEADERS })).json()) as { items: StoredProblem[] };
    expect(history.items.map((version) => version.change.type)).toEqual(['OPEN', 'LINK_INCIDENT', 'LINK_ACTION_ITEM', 'RECORD_WORKAROUND', 'RECORD_ROOT_CAUSE', 'MARK_KNOWN_ERROR', 'RESOLVE', 'CLOSE']);
    const closed = (await (await fetch(`${url}/problems?status=closed`, { headers: HEADERS })).json()) as { items: StoredProblem[] };
    expect(closed.items.map((stored) => stored.problem.id)).toEqual([problem.id]);
    const open = (await (await fetch(`${url}/problems?status=investigating,knownError`, { headers: HEADERS })).json()) as { items: StoredProblem[] };
    expect(open.items).toEqual([]);
  });

  it('refuses as the handler does: no credentials, an actor in the body, a bad status filter, a wrong transition, an unknown problem', async () => {
    const { url } = await serve();
    expect((await post(`${url}/problems`, { title: 'x' }, { 'content-type': 'application/json' })).status).toBe(401);
    const named = await post(`${url}/problems`, { title: 'x', actor: { id: 'u_eve' } });
    expect(named.status).toBe(400);
    expect(await named.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    const badFilter = await fetch(`${url}/problems?status=gone`, { headers: HEADERS });
    expect(badFilter.status).toBe(400);
    expect(JSON.stringify(await badFilter.json())).toContain("Unknown status 'gone'");
    const { problem } = (await (await post(`${url}/problems`, { title: 'Flaky DNS' })).json()) as StoredProblem;
    const early = await post(`${url}/problems/${problem.id}/markKnownError`, {});
    expect(early.status).toBe(409);
    expect(await early.json()).toMatchObject({ error: { code: 'INVALID_TRANSITION' } });
    expect((await fetch(`${url}/problems/prb_none`, { headers: HEADERS })).status).toBe(404);
    expect((await fetch(`${url}/problems/${problem.id}/close`, { headers: HEADERS })).status).toBe(405);
  });
});
