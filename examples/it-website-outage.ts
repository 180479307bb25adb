/**
 * The IT scenario end to end: a server failure takes the website down.
 *
 * 1. Alertmanager posts its webhook to incidentkit's HTTP handler; an incident opens.
 * 2. Nobody acknowledges, so the escalation policy pages the next level (a durable timer).
 * 3. The on-call engineer acknowledges, takes command, redirects traffic to the backup
 *    servers (mitigated), records the cause (a hardware fault) and restores the site (resolved).
 * 4. Alertmanager reports the alert resolved.
 * 5. The team reviews: action items (upgrade the server, add monitoring), a postmortem written
 *    to a Markdown file.
 * Notifications go to a local webhook receiver (signed per Standard Webhooks) and the console;
 * metrics over this and past incidents are printed at the end.
 *
 * Run it with `npx tsx examples/it-website-outage.ts [sqlite-file | --memory]`
 * (default: a fresh SQLite file in .tmp/).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  buildPostmortem,
  computeMetrics,
  consoleNotifier,
  createIncidentEngine,
  definePlaybook,
  generateWebhookSecret,
  memoryStore,
  renderMetricsMarkdown,
  renderPostmortemMarkdown,
  verifyWebhookSignature,
  webhookNotifier,
  websiteOutagePlaybook,
  type StorageAdapter,
} from 'incidentkit';
import { bearerAuth, createIncidentHandler } from 'incidentkit/http';
import { parseAlertmanager } from 'incidentkit/ingest';
import { sqliteStore } from 'incidentkit/sqlite';
import { createManualClock } from 'incidentkit/testing';

// ---- storage: a SQLite file by default ---------------------------------------------------------
const arg = process.argv[2];
let store: StorageAdapter;
let db: Database.Database | undefined;
if (arg === '--memory') {
  store = memoryStore();
} else {
  const file = arg ?? '.tmp/it-website-outage.sqlite';
  mkdirSync(dirname(file), { recursive: true });
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  db = new Database(file);
  db.pragma('journal_mode = WAL');
  store = sqliteStore(db);
}

// The story runs on a manual clock so it takes seconds, not hours; the workers are driven by hand.
const clock = createManualClock('2026-11-29T02:14:00.000Z');

// ---- a local webhook receiver standing in for the team's chat bridge ---------------------------
const secret = generateWebhookSecret();
const received: { headers: IncomingHttpHeaders; body: string; at: Date }[] = [];
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    // `at` is the story's time (the manual clock), which the signature timestamp also uses.
    received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: clock.now() });
    res.writeHead(204).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const receiverUrl = `http://127.0.0.1:${String((receiver.address() as AddressInfo).port)}/incident-events`;

// ---- the engine ---------------------------------------------------------------------------------
/** Time passes; the host's workers (here called by hand) fire due timers and deliver messages. */
async function minutes(n: number): Promise<void> {
  clock.advance(n * 60_000);
  await engine.tick();
  await engine.dispatch();
}
const engine = createIncidentEngine({
  store,
  clock,
  notifiers: {
    console: consoleNotifier({ log: (line) => { console.log(`  [console notifier] ${line.split('\n')[0] ?? ''}`); } }),
    chat: webhookNotifier({ url: receiverUrl, secret }),
  },
  policies: {
    escalation: {
      levels: [
        { afterMinutes: 5, targets: ['schedule:web-primary'] },
        { afterMinutes: 10, targets: ['schedule:web-secondary', 'user:eng-manager'] },
      ],
    },
    targets: { SEV1: { acknowledgeWithinMinutes: 15, resolveWithinMinutes: 120 } },
  },
  ingest: { groupBy: ['alertname', 'service'] },
  // The shipped website-outage checklist, for incidents of the www service: the status page and
  // the failover must be done before mitigating, recovery verified before resolving.
  playbooks: [definePlaybook({ ...websiteOutagePlaybook, appliesTo: { services: ['www'] } })],
});

