/**
 * The Events API v2 routes of createIncidentHandler (`POST /v2/enqueue`, `POST
 * /v2/change/enqueue`) against PagerDuty's own OpenAPI document (test/fixtures/ingest/
 * pagerduty-events-v2-openapiv3.json): its example requests are accepted, every response has the
 * document's `Success` or `Error` shape, and every way a request can break the document's request
 * schemas is answered `400 invalid event`.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineIncidentType } from '../../src/features/classification/defineIncidentType.js';
import { defineRoutes } from '../../src/features/routing/defineRoutes.js';
import { sevScale } from '../../src/model/severity.js';
import { createIncidentHandler, type IncidentHandlerOptions, type RefusedIngest } from '../../src/http/createIncidentHandler.js';
import { loadFixture } from '../fixtures/ingest/loadFixture.js';
import { makeEngine } from '../helpers.js';

const KEY = 'e93facc04764012d7bfb002500d5d1a6';
const CHANGE_KEY = '737ea619db564d41bd9824063e1f6b08';
const GIT_KEY = '737ea619db564d41bd9824063e1f8au1';

type Schema = {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly enum?: readonly unknown[];
  readonly items?: Schema;
  readonly $ref?: string;
};
interface OpenApi {
  readonly paths: Record<string, { post: { requestBody: { content: { 'application/json': { schema: Schema; examples: Record<string, { value: Record<string, unknown> }> } } } } }>;
  readonly components: { schemas: Record<string, Schema>; responses: Record<string, { content: { 'application/json': { schema: Schema } } }> };
}

const spec = loadFixture('pagerduty-events-v2-openapiv3.json') as unknown as OpenApi;
const resolve = (schema: Schema): Schema => (schema.$ref === undefined ? schema : (spec.components.schemas[schema.$ref.split('/').at(-1) ?? ''] ?? {}));

/** The problems of `value` against the subset of JSON Schema the document uses (type, required, properties, enum, items). */
function violations(value: unknown, schema: Schema, path = '$'): string[] {
  const s = resolve(schema);
  const problems: string[] = [];
  if (s.enum !== undefined && !s.enum.includes(value)) problems.push(`${path} is not one of ${s.enum.join(', ')}`);
  if (s.type === 'string' && typeof value !== 'string') problems.push(`${path} is not a string`);
  if (s.type === 'array') {
    if (!Array.isArray(value)) problems.push(`${path} is not an array`);
    else if (s.items !== undefined) value.forEach((item, i) => problems.push(...violations(item, s.items ?? {}, `${path}[${String(i)}]`)));
  }
  if (s.type === 'object' || s.properties !== undefined) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return [...problems, `${path} is not an object`];
    const object = value as Record<string, unknown>;
    for (const name of s.required ?? []) if (!(name in object)) problems.push(`${path}.${name} is missing`);
    for (const [name, property] of Object.entries(s.properties ?? {})) {
      if (object[name] !== undefined) problems.push(...violations(object[name], property, `${path}.${name}`));
    }
  }
  return problems;
}

const requestSchema = (path: string): Schema => spec.paths[path]?.post.requestBody.content['application/json'].schema ?? {};
const examples = (path: string) => Object.entries(spec.paths[path]?.post.requestBody.content['application/json'].examples ?? {});
const SUCCESS = spec.components.responses.Success?.content['application/json'].schema ?? {};
const ERROR = spec.components.responses.Error?.content['application/json'].schema ?? {};

