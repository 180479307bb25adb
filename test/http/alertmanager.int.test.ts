/**
 * A real Prometheus Alertmanager (Debian's prometheus-alertmanager, found or installed by
 * test/setup/alertmanager.ts) pages incidentkit as users run it: on 127.0.0.1, with its own
 * config file and storage, through its `webhook_configs` (to `POST /ingest/alertmanager`) and its
 * `pagerduty_configs` (with `url:` pointing at `POST /v2/enqueue`). Alerts are posted to its v2
 * API: one fires, is posted again, a second joins its group, and both resolve. The config is read
 * from docs/ingest.md ("Point your Alertmanager / Grafana / Datadog at incidentkit"), so the
 * recipe users copy is the one that ran here.
 *
 * No fixed sleeps: every step polls what incidentkit has (or Alertmanager's API) until a deadline.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createIncidentEngine, memoryStore, type Incident, type IncidentEngine } from '../../src/index.js';
import { bearerAuth, createIncidentHandler, type RefusedIngest } from '../../src/http/index.js';
import { parseAlertmanager } from '../../src/sources/index.js';
import { markPostgresSuiteRan } from '../setup/postgres.js';
import { startServer, type TestServer } from './server.js';

const available = inject('alertmanager');

/**
 * Runs `"$@"` (Alertmanager) while process `$1` (this test process) lives: stops it when that
 * process is gone (a killed vitest leaves no Alertmanager behind) or when this script gets SIGTERM.
 */
const WATCHED = `watch=$1; shift; "$@" & child=$!
trap 'kill "$child" 2>/dev/null; wait "$child"; exit 0' TERM INT
while kill -0 "$watch" 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 1 & wait $!; done
kill "$child" 2>/dev/null; wait "$child"`;
const TOKEN = 'am-webhook-token-5b1e';
const ROUTING_KEY = 'a3c1e0d2b4f6489a9c7d5e3f1a2b4c6d';
/** How long one step may take: Alertmanager flushes a group after group_wait / group_interval (1 s). */
const DEADLINE_MS = 30_000;

/** A free TCP port on 127.0.0.1 (taken and released; Alertmanager binds it right after). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Polls `probe` until it returns something other than `undefined`, or fails with `what` at the deadline. */
async function eventually<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const until = Date.now() + DEADLINE_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The Alertmanager config docs/ingest.md shows (the ```yaml block after its marker), with this test's URL, token and key. */
function alertmanagerConfig(incidentkit: string): string {
  const doc = readFileSync(new URL('../../docs/ingest.md', import.meta.url), 'utf8');
  const block = /<!-- alertmanager\.yml: read by test\/http\/alertmanager\.int\.test\.ts -->\n```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
  if (block === undefined) throw new Error('docs/ingest.md lost its Alertmanager config block');
  return block.replaceAll('INCIDENTKIT_URL', incidentkit).replaceAll('ALERTMANAGER_TOKEN', TOKEN).replaceAll('ROUTING_KEY', ROUTING_KEY);
}