// ---- the HTTP handler Alertmanager posts to -----------------------------------------------------
const handler = createIncidentHandler(engine, {
  basePath: '/api/incidentkit',
  sources: { alertmanager: { parser: parseAlertmanager, verify: bearerAuth('alertmanager-token') } },
  authenticate: () => ({ id: 'u_dana', name: 'Dana (on call)' }),
});

function alertmanagerPayload(status: 'firing' | 'resolved'): unknown {
  return {
    version: '4',
    groupKey: '{}:{alertname="SiteDown"}',
    status,
    receiver: 'incidentkit',
    groupLabels: { alertname: 'SiteDown' },
    commonLabels: { alertname: 'SiteDown', service: 'www', severity: 'critical' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.internal:9093',
    alerts: [
      {
        status,
        labels: { alertname: 'SiteDown', service: 'www', instance: 'web-01', severity: 'critical' },
        annotations: { summary: 'www.example.com is down: web-01 does not answer', runbook_url: 'https://runbooks.example.com/site-down' },
        startsAt: '2026-11-29T02:12:30Z',
        endsAt: status === 'resolved' ? '2026-11-29T03:40:00Z' : '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus.internal:9090/graph?g0.expr=up%7Bjob%3D%22www%22%7D',
        fingerprint: 'c3a1e9f0b2d44f57',
      },
    ],
  };
}

async function postAlert(status: 'firing' | 'resolved'): Promise<unknown> {
  const response = await handler(
    new Request('http://incidentkit.local/api/incidentkit/ingest/alertmanager', {
      method: 'POST',
      headers: { authorization: 'Bearer alertmanager-token', 'content-type': 'application/json' },
      body: JSON.stringify(alertmanagerPayload(status)),
    }),
  );
  return response.json();
}

const dana = { id: 'u_dana', name: 'Dana (on call)' };
const lee = { id: 'u_lee', name: 'Lee (SRE lead)' };

console.log('02:14  Alertmanager posts SiteDown (firing)');
const opened = (await postAlert('firing')) as { results: { outcome: string; incidentId?: string }[] };
console.log(`       → ${JSON.stringify(opened.results)}`);
const id = opened.results[0]?.incidentId ?? '';
await minutes(0); // deliver the DECLARED messages

await minutes(6);
console.log('02:20  nobody has acknowledged: level 1 was paged at 02:19');
await minutes(4);

console.log('02:24  Dana acknowledges and takes command');
await engine.acknowledge(id, { actor: dana });
await engine.assignRole(id, { role: 'commander', assignee: dana, actor: dana });
await engine.completeTask(id, { taskId: 'website-outage:declare', actor: dana });
await engine.completeTask(id, { taskId: 'website-outage:page-oncall', actor: dana });
await engine.postUpdate(id, { audience: 'stakeholders', message: 'The website is down. We are redirecting traffic to the backup servers.', actor: dana });
await minutes(0);
await minutes(11);
console.log('02:35  traffic redirected to the backup servers');
await engine.completeTask(id, { taskId: 'website-outage:status-page', evidence: 'https://status.example.com/incidents/site-down-2026-11-29', actor: dana });
await engine.completeTask(id, { taskId: 'website-outage:failover', actor: dana });
await engine.mitigate(id, { summary: 'Load balancer now sends all traffic to the backup pool (web-11, web-12).', actor: dana });
await minutes(0);
await minutes(40);
await engine.recordRootCause(id, {
  summary: 'Hardware fault: the RAID controller of web-01 failed and the host stopped serving.',
  contributingFactors: ['No alert on RAID controller health', 'Failover to the backup pool is manual'],
  actor: dana,
});
await minutes(30);
console.log('03:45  web-01 repaired and back in the pool; Alertmanager reports the alert resolved');
await engine.completeTask(id, { taskId: 'website-outage:verify', evidence: 'Synthetic checks from 3 regions green for 10 minutes; error rate back to 0.02 %.', actor: dana });
await engine.resolve(id, { summary: 'Controller replaced; web-01 back in rotation, traffic rebalanced.', actor: dana });
const resolvedAlert = (await postAlert('resolved')) as { results: { outcome: string }[] };
console.log(`       → ${JSON.stringify(resolvedAlert.results)}`);
await minutes(0);
await minutes(15);
console.log('04:00  support emails the affected customers: the site is back');
await engine.completeTask(id, { taskId: 'website-outage:customer-update', actor: lee });

await minutes(60 * 24);
console.log('next day  post-incident review');
await engine.startReview(id, { owner: lee.id, actor: lee });
await engine.addActionItem(id, { title: 'Upgrade web-01 to a redundant-controller server', owner: 'u_ops', dueAt: '2026-12-20T00:00:00Z', kind: 'prevent', strength: 'stronger', actor: lee });
await engine.addActionItem(id, { title: 'Alert on RAID controller health for every web host', owner: 'u_dana', dueAt: '2026-12-06T00:00:00Z', kind: 'detect', strength: 'stronger', actor: lee });
await engine.completeReview(id, { summary: 'Blameless review with web, SRE and support.', actor: lee });
const closed = await engine.close(id, { actor: lee });
await minutes(0);

const timeline = await engine.timeline(id);
const review = buildPostmortem(closed, timeline);
const markdown = renderPostmortemMarkdown(review);
mkdirSync('.tmp', { recursive: true });
writeFileSync('.tmp/it-website-outage-postmortem.md', markdown);
console.log(`\nPostmortem written to .tmp/it-website-outage-postmortem.md (${String(markdown.split('\n').length)} lines)`);

// ---- what the chat bridge got, verified as a receiver would -------------------------------------
let verified = 0;
for (const request of received) {
  if (await verifyWebhookSignature({ secret, headers: request.headers, body: request.body, now: request.at })) verified += 1;
}
const kinds = received.map((request) => (JSON.parse(request.body) as { type: string }).type);
console.log(`\nWebhook receiver got ${String(received.length)} signed messages (${String(verified)} verified): ${kinds.join(', ')}`);
console.log(`Timeline: ${timeline.map((event) => event.type).join(' → ')}`);
console.log('\nKey moments (from the review):');
for (const entry of review.keyTimeline) console.log(`  ${entry.at.slice(0, 16).replace('T', ' ')} UTC  ${entry.text}`);
console.log(`Timeline verifies: ${JSON.stringify(await engine.verifyTimeline(id))}`);
console.log('\nPlaybook tasks (website-outage):');
for (const task of closed.tasks ?? []) console.log(`  ${task.status.padEnd(7)} ${(task.completedAt ?? '').slice(0, 16).replace('T', ' ')} UTC  ${task.title}${task.completionEvidence === undefined ? '' : ` (${task.completionEvidence})`}`);

// ---- metrics over history: two past outages imported from the old tool, plus this one ------------
await engine.importIncident({
  title: 'www slow after CDN change',
  severity: 'SEV2',
  service: 'www',
  milestones: { detectedAt: '2026-09-02T10:00:00Z', acknowledgedAt: '2026-09-02T10:03:00Z', resolvedAt: '2026-09-02T11:10:00Z', closedAt: '2026-09-05T09:00:00Z' },
  actor: lee,
});
await engine.importIncident({
  title: 'www certificate expired',
  severity: 'SEV1',
  service: 'www',
  milestones: { detectedAt: '2026-10-14T06:30:00Z', acknowledgedAt: '2026-10-14T06:41:00Z', mitigatedAt: '2026-10-14T07:05:00Z', resolvedAt: '2026-10-14T07:20:00Z' },
  actor: lee,
});
const metrics = await computeMetrics(engine.scan(), { groupBy: 'severity' });
const imported = (await engine.list({ limit: 500 })).items.filter((incident) => incident.imported === true).length;
console.log(`\nMetrics over ${String(metrics.overall.count)} incidents: this outage and ${String(imported)} past ones imported from the old tool.`);
console.log(`\n${renderMetricsMarkdown(metrics)}`);

receiver.close();
db?.close();