function setup(options: IncidentHandlerOptions = {}) {
  const made = makeEngine();
  const refused: RefusedIngest[] = [];
  const handler = createIncidentHandler(made.engine, {
    basePath: '/api',
    routingKeys: { [KEY]: { service: 'datapipe', integration: 'nagios' }, [CHANGE_KEY]: { service: 'datapipe', integration: 'ci' }, [GIT_KEY]: { integration: 'git' } },
    onRefused: (r) => refused.push(r),
    ...options,
  });
  const post = async (path: string, body: unknown) => {
    const response = await handler(
      new Request(`http://localhost/api/v2/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) }),
    );
    return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
  };
  return { ...made, handler, post, refused };
}

const example = (path: string, name: string): Record<string, unknown> => structuredClone(examples(path).find(([n]) => n === name)?.[1].value ?? {});
const omit = (object: Record<string, unknown>, field: string): Record<string, unknown> => Object.fromEntries(Object.entries(object).filter(([name]) => name !== field));
const trigger = () => example('/enqueue', 'event');
const change = () => example('/change/enqueue', 'build-change-event');

describe('the document itself', () => {
  it('has the examples and shapes these tests rely on', () => {
    expect(examples('/enqueue').length).toBeGreaterThan(0);
    expect(examples('/change/enqueue').length).toBe(2);
    for (const [, { value }] of examples('/enqueue')) expect(violations(value, requestSchema('/enqueue'))).toEqual([]);
    expect(ERROR.required).toEqual(['status', 'message']);
  });
});

describe('POST /v2/enqueue', () => {
  it('accepts the example event: 202 in the Success shape, with its dedup_key, and opens an incident for the key’s service', async () => {
    const { post, engine } = setup();
    const response = await post('enqueue', trigger());
    expect(response.status).toBe(202);
    expect(violations(response.body, SUCCESS)).toEqual([]);
    expect(response.body).toEqual({ status: 'success', message: 'Event processed', dedup_key: 'srv01/mysql' });
    const { items } = await engine.list({});
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ title: 'DISK at 99% on machine prod-datapipe03.example.com', severity: 'SEV1', service: 'datapipe', createdBy: { kind: 'integration', id: 'nagios' } });
  });

  it('maps trigger, a repeat, acknowledge and resolve onto ingest', async () => {
    const { post, engine } = setup();
    await post('enqueue', trigger());
    await post('enqueue', trigger());
    const [incident] = (await engine.list({})).items;
    expect(incident?.signalCount).toBe(2);
    expect((await post('enqueue', { routing_key: KEY, event_action: 'acknowledge', dedup_key: 'srv01/mysql' })).status).toBe(202);
    expect((await engine.get(incident?.id ?? '')).status).toBe('responding');
    expect((await post('enqueue', { routing_key: KEY, event_action: 'resolve', dedup_key: 'srv01/mysql' })).status).toBe(202);
    expect((await engine.get(incident?.id ?? '')).status).toBe('resolved');
    // PagerDuty accepts a resolve of an unknown key and drops it; so does this.
    expect((await post('enqueue', { routing_key: KEY, event_action: 'resolve', dedup_key: 'nothing' })).status).toBe(202);
  });

  it('generates a dedup_key when absent, returns it, and that key resolves the alert', async () => {
    const { post, engine } = setup();
    const { dedup_key: _key, ...event } = trigger();
    const first = await post('enqueue', event);
    expect(first.status).toBe(202);
    const key = first.body.dedup_key;
    expect(typeof key).toBe('string');
    // The key is the payload's fingerprint: the same trigger again is a repeat, not a new incident.
    expect((await post('enqueue', event)).body.dedup_key).toBe(key);
    expect((await engine.list({})).items).toHaveLength(1);
    await post('enqueue', { routing_key: KEY, event_action: 'resolve', dedup_key: key });
    expect((await engine.list({})).items[0]?.status).toBe('resolved');
  });

  it('keeps each integration’s dedup keys apart', async () => {
    const other = 'ffffffffffffffffffffffffffffffff';
    const { post, engine } = setup({ routingKeys: { [KEY]: { integration: 'nagios' }, [other]: { integration: 'zabbix' } } });
    await post('enqueue', trigger());
    await post('enqueue', { ...trigger(), routing_key: other });
    expect((await engine.list({})).items).toHaveLength(2);
    // zabbix cannot resolve nagios' alert.
    await post('enqueue', { routing_key: other, event_action: 'resolve', dedup_key: 'srv01/mysql' });
    expect((await engine.list({})).items.map((i) => i.status).sort()).toEqual(['resolved', 'triage']);
  });

  describe('answers 400 invalid event, in the Error shape, and ingests nothing when', () => {
    const without = (field: string) => () => omit(trigger(), field);
    const withoutPayload = (field: string) => () => {
      const event = trigger();
      return { ...event, payload: omit(event.payload as Record<string, unknown>, field) };
    };
    const withPayload = (field: string, value: unknown) => () => {
      const event = trigger();
      (event.payload as Record<string, unknown>)[field] = value;
      return event;
    };
    const cases: [string, () => unknown, string][] = [
      // Every `required` of the request schema and of Payload:
      ...(requestSchema('/enqueue').required ?? []).map((field): [string, () => unknown, string] => [`${field} is missing`, without(field), `'${field}'`]),
      ...(resolve({ $ref: '#/components/schemas/Payload' }).required ?? []).map((field): [string, () => unknown, string] => [`payload.${field} is missing`, withoutPayload(field), `'payload.${field}'`]),
      // Every enum:
      ['event_action is not trigger, acknowledge or resolve', () => ({ ...trigger(), event_action: 'escalate' }), "'event_action'"],
      ['payload.severity is not critical, error, warning or info', withPayload('severity', 'fatal'), "'payload.severity'"],
      // Types and formats of the document:
      ['routing_key is blank', () => ({ ...trigger(), routing_key: '' }), "'routing_key'"],
      ['routing_key is not a string', () => ({ ...trigger(), routing_key: 42 }), "'routing_key'"],
      ['dedup_key is not a string', () => ({ ...trigger(), dedup_key: 7 }), "'dedup_key'"],
      ['payload is not an object', () => ({ ...trigger(), payload: 'disk full' }), "'payload'"],
      ['payload.summary is blank', withPayload('summary', '  '), "'payload.summary'"],
      ['payload.timestamp is not a date-time', withPayload('timestamp', 'yesterday'), "'payload.timestamp'"],
      ['payload.component is not a string', withPayload('component', ['mysql']), "'payload.component'"],
      ['a link has no href', () => ({ ...trigger(), links: [{ text: 'x' }] }), "'links[0].href'"],
      ['an image has no src', () => ({ ...trigger(), images: [{ alt: 'x' }] }), "'images[0].src'"],
      ['links is not an array', () => ({ ...trigger(), links: 'http://x' }), "'links'"],
      ['client is not a string', () => ({ ...trigger(), client: {} }), "'client'"],
      // PagerDuty's documented limits (developer docs; the OpenAPI document states none):
      ['payload.summary is over 1 024 characters', withPayload('summary', 'x'.repeat(1_025)), "'payload.summary' is too long"],
      ['dedup_key is over 255 characters', () => ({ ...trigger(), dedup_key: 'k'.repeat(256) }), "'dedup_key' is too long"],
      // What the document says in words:
      ['an acknowledge has no dedup_key', () => ({ routing_key: KEY, event_action: 'acknowledge' }), "'dedup_key'"],
      ['a resolve has no dedup_key', () => ({ routing_key: KEY, event_action: 'resolve' }), "'dedup_key'"],
      ['the routing key is not configured', () => ({ ...trigger(), routing_key: '00000000000000000000000000000000' }), 'Invalid routing key'],
    ];
    it.each(cases)('%s', async (_name, body, mention) => {
      const { post, engine, refused } = setup();
      const response = await post('enqueue', body());
      expect(response.status).toBe(400);
      expect(violations(response.body, ERROR)).toEqual([]);
      expect(response.body).toMatchObject({ status: 'invalid event', message: 'Event object is invalid' });
      expect((response.body.errors as string[]).join(' | ')).toContain(mention);
      expect((await engine.list({})).items).toEqual([]);
      expect(refused).toMatchObject([{ source: 'pagerduty', status: 400 }]);
    });

    it('lists every problem at once', async () => {
      const { post } = setup();
      const response = await post('enqueue', { routing_key: KEY, event_action: 'trigger', payload: { severity: 'fatal' } });
      expect(response.body.errors).toEqual(["'payload.summary' is missing or blank", "'payload.source' is missing or blank", "'payload.severity' is invalid: use critical, error, warning or info"]);
    });
  });

  it('answers a body that is not a JSON object as the document’s example error', async () => {
    const { post } = setup();
    for (const body of ['{"routing_key":', '[1]', 'null']) {
      const response = await post('enqueue', body);
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ status: 'Unrecognized object', message: 'Event object format is unrecognized', errors: ['JSON parse error'] });
    }
  });

  it('answers 405 to other methods and 413 to a body over maxBodyBytes, in the Error shape', async () => {
    const { handler } = setup({ maxBodyBytes: 100 });
    const get = await handler(new Request('http://localhost/api/v2/enqueue'));
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(violations(await get.json(), ERROR)).toEqual([]);
    const big = await handler(new Request('http://localhost/api/v2/enqueue', { method: 'POST', body: JSON.stringify(trigger()) }));
    expect(big.status).toBe(413);
    expect(violations(await big.json(), ERROR)).toEqual([]);
  });

  it('is not served without routingKeys', async () => {
    const { engine } = makeEngine();
    const handler = createIncidentHandler(engine, {});
    expect((await handler(new Request('http://localhost/v2/enqueue', { method: 'POST', body: JSON.stringify(trigger()) }))).status).toBe(404);
  });

  it('does not ask authenticate: the routing key is the credential', async () => {
    const { post } = setup({ authenticate: () => null });
    expect((await post('enqueue', trigger())).status).toBe(202);
  });
});

describe('the rate limit per routing key', () => {
  it('answers 429 with Retry-After beyond the limit, and accepts again as the clock moves on', async () => {
    const { engine, clock } = makeEngine();
    const refused: RefusedIngest[] = [];
    const other = 'ffffffffffffffffffffffffffffffff';
    const handler = createIncidentHandler(engine, {
      routingKeys: { [KEY]: {}, [other]: {} },
      routingKeyRateLimit: { eventsPerMinute: 2, clock },
      onRefused: (r) => refused.push(r),
    });
    const post = (key: string) => handler(new Request('http://localhost/v2/enqueue', { method: 'POST', body: JSON.stringify({ ...trigger(), routing_key: key }) }));
    expect((await post(KEY)).status).toBe(202);
    expect((await post(KEY)).status).toBe(202);
    const limited = await post(KEY);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('30');
    expect(violations(await limited.json(), ERROR)).toEqual([]);
    expect(refused).toMatchObject([{ source: 'pagerduty', status: 429, code: 'RATE_LIMITED' }]);
    // Each key has its own budget.
    expect((await post(other)).status).toBe(202);
    clock.advance(30_000);
    expect((await post(KEY)).status).toBe(202);
    expect((await post(KEY)).status).toBe(429);
  });

  it('refuses a bad limit with CONFIG_INVALID', () => {
    const { engine } = makeEngine();
    expect(() => createIncidentHandler(engine, { routingKeys: { [KEY]: {} }, routingKeyRateLimit: { eventsPerMinute: 0 } })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }) as Error);
    expect(() => createIncidentHandler(engine, { routingKeys: { short: {} } })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }) as Error);
    expect(() => createIncidentHandler(engine, { routingKeys: { [KEY]: { team: 'db' } as never } })).toThrow(/takes service, integration, dedupNamespace, type and policy/);
  });
});

describe('routing keys with a type and an escalation policy', () => {
  const secure = defineIncidentType({ name: 'security', severityScale: sevScale, fields: z.strictObject({}) });
  const dba = { levels: [{ afterMinutes: 5, targets: ['dba-oncall'] }] };
  const send = (handler: ReturnType<typeof createIncidentHandler>, key: string, dedup: string) =>
    handler(
      new Request('http://localhost/api/v2/enqueue', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...trigger(), routing_key: key, dedup_key: dedup }),
      }),
    );

  it("opens the key's incident type with its escalation policy, unless a routing rule sets them", async () => {
    const web = { levels: [{ afterMinutes: 1, targets: ['web-oncall'] }] };
    const { engine } = makeEngine({
      types: [secure],
      policies: { escalationPolicies: { dba, web } },
      routing: defineRoutes([{ id: 'web-keys', when: { field: 'dedupKey', matches: '^web-' }, then: { policy: 'web' } }]),
    });
    const handler = createIncidentHandler(engine, { basePath: '/api', routingKeys: { [KEY]: { service: 'vault', type: 'security', policy: 'dba' } } });
    expect((await send(handler, KEY, 'db-1')).status).toBe(202);
    expect((await send(handler, KEY, 'web-1')).status).toBe(202);
    const incidents = (await engine.list({ limit: 10 })).items;
    const byKey = (key: string) => incidents.find((i) => i.dedupKey?.endsWith(key));
    expect(byKey('db-1')).toMatchObject({ type: 'security', service: 'vault', policy: { escalation: dba } });
    expect(byKey('web-1')).toMatchObject({ type: 'security', policy: { escalation: web } });
  });

  it('answers 500 (not the sender’s fault) for a key naming a type or policy the engine lacks, and opens nothing', async () => {
    const { engine } = makeEngine({ types: [secure] });
    const handler = createIncidentHandler(engine, { basePath: '/api', routingKeys: { [KEY]: { policy: 'ghost' }, [CHANGE_KEY]: { type: 'security' } } });
    const refused = await send(handler, KEY, 'x-1');
    expect(refused.status).toBe(500);
    expect(await refused.json()).toMatchObject({ status: 'server error', message: expect.stringContaining('ghost') as string });
    expect((await send(handler, CHANGE_KEY, 'x-2')).status).toBe(202);
    expect((await engine.list({ limit: 10 })).items.map((i) => i.type)).toEqual(['security']);
  });
});

describe('POST /v2/change/enqueue', () => {
  it('records both example change events of the document for the key’s service: 202 in the Success shape', async () => {
    const { post, engine } = setup();
    const response = await post('change/enqueue', change());
    expect(response.status).toBe(202);
    expect(violations(response.body, SUCCESS)).toEqual([]);
    expect(response.body).toEqual({ status: 'success', message: 'Change event processed' });
    const [recorded] = await engine.changes.recent('datapipe', { since: '2015-01-01T00:00:00Z' });
    expect(recorded).toMatchObject({
      service: 'datapipe',
      summary: 'Build Success: Increase snapshot create timeout to 30 seconds',
      at: '2015-07-17T08:42:58.315Z',
      source: 'prod-build-agent-i-0b148d1040d565540',
      details: { build_state: 'passed', build_number: '220', run_time: '1236s' },
      recordedBy: { kind: 'integration', id: 'ci' },
    });
    expect(recorded?.links?.[0]).toEqual({ href: 'https://buildpipeline.com/pagerduty/deployment/builds/220', text: 'View in Build Pipeline' });
    // The git example's key names no service: refused, saying so.
    const git = await post('change/enqueue', example('/change/enqueue', 'git-change-event'));
    expect(git.status).toBe(400);
    expect((git.body.errors as string[])[0]).toContain('names no service');
  });

  it('shows a change on the timeline of an incident of that service opening after it', async () => {
    const { post, engine, clock } = setup();
    const { timestamp: _t, ...payload } = change().payload as Record<string, unknown>;
    await post('change/enqueue', { ...change(), payload });
    clock.advance(10 * 60_000);
    await post('enqueue', trigger());
    const [incident] = (await engine.list({})).items;
    expect(incident?.recentChanges?.map((c) => c.summary)).toEqual(['Build Success: Increase snapshot create timeout to 30 seconds']);
    expect((await engine.timeline(incident?.id ?? '')).map((e) => e.type)).toEqual(['DECLARED', 'CHANGES_LINKED']);
  });

  describe('answers 400 invalid event when', () => {
    const cases: [string, () => unknown, string][] = [
      ...(requestSchema('/change/enqueue').required ?? []).map((field): [string, () => unknown, string] => [
        `${field} is missing`,
        () => omit(change(), field),
        `'${field}'`,
      ]),
      ...(resolve({ $ref: '#/components/schemas/ChangeEventPayload' }).required ?? []).map((field): [string, () => unknown, string] => [
        `payload.${field} is missing`,
        () => {
          const event = change();
          return { ...event, payload: omit(event.payload as Record<string, unknown>, field) };
        },
        `'payload.${field}'`,
      ]),
      ['payload.summary is over 1 024 characters', () => ({ ...change(), payload: { summary: 'x'.repeat(1_025) } }), "'payload.summary' is too long"],
      ['payload.timestamp is not a date-time', () => ({ ...change(), payload: { summary: 'x', timestamp: 'soon' } }), "'payload.timestamp'"],
      ['payload.source is not a string', () => ({ ...change(), payload: { summary: 'x', source: 1 } }), "'payload.source'"],
      ['a link has no href', () => ({ ...change(), links: [{}] }), "'links[0].href'"],
      ['the routing key is not configured', () => ({ ...change(), routing_key: '00000000000000000000000000000000' }), 'Invalid routing key'],
    ];
    it.each(cases)('%s', async (_name, body, mention) => {
      const { post, engine } = setup();
      const response = await post('change/enqueue', body());
      expect(response.status).toBe(400);
      expect(violations(response.body, ERROR)).toEqual([]);
      expect(response.body).toMatchObject({ status: 'invalid event', message: 'Event object is invalid' });
      expect((response.body.errors as string[]).join(' | ')).toContain(mention);
      expect(await engine.changes.recent('datapipe', { since: '2000-01-01T00:00:00Z' })).toEqual([]);
    });
  });
});