describe.skipIf(available.bin === null)(`a real Alertmanager pages incidentkit${available.bin === null ? ` (skipped: ${available.reason})` : ''}`, () => {
  let engine: IncidentEngine;
  let server: TestServer;
  let alertmanager: ChildProcess | undefined;
  let api = '';
  let dir = '';
  let logs = '';
  const refused: RefusedIngest[] = [];

  beforeAll(async () => {
    markPostgresSuiteRan('alertmanager.int');
    engine = createIncidentEngine({ store: memoryStore() });
    server = await startServer(
      createIncidentHandler(engine, {
        sources: { alertmanager: { parser: parseAlertmanager, verify: bearerAuth(TOKEN) } },
        routingKeys: { [ROUTING_KEY]: { service: 'storage', integration: 'alertmanager-pd' } },
        onRefused: (r) => refused.push(r),
      }),
    );
    dir = mkdtempSync(join(tmpdir(), 'incidentkit-alertmanager-'));
    writeFileSync(join(dir, 'alertmanager.yml'), alertmanagerConfig(server.url));
    const port = await freePort();
    api = `http://127.0.0.1:${String(port)}`;
    // Through a watcher, so Alertmanager stops with this test process even when vitest is killed.
    alertmanager = spawn(
      'bash',
      [
        '-c',
        WATCHED,
        'alertmanager-watch',
        String(process.pid),
        available.bin ?? 'prometheus-alertmanager',
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${String(port)}`,
        '--cluster.listen-address=',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    alertmanager.stdout?.on('data', (chunk: Buffer) => (logs += chunk.toString()));
    alertmanager.stderr?.on('data', (chunk: Buffer) => (logs += chunk.toString()));
    await eventually('Alertmanager to be ready', async () => {
      if (alertmanager?.exitCode !== null) throw new Error(`Alertmanager exited: ${logs}`);
      const ready = await fetch(`${api}/-/ready`).catch(() => undefined);
      return ready?.ok === true ? true : undefined;
    });
  }, 60_000);

  afterAll(async () => {
    const child = alertmanager;
    if (child?.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await server.close();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  const startsAt = new Date().toISOString();
  const alert = (instance: string, endsAt?: string) => ({
    labels: { alertname: 'DiskFull', severity: 'critical', service: 'storage', instance },
    annotations: { summary: `Disk almost full on ${instance}` },
    startsAt,
    ...(endsAt === undefined ? {} : { endsAt }),
  });
  async function post(alerts: readonly unknown[]): Promise<void> {
    const response = await fetch(`${api}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
    expect(response.status, await response.text()).toBe(200);
  }
  const incidents = async (): Promise<Incident[]> => [...(await engine.list({ limit: 100 })).items].sort((a, b) => a.detectedAt.localeCompare(b.detectedAt));
  const viaWebhook = (list: readonly Incident[]) => list.filter((i) => i.createdBy.id === 'alertmanager');
  const viaPagerDuty = (list: readonly Incident[]) => list.filter((i) => i.createdBy.id === 'alertmanager-pd');

  it('fires, repeats, groups and resolves through webhook_configs and pagerduty_configs as docs/ingest.md says', async () => {
    // 1. One alert fires: one incident per path.
    await post([alert('db1')]);
    const opened = await eventually('an incident from each receiver', async () => {
      const list = await incidents();
      return viaWebhook(list).length === 1 && viaPagerDuty(list).length === 1 ? list : undefined;
    });
    const [fromWebhook] = viaWebhook(opened);
    const [fromPagerDuty] = viaPagerDuty(opened);
    expect(fromWebhook).toMatchObject({ title: 'Disk almost full on db1', severity: 'SEV1', service: 'storage', status: 'triage', alertCount: 1, signalCount: 1 });
    // Alertmanager's default PagerDuty description: the group's status, alert count and labels.
    expect(fromPagerDuty).toMatchObject({ title: '[FIRING:1] DiskFull (db1 storage critical)', severity: 'SEV1', service: 'storage', status: 'triage', alertCount: 1, signalCount: 1 });

    // 2. The same alert posted again: Alertmanager deduplicates it itself (same fingerprint, nothing
    // new to notify within repeat_interval). 3. A second alert joins the group: Alertmanager
    // notifies the group again, carrying the first alert too.
    await post([alert('db1')]);
    await post([alert('db2')]);
    const grown = await eventually('the second alert to arrive', async () => {
      const list = await incidents();
      return viaWebhook(list).length === 2 && (await engine.get(fromPagerDuty?.id ?? '')).signalCount === 2 ? list : undefined;
    });
    // Webhook: each alert is its own fingerprint, so without `groupBy` the second opens its own
    // incident, and the first, repeated in the group's notification, is counted (`deduplicated`).
    const first = await engine.get(fromWebhook?.id ?? '');
    expect(first).toMatchObject({ alertCount: 1, signalCount: 2 });
    expect(first.alerts[0]).toMatchObject({ status: 'firing', count: 2 });
    expect(viaWebhook(grown)[1]).toMatchObject({ title: 'Disk almost full on db2', alertCount: 1, signalCount: 1 });
    // PagerDuty: Alertmanager sends one event per group, with the group's dedup_key: a repeat.
    const paged = await engine.get(fromPagerDuty?.id ?? '');
    expect(paged).toMatchObject({ alertCount: 1, signalCount: 2, status: 'triage' });
    expect(paged.alerts[0]).toMatchObject({ status: 'firing', count: 2 });
    expect((await engine.timeline(first.id)).map((e) => e.type)).toEqual(['DECLARED']);

    // 4. Both resolve: every incident auto-resolves (its alerts resolved at the source).
    const now = new Date().toISOString();
    await post([alert('db1', now), alert('db2', now)]);
    const resolved = await eventually('every incident to auto-resolve', async () => {
      const list = await incidents();
      return list.length === 3 && list.every((i) => i.status === 'resolved') ? list : undefined;
    });
    for (const incident of resolved) {
      expect(incident).toMatchObject({ unresolvedAlertCount: 0 });
      const types = (await engine.timeline(incident.id)).map((e) => e.type);
      expect(types).toEqual(['DECLARED', 'ALERT_STATUS_CHANGED', 'RESOLVED']);
    }
    expect(refused).toEqual([]);
  }, 120_000);
});
