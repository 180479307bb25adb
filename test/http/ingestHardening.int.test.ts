/**
 * Issue 16, on every store (memory, SQLite, PostgreSQL): NUL never reaches a store (refused with
 * `400` on REST routes, stripped from monitoring tools' alerts), a batch's outcome is per
 * signal, and a source's signals touch only the incidents of its own dedup namespace.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { IncidentEngine } from '../../src/incidentEngine.js';
import { createIncidentHandler, type IncidentHandler, type IngestSource, type RefusedIngest } from '../../src/http/createIncidentHandler.js';
import type { ErrorBody } from '../../src/http/errorResponse.js';
import { bearerAuth } from '../../src/http/verifiers.js';
import type { Signal } from '../../src/model/signal.js';
import { parseAlertmanager } from '../../src/sources/parseAlertmanager.js';
import { fuzzStores } from '../fuzz/stores.js';
import { makeEngine } from '../helpers.js';

const ALICE = { id: 'u_alice', name: 'Alice' } as const;
const STORES = fuzzStores('ingestHardening.int');
const ALL_STORES = [STORES.memory, ...STORES.sql];

afterAll(async () => {
  for (const store of STORES.sql) await store.close();
});

interface IngestBody {
  readonly source: string;
  readonly results: readonly { fingerprint: unknown; status: unknown; outcome: string; incidentId?: string; error?: { code: string; issues: unknown[] } }[];
}

function alert(fingerprint: string, labels: Record<string, string>, status = 'firing') {
  return {
    status,
    labels: { alertname: 'InstanceDown', severity: 'critical', ...labels },
    annotations: { summary: `${labels.instance ?? 'x'} is down` },
    startsAt: '2026-01-01T00:00:00Z',
    endsAt: status === 'resolved' ? '2026-01-01T00:10:00Z' : '0001-01-01T00:00:00Z',
    generatorURL: 'https://prometheus.example.com/graph',
    fingerprint,
  };
}

function alertmanagerBody(alerts: readonly unknown[]): string {
  return JSON.stringify({ version: '4', status: 'firing', receiver: 'incidentkit', groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: 'https://am.example.com', alerts });
}

function post(handler: IncidentHandler, path: string, body: string, token = 'Bearer t'): Promise<Response> {
  return handler(new Request(`http://localhost${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: token }, body }));
}

function handlerFor(engine: IncidentEngine, sources: Record<string, IngestSource>, refused: RefusedIngest[] = []): IncidentHandler {
  return createIncidentHandler(engine, {
    sources,
    authenticate: (request) => (request.headers.get('authorization') === 'Bearer alice' ? ALICE : null),
    onError: (error) => {
      throw error;
    },
    onRefused: (r) => refused.push(r),
  });
}

describe.each(ALL_STORES)('on the $name store', (store) => {
  describe.skipIf(store.skip !== undefined)(`NUL and per-signal outcomes${store.skip === undefined ? '' : ` (skipped: ${store.skip})`}`, () => {
    it('an Alertmanager batch with NUL in one alert ingests every alert, NUL removed', async () => {
      const { engine } = makeEngine({ store: store.create() });
      const handler = handlerFor(engine, { alertmanager: { parser: parseAlertmanager, verify: () => true } });
      const body = alertmanagerBody([
        alert('aaa\u0000', { instance: 'lab\u0000-1', 'team\u0000': 'x\u0000y' }),
        alert('bbb', { instance: 'web-1', service: 'checkout' }),
      ]);
      const response = await post(handler, '/ingest/alertmanager', body);
      expect(response.status).toBe(200);
      const { results } = (await response.json()) as IngestBody;
      expect(results.map((r) => r.outcome)).toEqual(['created', 'created']);
      const outage = await engine.get(results[1]?.incidentId ?? '');
      expect(outage).toMatchObject({ service: 'checkout', title: 'web-1 is down' });
      const nul = await engine.get(results[0]?.incidentId ?? '');
      expect(JSON.stringify(nul)).not.toContain('\\u0000');
      expect(nul.labels).toMatchObject({ instance: 'lab-1', team: 'xy' });
      // The same alert again is the same incident: the cleaned fingerprint is stable.
      const again = (await (await post(handler, '/ingest/alertmanager', body)).json()) as IngestBody;
      expect(again.results.map((r) => r.outcome)).toEqual(['deduplicated', 'deduplicated']);
    });

    it('every REST route refuses NUL with 400 VALIDATION_FAILED, never a 5xx', async () => {
      const { engine } = makeEngine({ store: store.create() });
      const handler = handlerFor(engine, {});
      const incident = await engine.declare({ title: 'Seeded', severity: 'SEV3', actor: ALICE });
      const get = (path: string) => handler(new Request(`http://localhost${path}`, { headers: { authorization: 'Bearer alice' } }));
      const answers = [
        await get('/incidents/inc_%00'),
        await get('/incidents/inc_%00/timeline'),
        await get('/incidents?service=a%00b'),
        await get('/incidents?cursor=%00'),
        await post(handler, '/incidents', JSON.stringify({ title: 'a\u0000b', severity: 'SEV3' }), 'Bearer alice'),
        await post(handler, '/incidents', JSON.stringify({ title: 'ok', severity: 'SEV3', labels: { 'k\u0000': 'v' } }), 'Bearer alice'),
        await post(handler, '/incidents', JSON.stringify({ title: 'ok', severity: 'SEV3', fields: { a: ['\u0000'] } }), 'Bearer alice'),
        await post(handler, `/incidents/${incident.id}/addNote`, JSON.stringify({ text: '\u0000' }), 'Bearer alice'),
        await post(handler, `/incidents/${incident.id}/assignRole`, JSON.stringify({ role: 'commander', assignee: 'u\u0000' }), 'Bearer alice'),
      ];
      for (const answer of answers) {
        expect(answer.status).toBe(400);
        expect(((await answer.json()) as ErrorBody).error.code).toBe('VALIDATION_FAILED');
      }
      await expect(engine.declare({ title: 'ok', severity: 'SEV3', actor: { id: 'u\u0000' } })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    });

    it('a custom parser batch with a malformed signal answers 200 listing it as rejected; all malformed answers 400', async () => {
      const { engine } = makeEngine({ store: store.create() });
      const good = { source: 'cron', fingerprint: 'backup', status: 'firing', severity: 'SEV3', summary: 'Backup failed', startsAt: '2026-01-01T00:00:00Z' };
      const bad = { ...good, fingerprint: 'f\u0000' };
      let batch: unknown[] = [];
      const refused: RefusedIngest[] = [];
      const handler = handlerFor(engine, { cron: { parser: () => batch as Signal[], verify: () => true } }, refused);
      batch = [bad, good];
      const mixed = await post(handler, '/ingest/cron', '{}');
      expect(mixed.status).toBe(200);
      const { results } = (await mixed.json()) as IngestBody;
      expect(results.map((r) => r.outcome)).toEqual(['rejected', 'created']);
      expect(results[0]?.error).toMatchObject({ code: 'VALIDATION_FAILED', issues: [expect.objectContaining({ path: ['fingerprint'] })] });
      expect(refused).toEqual([]);
      batch = [bad, { ...good, summary: '\u0000' }];
      const allBad = await post(handler, '/ingest/cron', '{}');
      expect(allBad.status).toBe(400);
      const error = ((await allBad.json()) as ErrorBody).error;
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(refused.map((r) => [r.source, r.status, r.code])).toEqual([['cron', 400, 'VALIDATION_FAILED']]);
      expect((await engine.list()).items).toHaveLength(1);
    });
  });
});

describe('source namespaces (issue 16)', () => {
  const fingerprint = 'c0ffee';
  const firing = alertmanagerBody([alert(fingerprint, { instance: 'db-1', service: 'db' })]);
  const resolved = alertmanagerBody([alert(fingerprint, { instance: 'db-1', service: 'db' }, 'resolved')]);

  it("a lab source cannot resolve or acknowledge prod's incident by posting the same fingerprint", async () => {
    const { engine } = makeEngine();
    const handler = createIncidentHandler(engine, {
      sources: {
        prod: { parser: parseAlertmanager, verify: bearerAuth('prod-token') },
        lab: { parser: parseAlertmanager, verify: bearerAuth('lab-token') },
      },
    });
    const prod = (await (await post(handler, '/ingest/prod', firing, 'Bearer prod-token')).json()) as IngestBody;
    const id = prod.results[0]?.incidentId ?? '';
    const incident = await engine.get(id);
    expect(incident).toMatchObject({ dedupKey: `ns:prod:${fingerprint}`, createdBy: { kind: 'integration', id: 'prod' } });

    const labResolve = (await (await post(handler, '/ingest/lab', resolved, 'Bearer lab-token')).json()) as IngestBody;
    expect(labResolve.results.map((r) => r.outcome)).toEqual(['ignored']);
    const labFiring = (await (await post(handler, '/ingest/lab', firing, 'Bearer lab-token')).json()) as IngestBody;
    expect(labFiring.results[0]).toMatchObject({ outcome: 'created' });
    expect(labFiring.results[0]?.incidentId).not.toBe(id);
    const labAgain = (await (await post(handler, '/ingest/lab', resolved, 'Bearer lab-token')).json()) as IngestBody;
    expect(labAgain.results[0]).toMatchObject({ outcome: 'resolved', incidentId: labFiring.results[0]?.incidentId });
    expect((await engine.get(id)).status).toBe('triage');

    const prodResolve = (await (await post(handler, '/ingest/prod', resolved, 'Bearer prod-token')).json()) as IngestBody;
    expect(prodResolve.results[0]).toMatchObject({ outcome: 'resolved', incidentId: id });
    const timeline = await engine.timeline(id);
    expect(timeline.at(-1)?.actor).toEqual({ kind: 'integration', id: 'prod' });
  });

  it('with an explicit shared namespace, sources share incidents', async () => {
    const { engine } = makeEngine();
    const handler = createIncidentHandler(engine, {
      sources: {
        prod: { parser: parseAlertmanager, verify: () => true, dedupNamespace: 'ops' },
        backup: { parser: parseAlertmanager, verify: () => true, dedupNamespace: 'ops' },
      },
    });
    const prod = (await (await post(handler, '/ingest/prod', firing)).json()) as IngestBody;
    const backup = (await (await post(handler, '/ingest/backup', resolved)).json()) as IngestBody;
    expect(backup.results[0]).toMatchObject({ outcome: 'resolved', incidentId: prod.results[0]?.incidentId });
  });

  it("dedupNamespace 'shared' is the tenant-wide namespace of engine.ingest and of keys stored before namespaces", async () => {
    const { engine } = makeEngine();
    // An incident opened before this version (or by engine.ingest without a namespace): key without a namespace.
    const [legacy] = await engine.ingest(parseAlertmanager(firing));
    expect(legacy?.incident?.dedupKey).toBe(fingerprint);
    const handler = createIncidentHandler(engine, { sources: { alertmanager: { parser: parseAlertmanager, verify: () => true, dedupNamespace: 'shared' } } });
    const answer = (await (await post(handler, '/ingest/alertmanager', resolved)).json()) as IngestBody;
    expect(answer.results[0]).toMatchObject({ outcome: 'resolved', incidentId: legacy?.incident?.id });
  });

  it('authorize decides per source: the ingest request names the source', async () => {
    const asked: string[] = [];
    const { engine } = makeEngine({
      authorize: ({ actor, action }) => {
        if (action === 'ingest') asked.push(actor.id);
        return action !== 'ingest' || actor.id === 'prod';
      },
    });
    const handler = createIncidentHandler(engine, {
      sources: { prod: { parser: parseAlertmanager, verify: () => true }, lab: { parser: parseAlertmanager, verify: () => true } },
    });
    expect((await post(handler, '/ingest/lab', firing)).status).toBe(403);
    expect((await post(handler, '/ingest/prod', firing)).status).toBe(200);
    expect(asked).toEqual(['lab', 'prod']);
  });

  it('refuses an invalid dedupNamespace with CONFIG_INVALID', () => {
    const { engine } = makeEngine();
    expect(() => createIncidentHandler(engine, { sources: { a: { parser: parseAlertmanager, verify: () => true, dedupNamespace: 'a:b' } } })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });
});

describe('one bad alert never sinks the others (issue 16)', () => {
  it('an Alertmanager batch with unreadable alerts ingests the readable ones and reports the others by position', async () => {
    const { engine } = makeEngine();
    const refused: RefusedIngest[] = [];
    const handler = handlerFor(engine, { alertmanager: { parser: parseAlertmanager, verify: () => true } }, refused);
    const body = alertmanagerBody([
      { ...alert('aaa', { instance: 'db-1' }), startsAt: 'not a time' },
      alert('bbb', { instance: 'web-1', service: 'checkout' }),
      { ...alert('ccc', { instance: 'db-2' }), status: 'exploding' },
      alert('ddd', { instance: 'web-2', service: 'search' }),
    ]);
    const response = await post(handler, '/ingest/alertmanager', body);
    expect(response.status).toBe(200);
    const { results } = (await response.json()) as { results: readonly { outcome: string; fingerprint?: string; alert?: number; error?: { code: string; issues: { path: unknown[] }[] } }[] };
    expect(results.map((r) => [r.outcome, r.fingerprint ?? r.alert])).toEqual([
      ['created', 'bbb'],
      ['created', 'ddd'],
      ['rejected', 0],
      ['rejected', 2],
    ]);
    expect(results[2]?.error?.code).toBe('VALIDATION_FAILED');
    expect(results[2]?.error?.issues[0]?.path).toEqual(['alerts', 0, 'startsAt']);
    expect(results[3]?.error?.issues[0]?.path).toEqual(['alerts', 1, 'status']);
    expect((await engine.list({})).items.map((i) => i.service).sort()).toEqual(['checkout', 'search']);
    expect(refused).toEqual([]);
  });

  it('refuses the whole request with 400 when not one alert can be read, and reports it', async () => {
    const { engine } = makeEngine();
    const refused: RefusedIngest[] = [];
    const handler = handlerFor(engine, { alertmanager: { parser: parseAlertmanager, verify: () => true } }, refused);
    const response = await post(handler, '/ingest/alertmanager', alertmanagerBody([{ ...alert('aaa', { instance: 'db-1' }), startsAt: 'never' }]));
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).error.code).toBe('VALIDATION_FAILED');
    expect(refused.map((r) => [r.source, r.status])).toEqual([['alertmanager', 400]]);
    expect((await engine.list({})).items).toEqual([]);
  });
});
