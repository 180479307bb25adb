/**
 * Inbound webhooks (`POST /ingest/{name}`) behind a real node:http server on 127.0.0.1: the
 * official Alertmanager payload, every shipped verifier, body limits and SNS confirmations.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { IncidentEngine } from '../../src/incidentEngine.js';
import { AdapterError } from '../../src/errors.js';
import { createIncidentHandler, type IncidentHandlerOptions, type IngestSource, type RefusedIngest } from '../../src/http/createIncidentHandler.js';
import type { ErrorBody } from '../../src/http/errorResponse.js';
import { basicAuth, bearerAuth, standardWebhooksAuth } from '../../src/http/verifiers.js';
import { parseAlertmanager } from '../../src/sources/parseAlertmanager.js';
import { parseCloudWatchSns, type SnsConfirmation } from '../../src/sources/parseCloudWatchSns.js';
import { signWebhook } from '../../src/channels/standardWebhooks.js';
import { createManualClock } from '../../src/testing/manualClock.js';
import { fixtureText } from '../fixtures/ingest/loadFixture.js';
import { makeEngine, thrown } from '../helpers.js';
import { startServer, type TestServer } from './server.js';

const ALERTMANAGER = fixtureText('alertmanager-webhook-v4.json');
const TOKEN = 'am-token-7f3c';
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

interface IngestBody {
  readonly source: string;
  readonly results: readonly { fingerprint: string; status: string; outcome: string; incidentId?: string }[];
  readonly confirmation?: { kind: string; topicArn: string; handled: boolean };
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(engine: IncidentEngine, sources: Record<string, IngestSource>, options: IncidentHandlerOptions = {}): Promise<string> {
  server = await startServer(createIncidentHandler(engine, { sources, maxBodyBytes: 64 * 1024, ...options }));
  return server.url;
}

function postTo(url: string, body: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}

async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as ErrorBody).error.code;
}

function resolvedCopy(): string {
  const payload = JSON.parse(ALERTMANAGER) as { status: string; alerts: { status: string; endsAt: string }[] };
  payload.status = 'resolved';
  for (const alert of payload.alerts) {
    alert.status = 'resolved';
    alert.endsAt = '2018-08-03T10:12:26.739266876+02:00';
  }
  return JSON.stringify(payload);
}

describe('Alertmanager with a bearer token', () => {
  it('ingests the official payload and lists each outcome', async () => {
    const { engine } = makeEngine();
    const url = `${await serve(engine, { alertmanager: { parser: parseAlertmanager, verify: bearerAuth(TOKEN) } })}/ingest/alertmanager`;
    const auth = { authorization: `Bearer ${TOKEN}` };

    const first = await postTo(url, ALERTMANAGER, auth);
    expect(first.status).toBe(200);
    const body = (await first.json()) as IngestBody;
    const incidentId = body.results[0]?.incidentId;
    expect(body).toEqual({
      source: 'alertmanager',
      results: [
        { fingerprint: '1a30ba71cca2921f', status: 'firing', outcome: 'created', incidentId },
        { fingerprint: 'e2a5025853d4da64', status: 'resolved', outcome: 'ignored' },
      ],
    });
    const incident = await engine.get(incidentId ?? '');
    expect(incident).toMatchObject({ status: 'triage', service: 'checkout', title: 'Instance web-1:9100 down' });

    const repeat = (await (await postTo(url, ALERTMANAGER, auth)).json()) as IngestBody;
    expect(repeat.results.map((r) => r.outcome)).toEqual(['deduplicated', 'ignored']);

    const resolved = (await (await postTo(url, resolvedCopy(), auth)).json()) as IngestBody;
    expect(resolved.results[0]).toMatchObject({ outcome: 'resolved', incidentId });
    expect((await engine.get(incidentId ?? '')).status).toBe('resolved');
  });

  it.each([
    ['no Authorization header', {}],
    ['a wrong token', { authorization: 'Bearer am-token-7f3d' }],
    ['another scheme', { authorization: `Basic ${TOKEN}` }],
  ])('answers 401 with a Bearer challenge to %s, and ingests nothing', async (_name, headers: Record<string, string>) => {
    const { engine } = makeEngine();
    const url = await serve(engine, { alertmanager: { parser: parseAlertmanager, verify: bearerAuth(TOKEN) } });
    const response = await postTo(`${url}/ingest/alertmanager`, ALERTMANAGER, headers);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(await errorCode(response)).toBe('UNAUTHENTICATED');
    expect((await engine.list()).items).toEqual([]);
  });

  it('answers 400 with the parser issue to a payload that is not Alertmanager JSON', async () => {
    const { engine } = makeEngine();
    const url = await serve(engine, { alertmanager: { parser: parseAlertmanager, verify: bearerAuth(TOKEN) } });
    const auth = { authorization: `Bearer ${TOKEN}` };
    for (const body of ['{"hello": "world"}', '{"alerts": [', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])]) {
      const response = await postTo(`${url}/ingest/alertmanager`, body, auth);
      expect(response.status).toBe(400);
      const error = ((await response.json()) as ErrorBody).error;
      expect(error.code).toBe('VALIDATION_FAILED');
    }
    expect((await engine.list()).items).toEqual([]);
  });

  it('answers 404 to an unconfigured source and 405 with Allow to a GET', async () => {
    const { engine } = makeEngine();
    const url = await serve(engine, { alertmanager: { parser: parseAlertmanager, verify: bearerAuth(TOKEN) } });
    expect((await postTo(`${url}/ingest/grafana`, ALERTMANAGER)).status).toBe(404);
    expect((await postTo(`${url}/ingest/constructor`, ALERTMANAGER)).status).toBe(404);
    const get = await fetch(`${url}/ingest/alertmanager`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });
});

describe('basic auth', () => {
  it('accepts the right credentials and refuses others with a Basic challenge', async () => {
    const { engine } = makeEngine();
    const url = `${await serve(engine, { am: { parser: parseAlertmanager, verify: basicAuth('alertmanager', 'pa:ss wörd') } })}/ingest/am`;
    const basic = (credentials: string): Record<string, string> => ({
      authorization: `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`,
    });

    const refused = await postTo(url, ALERTMANAGER, basic('alertmanager:pa:ss word'));
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect((await postTo(url, ALERTMANAGER, basic('alertmanage:pa:ss wörd'))).status).toBe(401);
    expect((await engine.list()).items).toEqual([]);

    const accepted = await postTo(url, ALERTMANAGER, basic('alertmanager:pa:ss wörd'));
    expect(accepted.status).toBe(200);
    expect(((await accepted.json()) as IngestBody).results[0]?.outcome).toBe('created');
  });
});

describe('Standard Webhooks signatures', () => {
  async function signed(body: string, id: string, at: Date): Promise<Record<string, string>> {
    return { ...(await signWebhook({ secret: SECRET, id, timestamp: at, body })) };
  }

  function setup(engine: IncidentEngine, clock = createManualClock('2026-03-01T12:00:00Z')) {
    return {
      clock,
      url: serve(engine, { relay: { parser: parseAlertmanager, verify: standardWebhooksAuth(SECRET, { clock }) } }).then((u) => `${u}/ingest/relay`),
    };
  }

  it('accepts a signed message once, and refuses its replay', async () => {
    const { engine } = makeEngine();
    const { clock, url } = setup(engine);
    const headers = await signed(ALERTMANAGER, 'msg_1', clock.now());

    const first = await postTo(await url, ALERTMANAGER, headers);
    expect(first.status).toBe(200);
    expect(((await first.json()) as IngestBody).results[0]?.outcome).toBe('created');

    clock.advance(60_000);
    const replay = await postTo(await url, ALERTMANAGER, headers);
    expect(replay.status).toBe(401);
    expect((await engine.timeline((await engine.list()).items[0]?.id ?? '')).length).toBe(1);
  });

  it('refuses a tampered body, a missing signature and an old timestamp', async () => {
    const { engine } = makeEngine();
    const { clock, url } = setup(engine);
    const headers = await signed(ALERTMANAGER, 'msg_2', clock.now());

    const tampered = ALERTMANAGER.replace('web-1:9100', 'web-9:9100');
    expect((await postTo(await url, tampered, headers)).status).toBe(401);
    expect((await postTo(await url, ALERTMANAGER, { 'webhook-id': 'msg_2', 'webhook-timestamp': headers['webhook-timestamp'] ?? '' })).status).toBe(401);

    const old = await signed(ALERTMANAGER, 'msg_3', new Date(clock.now().getTime() - 301_000));
    expect((await postTo(await url, ALERTMANAGER, old)).status).toBe(401);
    const future = await signed(ALERTMANAGER, 'msg_4', new Date(clock.now().getTime() + 301_000));
    expect((await postTo(await url, ALERTMANAGER, future)).status).toBe(401);
    expect((await engine.list()).items).toEqual([]);

    // The same message still goes through once it is genuine and fresh: refusals remember nothing.
    expect((await postTo(await url, ALERTMANAGER, headers)).status).toBe(200);
  });

  it('lets the retry of a message through after the server failed to process it (5xx)', async () => {
    const { engine } = makeEngine();
    let failures = 1;
    const flaky: IncidentEngine = {
      ...engine,
      ingest: (signals) => {
        if (failures-- > 0) return Promise.reject(new AdapterError({ adapter: 'postgres', operation: 'commit' }, 'connection lost'));
        return engine.ingest(signals);
      },
    };
    const clock = createManualClock('2026-03-01T12:00:00Z');
    const url = `${await serve(flaky, { relay: { parser: parseAlertmanager, verify: standardWebhooksAuth(SECRET, { clock }) } }, { onError: () => undefined })}/ingest/relay`;

    expect((await postTo(url, ALERTMANAGER, await signed(ALERTMANAGER, 'msg_5', clock.now()))).status).toBe(503);
    clock.advance(5_000);
    // Senders retry with the same id and a fresh timestamp and signature.
    const retry = await postTo(url, ALERTMANAGER, await signed(ALERTMANAGER, 'msg_5', clock.now()));
    expect(retry.status).toBe(200);
    expect(((await retry.json()) as IngestBody).results[0]?.outcome).toBe('created');
  });
});

describe('body limits', () => {
  it('answers 413 to a declared Content-Length over maxBodyBytes', async () => {
    const { engine } = makeEngine();
    const url = await serve(engine, { am: { parser: parseAlertmanager, verify: () => true } }, { maxBodyBytes: 1024 });
    const response = await postTo(`${url}/ingest/am`, 'x'.repeat(200_000));
    expect(response.status).toBe(413);
    expect(await errorCode(response)).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers 413 to a chunked body without Content-Length once it passes the limit', async () => {
    const { engine } = makeEngine();
    const url = await serve(engine, { am: { parser: parseAlertmanager, verify: () => true } }, { maxBodyBytes: 1024 });
    let chunks = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        chunks += 1;
        if (chunks > 200) controller.close();
        else controller.enqueue(new TextEncoder().encode(' '.repeat(16 * 1024)));
      },
    });
    const response = await fetch(`${url}/ingest/am`, { method: 'POST', body, duplex: 'half' } as RequestInit);
    expect(response.status).toBe(413);
    expect(response.headers.get('connection')).toBe('close');
    expect(await errorCode(response)).toBe('PAYLOAD_TOO_LARGE');
    // The server keeps serving after refusing it.
    const small = await postTo(`${url}/ingest/am`, JSON.stringify({ version: '4', status: 'firing', alerts: [] }));
    expect(small.status).toBe(200);
    expect(((await small.json()) as IngestBody).results).toEqual([]);
  });

  it('accepts a body of exactly maxBodyBytes', async () => {
    const { engine } = makeEngine();
    const size = new TextEncoder().encode(ALERTMANAGER).byteLength;
    const url = await serve(engine, { am: { parser: parseAlertmanager, verify: () => true } }, { maxBodyBytes: size });
    expect((await postTo(`${url}/ingest/am`, ALERTMANAGER)).status).toBe(200);
    expect((await postTo(`${url}/ingest/am`, `${ALERTMANAGER} `)).status).toBe(413);
  });
});

describe('CloudWatch over SNS', () => {
  it('hands a subscription confirmation to onConfirmation instead of ingesting it', async () => {
    const { engine } = makeEngine();
    const confirmations: SnsConfirmation[] = [];
    const url = await serve(engine, {
      cloudwatch: {
        parser: parseCloudWatchSns,
        verify: (request) => request.headers.get('x-amz-sns-topic-arn') === 'arn:aws:sns:us-west-2:123456789012:MyTopic',
        onConfirmation: (confirmation) => {
          confirmations.push(confirmation);
        },
      },
    });
    const headers = { 'x-amz-sns-topic-arn': 'arn:aws:sns:us-west-2:123456789012:MyTopic', 'content-type': 'text/plain; charset=UTF-8' };

    const response = await postTo(`${url}/ingest/cloudwatch`, fixtureText('sns-subscription-confirmation.json'), headers);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      source: 'cloudwatch',
      confirmation: {
        kind: 'subscriptionConfirmation',
        topicArn: 'arn:aws:sns:us-west-2:123456789012:MyTopic',
        messageId: '165545c9-2a5c-472c-8df2-7ff2be2b3b1b',
        handled: true,
      },
      results: [],
    });
    expect(confirmations[0]?.subscribeUrl).toMatch(/^https:\/\/sns\.us-west-2\.amazonaws\.com\//);
    expect((await engine.list()).items).toEqual([]);

    const alarm = await postTo(`${url}/ingest/cloudwatch`, fixtureText('cloudwatch-alarm-sns-http.json'), headers);
    expect(alarm.status).toBe(200);
    expect(((await alarm.json()) as IngestBody).results.map((r) => r.outcome)).toEqual(['created']);
  });
});

describe('onRefused: every 4xx of a configured source is reported', () => {
  /** What onRefused heard, without the request. */
  const summary = (refused: readonly RefusedIngest[]) => refused.map(({ source, status, code }) => ({ source, status, code }));

  it('tells onRefused of a wrong token, an unreadable payload, a body too large and a wrong method, per source', async () => {
    const { engine } = makeEngine();
    const refused: RefusedIngest[] = [];
    const errors: unknown[] = [];
    const url = await serve(
      engine,
      {
        alertmanager: { parser: parseAlertmanager, verify: bearerAuth(TOKEN) },
        grafana: { parser: parseAlertmanager, verify: bearerAuth('grafana-token') },
      },
      { onRefused: (info) => refused.push(info), onError: (error) => errors.push(error), authenticate: () => null },
    );
    const auth = { authorization: `Bearer ${TOKEN}` };

    expect((await postTo(`${url}/ingest/alertmanager`, ALERTMANAGER, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await postTo(`${url}/ingest/alertmanager`, '{"alerts": [', auth)).status).toBe(400);
    expect((await postTo(`${url}/ingest/alertmanager`, 'x'.repeat(100_000), auth)).status).toBe(413);
    expect((await fetch(`${url}/ingest/alertmanager`)).status).toBe(405);
    expect((await postTo(`${url}/ingest/grafana`, ALERTMANAGER, auth)).status).toBe(401);

    expect(summary(refused)).toEqual([
      { source: 'alertmanager', status: 401, code: 'UNAUTHENTICATED' },
      { source: 'alertmanager', status: 400, code: 'VALIDATION_FAILED' },
      { source: 'alertmanager', status: 413, code: 'PAYLOAD_TOO_LARGE' },
      { source: 'alertmanager', status: 405, code: 'METHOD_NOT_ALLOWED' },
      { source: 'grafana', status: 401, code: 'UNAUTHENTICATED' },
    ]);
    expect(new URL(refused[0]?.request.url ?? '').pathname).toBe('/ingest/alertmanager');
    expect(refused[0]?.request.headers.get('authorization')).toBe('Bearer wrong');
    expect(errors).toEqual([]);
  });

  it('does not report accepted webhooks, unconfigured sources, REST refusals or server faults (those go to onError)', async () => {
    const { engine } = makeEngine();
    const refused: RefusedIngest[] = [];
    const errors: unknown[] = [];
    const failing: IncidentEngine = { ...engine, ingest: () => Promise.reject(new AdapterError({ adapter: 'postgres', operation: 'commit' }, 'connection lost')) };
    const url = await serve(
      failing,
      { alertmanager: { parser: parseAlertmanager, verify: bearerAuth(TOKEN) }, open: { parser: parseAlertmanager, verify: () => true } },
      { onRefused: (info) => refused.push(info), onError: (error) => errors.push(error), authenticate: () => null },
    );
    expect((await postTo(`${url}/ingest/open`, JSON.stringify({ version: '4', status: 'firing', alerts: [] }))).status).toBe(200);
    expect((await postTo(`${url}/ingest/unknown-tool`, ALERTMANAGER)).status).toBe(404);
    expect((await postTo(`${url}/ingest/alertmanager/extra`, ALERTMANAGER)).status).toBe(404);
    expect((await fetch(`${url}/incidents`)).status).toBe(401);
    expect((await postTo(`${url}/ingest/alertmanager`, ALERTMANAGER, { authorization: `Bearer ${TOKEN}` })).status).toBe(503);
    expect(refused).toEqual([]);
    expect(errors).toHaveLength(1);
  });

  it('answers the same when onRefused throws or rejects', async () => {
    const { engine } = makeEngine();
    let calls = 0;
    const throwing = await serve(engine, { alertmanager: { parser: parseAlertmanager, verify: bearerAuth(TOKEN) } }, {
      onRefused: () => {
        calls += 1;
        throw new Error('metrics backend down');
      },
    });
    const response = await postTo(`${throwing}/ingest/alertmanager`, ALERTMANAGER);
    expect(response.status).toBe(401);
    expect(await errorCode(response)).toBe('UNAUTHENTICATED');
    await server?.close();

    const rejecting = await serve(engine, { alertmanager: { parser: parseAlertmanager, verify: bearerAuth(TOKEN) } }, {
      onRefused: async () => {
        calls += 1;
        await Promise.resolve();
        throw new Error('metrics backend down');
      },
    });
    expect((await postTo(`${rejecting}/ingest/alertmanager`, ALERTMANAGER)).status).toBe(401);
    expect(calls).toBe(2);
  });

  it('refuses an onRefused that is not a function, naming it', () => {
    const { engine } = makeEngine();
    const error = thrown(() => createIncidentHandler(engine, { onRefused: 'console.warn' as never }), 'CONFIG_INVALID');
    expect(error.details.issues.map((issue) => issue.path.join('.'))).toEqual(['onRefused']);
  });
});
