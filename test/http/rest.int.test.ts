/**
 * The REST routes of createIncidentHandler behind a real node:http server on 127.0.0.1: every
 * route, every lifecycle command, authentication and every error mapping.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { IncidentEngine } from '../../src/incidentEngine.js';
import { defineStatusLabels } from '../../src/model/statusLabels.js';
import { z } from 'zod';
import { defineIncidentType } from '../../src/features/classification/defineIncidentType.js';
import { nccMerpScale } from '../../src/features/classification/scales.js';
import { defineStatusPage } from '../../src/features/statusPage/defineStatusPage.js';
import { createIncidentEngine } from '../../src/createIncidentEngine.js';
import { roleBasedPolicy } from '../../src/engine/roleBasedPolicy.js';
import { memoryStore } from '../../src/storage/memory.js';
import { AdapterError, ConcurrencyError } from '../../src/errors.js';
import { createIncidentHandler, type IncidentHandlerOptions } from '../../src/http/createIncidentHandler.js';
import { COMMAND_NAMES } from '../../src/http/commandRoutes.js';
import type { ErrorBody } from '../../src/http/errorResponse.js';
import type { StoredEvent } from '../../src/model/event.js';
import type { Incident } from '../../src/model/incident.js';
import type { Page } from '../../src/storage/types.js';
import { makeEngine, wrapStore } from '../helpers.js';
import { startServer, type TestServer } from './server.js';

const TOKENS: Readonly<Record<string, { id: string; name: string }>> = {
  'Bearer alice-token': { id: 'u_alice', name: 'Alice' },
  'Bearer bob-token': { id: 'u_bob', name: 'Bob' },
};
const ALICE = { authorization: 'Bearer alice-token' } as const;
const JSON_TYPE = { 'content-type': 'application/json' } as const;

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const authenticate: NonNullable<IncidentHandlerOptions['authenticate']> = (request) =>
  TOKENS[request.headers.get('authorization') ?? ''] ?? null;

async function serve(engine: Parameters<typeof createIncidentHandler>[0], options: IncidentHandlerOptions = {}): Promise<string> {
  server = await startServer(createIncidentHandler(engine, { authenticate, ...options }));
  return server.url;
}

function post(url: string, body: unknown, headers: Record<string, string> = ALICE): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { ...JSON_TYPE, ...headers }, body: JSON.stringify(body) });
}

async function errorOf(response: Response): Promise<ErrorBody['error']> {
  expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  return ((await response.json()) as ErrorBody).error;
}

async function declare(url: string, body: Record<string, unknown> = {}): Promise<Incident> {
  const response = await post(`${url}/incidents`, { title: 'Checkout is down', severity: 'SEV3', service: 'checkout', ...body });
  expect(response.status).toBe(201);
  return (await response.json()) as Incident;
}

describe('declare, get, list and timeline', () => {
  it('declares with the authenticated actor and answers 201 with a Location', async () => {
    const { engine } = makeEngine();
    const url = await serve(engine, { basePath: '/api/incidentkit' });
    const response = await post(`${url}/api/incidentkit/incidents`, { title: 'Checkout is down', severity: 'SEV2', service: 'checkout' });

    expect(response.status).toBe(201);
    const incident = (await response.json()) as Incident;
    expect(response.headers.get('location')).toBe(`/api/incidentkit/incidents/${incident.id}`);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(incident).toMatchObject({ title: 'Checkout is down', severity: 'SEV2', status: 'triage' });
    expect(incident.createdBy).toEqual({ kind: 'user', id: 'u_alice', name: 'Alice' });
    expect(await engine.get(incident.id)).toEqual(incident);
  });

  it('reads one incident (percent-encoded ids too) and its timeline', async () => {
    const { engine } = makeEngine();
    const url = await serve(engine);
    const incident = await declare(url);
    await post(`${url}/incidents/${incident.id}/addNote`, { text: 'Error rate is 40%.' });

    const got = await fetch(`${url}/incidents/${encodeURIComponent(incident.id).replace('_', '%5F')}`, { headers: ALICE });
    expect(got.status).toBe(200);
    expect(((await got.json()) as Incident).id).toBe(incident.id);

    const timeline = await fetch(`${url}/incidents/${incident.id}/timeline`, { headers: ALICE });
    expect(timeline.status).toBe(200);
    const { items } = (await timeline.json()) as { items: StoredEvent[] };
    expect(items.map((e) => [e.seq, e.type])).toEqual([
      [1, 'DECLARED'],
      [2, 'NOTE_ADDED'],
    ]);
    expect(items[1]?.actor).toEqual({ kind: 'user', id: 'u_alice', name: 'Alice' });
  });

  it('pages the timeline with ?afterSeq= and ?limit=, and answers 400 for bad values', async () => {
    const { engine } = makeEngine();
    const url = await serve(engine);
    const incident = await declare(url);
    for (let i = 1; i <= 4; i += 1) await post(`${url}/incidents/${incident.id}/addNote`, { text: `Note ${String(i)}` });
    const seqs = async (query: string): Promise<number[]> => {
      const response = await fetch(`${url}/incidents/${incident.id}/timeline${query}`, { headers: ALICE });
      expect(response.status).toBe(200);
      return ((await response.json()) as { items: StoredEvent[] }).items.map((e) => e.seq);
    };
    expect(await seqs('')).toEqual([1, 2, 3, 4, 5]);
    expect(await seqs('?limit=2')).toEqual([1, 2]);
    expect(await seqs('?afterSeq=2&limit=2')).toEqual([3, 4]);
    expect(await seqs('?afterSeq=4')).toEqual([5]);
    expect(await seqs('?afterSeq=5&limit=10')).toEqual([]);

    const refused = async (query: string): Promise<unknown[]> => {
      const response = await fetch(`${url}/incidents/${incident.id}/timeline${query}`, { headers: ALICE });
      expect(response.status).toBe(400);
      const error = await errorOf(response);
      expect(error.code).toBe('VALIDATION_FAILED');
      return ((error.details as { issues: { path: unknown[] }[] }).issues).map((issue) => issue.path);
    };
    expect(await refused('?limit=0')).toEqual([['limit']]);
    expect(await refused('?limit=10001')).toEqual([['limit']]);
    expect(await refused('?limit=ten')).toEqual([['limit']]);
    expect(await refused('?afterSeq=-1')).toEqual([['afterSeq']]);
    expect(await refused('?afterSeq=1.5&limit=')).toEqual([['afterSeq'], ['limit']]);
    expect(await refused('?limit=2&limit=3')).toEqual([['limit']]);
    expect(await refused('?cursor=abc')).toEqual([['cursor']]);
    // Unauthenticated callers learn nothing about the query: 401 first.
    expect((await fetch(`${url}/incidents/${incident.id}/timeline?limit=0`)).status).toBe(401);
  });

  it('lists with every filter as query parameters, and pages with the cursor', async () => {
    const { engine, clock } = makeEngine();
    const url = await serve(engine);
    const a = await declare(url, { severity: 'SEV1', service: 'checkout' });
    clock.advance(1000);
    const b = await declare(url, { severity: 'SEV2', service: 'search' });
    clock.advance(1000);
    const c = await declare(url, { severity: 'SEV3', service: 'billing' });
    await post(`${url}/incidents/${c.id}/cancel`, { reason: 'false_positive' });

    const ids = async (query: string): Promise<string[]> => {
      const response = await fetch(`${url}/incidents${query}`, { headers: ALICE });
      expect(response.status).toBe(200);
      return ((await response.json()) as Page<Incident>).items.map((i) => i.id);
    };
    expect(await ids('')).toEqual([c.id, b.id, a.id]);
    expect(await ids('?service=checkout&service=search')).toEqual([b.id, a.id]);
    expect(await ids('?severity=SEV2')).toEqual([b.id]);
    expect(await ids('?status=canceled')).toEqual([c.id]);
    expect(await ids('?status=triage&status=canceled&open=true')).toEqual([b.id, a.id]);
    expect(await ids('?open=false')).toEqual([c.id]);

    const first = (await (await fetch(`${url}/incidents?limit=2`, { headers: ALICE })).json()) as Page<Incident>;
    expect(first.items.map((i) => i.id)).toEqual([c.id, b.id]);
    expect(first.nextCursor).toBeTypeOf('string');
    expect(await ids(`?limit=2&cursor=${encodeURIComponent(first.nextCursor ?? '')}`)).toEqual([a.id]);
  });

  it('filters by detectedAt with ?from= (inclusive) and ?to= (exclusive), and pages within the range', async () => {
    const { engine, clock } = makeEngine();
    const url = await serve(engine);
    const declared: Incident[] = [];
    for (let i = 0; i < 4; i += 1) {
      declared.push(await declare(url));
      clock.advance(60_000);
    }
    const [a, b, c, d] = declared.map((i) => i.id);
    const at = (i: number): string => encodeURIComponent(declared[i]?.detectedAt ?? '');
    const page = async (query: string): Promise<Page<Incident>> => {
      const response = await fetch(`${url}/incidents${query}`, { headers: ALICE });
      expect(response.status).toBe(200);
      return (await response.json()) as Page<Incident>;
    };
    const ids = async (query: string): Promise<(string | undefined)[]> => (await page(query)).items.map((i) => i.id);
    expect(await ids(`?from=${at(1)}`)).toEqual([d, c, b]);
    expect(await ids(`?to=${at(1)}`)).toEqual([a]);
    expect(await ids(`?from=${at(1)}&to=${at(3)}`)).toEqual([c, b]);
    // Other offsets name the same instant: 00:01:00Z is 01:01:00+01:00.
    expect(await ids(`?from=${encodeURIComponent('2026-01-01T01:01:00+01:00')}&to=${encodeURIComponent('2026-01-01T00:03:00Z')}`)).toEqual([c, b]);
    const first = await page(`?from=${at(0)}&to=${at(3)}&limit=2`);
    expect(first.items.map((i) => i.id)).toEqual([c, b]);
    expect(await ids(`?from=${at(0)}&to=${at(3)}&limit=2&cursor=${encodeURIComponent(first.nextCursor ?? '')}`)).toEqual([a]);
  });

  it.each([
    ['?limit=abc', 'limit'],
    ['?open=maybe', 'open'],
    ['?limit=1&limit=2', 'limit'],
    ['?sort=asc', 'sort'],
    ['?severity=SEV9', 'severity'],
    ['?limit=0', 'limit'],
    ['?from=yesterday', 'from'],
    ['?to=2026-01-01', 'to'],
    ['?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', 'from'],
    ['?from=2026-01-01T00:00:00Z&from=2026-01-02T00:00:00Z', 'from'],
  ])('answers 400 with the zod issue for the bad query %s', async (query, path) => {
    const { engine } = makeEngine();
    const url = await serve(engine);
    const response = await fetch(`${url}/incidents${query}`, { headers: ALICE });
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe('VALIDATION_FAILED');
    const { issues } = error.details as { issues: { path: unknown[] }[] };
    expect(issues.map((i) => i.path[0])).toContain(path);
  });
});

describe('every lifecycle command', () => {
  it('runs each command with its JSON input and the authenticated actor', async () => {
    const { engine } = makeEngine({
      policies: { escalation: { levels: [{ afterMinutes: 5, targets: ['team-lead'] }] } },
      statusLabels: defineStatusLabels({ investigating: 'responding', fixing: 'responding' }),
    });
    const url = await serve(engine);
    const incident = await declare(url, { severity: 'SEV2', fields: { region: 'eu-west-1' } });
    const run = async (command: string, body: Record<string, unknown> = {}, id = incident.id): Promise<Incident> => {
      const response = await post(`${url}/incidents/${id}/${command}`, body);
      expect(response.status, `${command}: ${JSON.stringify(await response.clone().json())}`).toBe(200);
      return (await response.json()) as Incident;
    };

    expect((await run('escalate')).escalation?.level).toBe(1);
    expect((await run('acknowledge')).status).toBe('responding');
    expect((await run('assignRole', { role: 'commander', assignee: { id: 'u_alice', name: 'Alice' } })).roles.commander?.assignee.id).toBe('u_alice');
    expect((await run('setSeverity', { severity: 'SEV1', reason: 'All regions' })).severity).toBe('SEV1');
    await run('addNote', { text: 'Error rate is 40%.' });
    expect((await run('setStatusLabel', { label: 'fixing' })).statusLabel).toBe('fixing');
    expect((await run('updateFields', { fields: { customers: 1200 } })).fields).toEqual({ region: 'eu-west-1', customers: 1200 });
    expect((await run('startClock', { regime: 'gdpr', trigger: 'awareness' })).clocks?.[0]?.regime).toBe('gdpr');
    expect((await run('fileReport', { regime: 'gdpr', phase: 'notification', reference: 'DPA-1' })).clocks?.[0]?.status).toBe('complete');
    await run('postUpdate', { audience: 'stakeholders', message: 'We are investigating.' });
    expect((await run('mitigate', { summary: 'Traffic moved to the backup servers.' })).status).toBe('mitigated');
    expect((await run('recordRootCause', { summary: 'Disk controller failure', contributingFactors: ['no spare'] })).rootCause?.summary).toBe(
      'Disk controller failure',
    );
    const withItem = await run('addActionItem', { title: 'Replace the server', owner: 'u_bob', kind: 'prevent' });
    const actionItemId = withItem.actionItems[0]?.id ?? '';
    expect((await run('resolve', { summary: 'Server replaced.' })).status).toBe('resolved');
    expect((await run('reopen', { reason: 'Errors are back.' })).status).toBe('responding');
    await run('resolve');
    expect((await run('startReview', { owner: 'u_alice' })).status).toBe('postIncident');
    await run('completeReview', { summary: 'Add disk health monitoring.' });
    expect((await run('updateActionItem', { actionItemId, status: 'done' })).actionItems[0]?.status).toBe('done');
    expect((await run('close')).status).toBe('closed');

    const other = await declare(url, { title: 'Flapping alert' });
    expect((await run('cancel', { reason: 'false_positive' }, other.id)).status).toBe('canceled');
    const target = await declare(url, { title: 'Checkout outage' });
    const duplicate = await declare(url, { title: 'Checkout errors' });
    expect((await run('merge', { into: target.id }, duplicate.id)).cancellation).toEqual({ reason: 'duplicate', mergedInto: target.id, previousStatus: 'triage' });
    expect((await run('unmerge', {}, duplicate.id)).status).toBe('triage');
    expect((await engine.timeline(target.id)).map((e) => [e.type, e.actor.id])).toEqual([
      ['DECLARED', 'u_alice'],
      ['MERGED_FROM', 'u_alice'],
      ['UNMERGED_FROM', 'u_alice'],
    ]);

    const types = (await engine.timeline(incident.id)).map((e) => e.type);
    expect(types).toEqual([
      'DECLARED',
      'ESCALATED',
      'ACKNOWLEDGED',
      'ROLE_ASSIGNED',
      'SEVERITY_CHANGED',
      'NOTE_ADDED',
      'STATUS_LABEL_SET',
      'FIELDS_UPDATED',
      'CLOCK_STARTED',
      'REPORT_FILED',
      'UPDATE_POSTED',
      'MITIGATED',
      'ROOT_CAUSE_RECORDED',
      'ACTION_ITEM_ADDED',
      'RESOLVED',
      'REOPENED',
      'RESOLVED',
      'REVIEW_STARTED',
      'REVIEW_COMPLETED',
      'ACTION_ITEM_UPDATED',
      'CLOSED',
    ]);
    expect(new Set((await engine.timeline(incident.id)).slice(1).map((e) => e.actor.id))).toEqual(new Set(['u_alice']));
    // Every lifecycle command has a route, and this test ran each of them; the features' commands are run below.
    expect([...COMMAND_NAMES].sort()).toEqual(
      ['acknowledge', 'addActionItem', 'addEvidence', 'addHypothesis', 'addNote', 'addTask', 'assignRole', 'cancel', 'close', 'completeReview', 'completeTask',
        'correctMilestone', 'escalate', 'fileReport', 'link', 'merge', 'mitigate', 'postPublicUpdate', 'postUpdate', 'publish', 'reassignTask',
        'recordRootCause', 'reopen', 'resolve', 'setSeverity', 'setStatusLabel', 'skipTask', 'startClock', 'startReview', 'tagEvent', 'unmerge', 'updateActionItem',
        'updateFields', 'updateHypothesis'],
    );
  });

  it("runs the features' commands on one incident: tasks, the investigation record, links, the status page and NIST tags", async () => {
    const page = defineStatusPage({ id: 'public', name: 'Status', url: 'https://status.example.com', timeZone: 'UTC', components: [{ id: 'web', name: 'Web' }] });
    const { engine } = makeEngine({ statusPages: [page] });
    const url = await serve(engine);
    const incident = await declare(url);
    const other = await declare(url, { title: 'Payments are slow' });
    const run = async (command: string, body: Record<string, unknown>, id = incident.id): Promise<Incident> => {
      const response = await post(`${url}/incidents/${id}/${command}`, body);
      expect(response.status, command).toBe(200);
      return (await response.json()) as Incident;
    };

    await run('addTask', { title: 'Page the database owner', phase: 'response' });
    await run('addTask', { title: 'Tell support', phase: 'communication' });
    const withTasks = await run('addTask', { title: 'Check the CDN', phase: 'investigation' });
    const [first, second, third] = withTasks.tasks ?? [];
    await run('completeTask', { taskId: first?.id, evidence: 'Paged at 10:02' });
    await run('skipTask', { taskId: second?.id, reason: 'Support saw the banner' });
    const reassigned = await run('reassignTask', { taskId: third?.id, assignee: { kind: 'user', id: 'u_bob' } });
    expect(reassigned.tasks?.map((task) => task.status)).toEqual(['done', 'skipped', 'open']);

    const hypothesized = await run('addHypothesis', { statement: 'The new index slows checkout' });
    const hypothesisId = hypothesized.hypotheses?.[0]?.id;
    const withEvidence = await run('addEvidence', { kind: 'link', uri: 'https://grafana.example.com/d/db', note: 'p99 doubled at 10:00' });
    const evidenceId = withEvidence.evidence?.[0]?.id;
    const confirmed = await run('updateHypothesis', { hypothesisId, status: 'confirmed', evidence: evidenceId });
    expect(confirmed.hypotheses?.[0]).toMatchObject({ status: 'confirmed' });
    await run('correctMilestone', { milestone: 'startedAt', at: '2025-12-31T23:50:00.000Z', reason: 'Errors began before the page' });
    const linked = await run('link', { to: other.id, kind: 'relatesTo' });
    expect(linked.links).toContainEqual(expect.objectContaining({ incidentId: other.id, kind: 'relatesTo' }));

    const published = await run('publish', { name: 'Checkout errors', impact: 'major', body: 'We are investigating.' });
    expect(published.publicIncident).toMatchObject({ name: 'Checkout errors', status: 'investigating' });
    const updated = await run('postPublicUpdate', { status: 'identified', body: 'A database change is the cause.' });
    expect(updated.publicIncident).toMatchObject({ status: 'identified' });
    await run('tagEvent', { eventSeq: 1, nist: ['DE.AE'] });

    const types = (await engine.timeline(incident.id)).map((event) => event.type);
    expect(types).toEqual(['DECLARED', 'TASK_ADDED', 'TASK_ADDED', 'TASK_ADDED', 'TASK_COMPLETED', 'TASK_SKIPPED', 'TASK_REASSIGNED', 'HYPOTHESIS_ADDED', 'EVIDENCE_ADDED',
      'HYPOTHESIS_UPDATED', 'MILESTONE_CORRECTED', 'INCIDENT_LINKED', 'PUBLISHED', 'PUBLIC_UPDATE_POSTED', 'EVENT_TAGGED']);
    expect(new Set((await engine.timeline(incident.id)).map((e) => e.actor.id))).toEqual(new Set(['u_alice']));
  });

  it('accepts an empty JSON body for commands without input', async () => {
    const { engine } = makeEngine();
    const url = await serve(engine);
    const incident = await declare(url);
    const response = await fetch(`${url}/incidents/${incident.id}/acknowledge`, { method: 'POST', headers: { ...JSON_TYPE, ...ALICE } });
    expect(response.status).toBe(200);
    expect(((await response.json()) as Incident).status).toBe('responding');
  });
});

describe('authentication', () => {
  it.each([
    ['no credentials', {}],
    ['an unknown token', { authorization: 'Bearer mallory' }],
  ])('answers 401 to %s and writes nothing', async (_name, headers: Record<string, string>) => {
    const { engine } = makeEngine();
    const url = await serve(engine);
    const response = await post(`${url}/incidents`, { title: 'x', severity: 'SEV3' }, headers);
    expect(response.status).toBe(401);
    expect((await errorOf(response)).code).toBe('UNAUTHENTICATED');
    expect((await fetch(`${url}/incidents`, { headers })).status).toBe(401);
    expect((await engine.list()).items).toEqual([]);
  });

  it('refuses every REST request when no authenticate option is given', async () => {
    const { engine } = makeEngine();
    server = await startServer(createIncidentHandler(engine));
    const response = await fetch(`${server.url}/incidents`, { headers: ALICE });
    expect(response.status).toBe(401);
    expect((await errorOf(response)).message).toContain('authenticate');
  });

  it("maps a denial of the engine's authorize to 403 FORBIDDEN, for commands and reads as the authenticated actor", async () => {
    const roles: Record<string, string[]> = { u_alice: ['admin'], u_bob: ['viewer'] };
    const { engine } = makeEngine({
      authorize: roleBasedPolicy({ roles: (actor) => roles[actor.id] ?? [], grants: { admin: '*', viewer: ['read'] } }),
    });
    const url = await serve(engine);
    const incident = await declare(url);
    await post(`${url}/incidents/${incident.id}/resolve`, {});
    const bob = { authorization: 'Bearer bob-token' };
    const response = await post(`${url}/incidents/${incident.id}/close`, {}, bob);
    expect(response.status).toBe(403);
    const error = await errorOf(response);
    expect(error).toMatchObject({ code: 'FORBIDDEN', details: { action: 'close', actorId: 'u_bob' } });
    expect((await engine.get(incident.id)).status).toBe('resolved');
    // Bob may read; with no role at all, reads are refused and lists come back empty.
    expect((await fetch(`${url}/incidents/${incident.id}`, { headers: bob })).status).toBe(200);
    roles.u_bob = [];
    const read = await fetch(`${url}/incidents/${incident.id}/timeline`, { headers: bob });
    expect(read.status).toBe(403);
    expect((await errorOf(read)).details).toMatchObject({ action: 'read', actorId: 'u_bob' });
    expect(((await (await fetch(`${url}/incidents`, { headers: bob })).json()) as Page<Incident>).items).toEqual([]);
    expect(((await (await fetch(`${url}/incidents`, { headers: ALICE })).json()) as Page<Incident>).items).toHaveLength(1);
  });
});

describe('typed engines and what command responses show', () => {
  it('mounts an engine with incident types, and answers a caller who may act but not read with the id, status and version only', async () => {
    const medicationError = defineIncidentType({
      name: 'medication_error',
      severityScale: nccMerpScale,
      fields: z.strictObject({ patientId: z.string(), drug: z.string() }),
      sensitiveFields: ['patientId'],
    });
    const roles: Record<string, string[]> = { u_alice: ['admin'], u_bob: ['noter'] };
    const engine = createIncidentEngine({
      store: memoryStore(),
      types: [medicationError],
      authorize: roleBasedPolicy({ roles: (actor) => roles[actor.id] ?? [], grants: { admin: '*', noter: ['addNote'] } }),
    });
    const url = await serve(engine);
    const declared = await post(`${url}/incidents`, { type: 'medication_error', title: 'Wrong dose', severity: 'E', fields: { patientId: 'MRN-777', drug: 'insulin' } });
    expect(declared.status).toBe(201);
    const incident = (await declared.json()) as Incident;
    expect(incident.fields).toEqual({ patientId: 'MRN-777', drug: 'insulin' });

    const noted = await post(`${url}/incidents/${incident.id}/addNote`, { text: 'Pharmacy informed.' }, { authorization: 'Bearer bob-token' });
    expect(noted.status).toBe(200);
    const body = await noted.text();
    expect(JSON.parse(body)).toEqual({ id: incident.id, status: 'triage', version: 2 });
    expect(body).not.toContain('MRN-777');
    expect((await fetch(`${url}/incidents/${incident.id}`, { headers: { authorization: 'Bearer bob-token' } })).status).toBe(403);
  });
});

describe('error mapping', () => {
  it('answers 400 with zod issues for invalid input, and writes nothing', async () => {
    const { engine } = makeEngine();
    const url = await serve(engine);
    const response = await post(`${url}/incidents`, { title: '', severity: 'SEV9' });
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe('VALIDATION_FAILED');
    const { subject, issues } = error.details as { subject: string; issues: { path: string[]; code: string }[] };
    expect(subject).toBe('declare');
    expect(issues.map((i) => i.path.join('.')).sort()).toEqual(['severity', 'title']);
    expect((await engine.list()).items).toEqual([]);
  });

  it.each([
    ['malformed JSON', '{"title": "x",'],
    ['a JSON array', '[1, 2]'],
    ['JSON null', 'null'],
  ])('answers 400 to %s', async (_name, body) => {
    const { engine } = makeEngine();
    const url = await serve(engine);
    const response = await fetch(`${url}/incidents`, { method: 'POST', headers: { ...JSON_TYPE, ...ALICE }, body });
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect((error.details as { issues: { code: string }[] }).issues[0]?.code).toBe('invalid_json');
  });

  it('refuses an actor in the body: the actor is who authenticated', async () => {
    const { engine } = makeEngine();
    const url = await serve(engine);
    const response = await post(`${url}/incidents`, { title: 'x', severity: 'SEV3', actor: { id: 'u_ceo' } });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).details).toMatchObject({ issues: [{ path: ['actor'] }] });
    expect((await engine.list()).items).toEqual([]);
  });

  it('answers 415 to a POST that is not JSON', async () => {
    const { engine } = makeEngine();
    const url = await serve(engine);
    const response = await fetch(`${url}/incidents`, { method: 'POST', headers: { ...ALICE, 'content-type': 'text/plain' }, body: '{}' });
    expect(response.status).toBe(415);
    expect((await errorOf(response)).code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers 404 NOT_FOUND for an unknown incident', async () => {
    const { engine } = makeEngine();
    const url = await serve(engine);
    for (const response of [
      await fetch(`${url}/incidents/inc_404`, { headers: ALICE }),
      await fetch(`${url}/incidents/inc_404/timeline`, { headers: ALICE }),
      await post(`${url}/incidents/inc_404/acknowledge`, {}),
    ]) {
      expect(response.status).toBe(404);
      expect(await errorOf(response)).toMatchObject({ code: 'NOT_FOUND', details: { entity: 'incident', id: 'inc_404' } });
    }
  });

  it('answers 409 INVALID_TRANSITION with the state and the accepted events', async () => {
    const { engine } = makeEngine();
    const url = await serve(engine);
    const incident = await declare(url, { severity: 'SEV2' });
    await post(`${url}/incidents/${incident.id}/resolve`, {});
    const response = await post(`${url}/incidents/${incident.id}/close`, {});
    expect(response.status).toBe(409);
    const error = await errorOf(response);
    expect(error).toMatchObject({ code: 'INVALID_TRANSITION', details: { state: 'resolved', event: 'CLOSE' } });
    expect(error.message).toContain('review');
  });

  it('answers 409 DUPLICATE_INCIDENT for a second open incident with the same dedupKey', async () => {
    const { engine } = makeEngine();
    const url = await serve(engine);
    const first = await declare(url, { dedupKey: 'checkout-down' });
    const response = await post(`${url}/incidents`, { title: 'Again', severity: 'SEV3', dedupKey: 'checkout-down' });
    expect(response.status).toBe(409);
    expect(await errorOf(response)).toMatchObject({ code: 'DUPLICATE_INCIDENT', details: { existingIncidentId: first.id } });
  });

  it('answers 409 VERSION_CONFLICT when concurrent writes exhaust the retries', async () => {
    const base = makeEngine();
    const incident = await base.engine.declare({ title: 'x', severity: 'SEV3', actor: { id: 'u_alice' } });
    const store = wrapStore(base.store, {
      commit: (commit) => Promise.reject(new ConcurrencyError({ tenantId: commit.tenantId, incidentId: commit.incidentId, expected: 1, actual: 2 })),
    });
    const { engine } = makeEngine({ store, maxRetries: 1 });
    const url = await serve(engine);
    const response = await post(`${url}/incidents/${incident.id}/acknowledge`, {});
    expect(response.status).toBe(409);
    expect((await errorOf(response)).code).toBe('VERSION_CONFLICT');
  });

  it('answers 404 ROUTE_NOT_FOUND for unknown routes and 405 with Allow for wrong methods', async () => {
    const { engine } = makeEngine();
    const url = await serve(engine, { basePath: '/api' });
    for (const path of ['/', '/api', '/api/nope', '/incidents', '/api/incidents/x/explode', '/api/incidents/x/timeline/extra', '/api/ingest/nope']) {
      const response = await fetch(`${url}${path}`, { headers: ALICE });
      expect(response.status, path).toBe(404);
      expect((await errorOf(response)).code).toBe('ROUTE_NOT_FOUND');
    }
    const cases: [string, string, string][] = [
      ['DELETE', '/api/incidents', 'GET, POST'],
      ['POST', '/api/incidents/inc_1', 'GET'],
      ['PUT', '/api/incidents/inc_1/timeline', 'GET'],
      ['GET', '/api/incidents/inc_1/acknowledge', 'POST'],
    ];
    for (const [method, path, allow] of cases) {
      const response = await fetch(`${url}${path}`, { method, headers: ALICE });
      expect(response.status, `${method} ${path}`).toBe(405);
      expect(response.headers.get('allow')).toBe(allow);
      expect((await errorOf(response)).code).toBe('METHOD_NOT_ALLOWED');
    }
  });

  it('answers 400 to a path that is not valid percent-encoding', async () => {
    const { engine } = makeEngine();
    const url = await serve(engine);
    const response = await fetch(`${url}/incidents/%E0%A4%A`, { headers: ALICE });
    expect(response.status).toBe(400);
  });

  it('answers 503 for a failing store without its internals, and tells onError', async () => {
    const base = makeEngine();
    const store = {
      ...base.store,
      list: () => Promise.reject(new AdapterError({ adapter: 'postgres', operation: 'list' }, 'connect ECONNREFUSED 10.1.2.3:5432')),
    };
    const { engine } = makeEngine({ store });
    const errors: unknown[] = [];
    const url = await serve(engine, { onError: (error) => errors.push(error) });
    const response = await fetch(`${url}/incidents`, { headers: ALICE });
    expect(response.status).toBe(503);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: { code: 'ADAPTER_FAILED', message: 'The incident store failed; try again later.' } });
    expect(text).not.toContain('10.1.2.3');
    expect(errors).toHaveLength(1);
  });

  it('answers 500 INTERNAL_ERROR for an unexpected error, with no stack trace', async () => {
    const { engine } = makeEngine();
    const broken: IncidentEngine = { ...engine, get: () => Promise.reject(new TypeError('secret internals at /srv/app/db.ts:12')) };
    const errors: unknown[] = [];
    const url = await serve(broken, { onError: (error) => errors.push(error) });
    const response = await fetch(`${url}/incidents/inc_1`, { headers: ALICE });
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'An unexpected error occurred; the operator has been told.' } });
    expect(text).not.toMatch(/secret|\/srv|at /);
    expect(errors[0]).toBeInstanceOf(TypeError);
  });

  it('answers 500 when authenticate returns something that is not an actor', async () => {
    const { engine } = makeEngine();
    const errors: unknown[] = [];
    const url = await serve(engine, { authenticate: () => ({ id: '' }), onError: (error) => errors.push(error) });
    const response = await fetch(`${url}/incidents`, { headers: ALICE });
    expect(response.status).toBe(500);
    expect(errors).toHaveLength(1);
  });
});
