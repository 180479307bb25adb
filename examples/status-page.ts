/**
 * A public status page for the IT scenario: the website goes down, traffic fails over to the
 * backup servers, the site is restored, and customers follow it all on the page.
 *
 * 1. A page with grouped components linked to services (`defineStatusPage`).
 * 2. The outage is declared on the `www` service and published with a public name, impact and
 *    body (`engine.publish`); public updates follow as the team works: identified → monitoring →
 *    resolved (`engine.postPublicUpdate`). Internal notes and updates are written alongside and
 *    never reach the page.
 * 3. `createStatusPageHandler` serves the page over `node:http`: the HTML page at `/`, the
 *    Statuspage-compatible JSON under `/api/v2/`, and the Atom and RSS feeds.
 *
 * Run it with `npx tsx examples/status-page.ts [sqlite-file | --memory]` (default: a fresh
 * SQLite file in .tmp/). It serves on 127.0.0.1, on `PORT` or any free port, until you stop it
 * (Ctrl-C); the URLs are printed once the story has run.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { createIncidentEngine, defineStatusPage, memoryStore, type StorageAdapter } from 'incidentkit';
import { toNodeListener } from 'incidentkit/http';
import { sqliteStore } from 'incidentkit/sqlite';
import { createStatusPageHandler } from 'incidentkit/status-page';
import { createManualClock } from 'incidentkit/testing';

// ---- storage: a SQLite file by default ---------------------------------------------------------
const arg = process.argv[2];
let store: StorageAdapter;
let db: Database.Database | undefined;
if (arg === '--memory') {
  store = memoryStore();
} else {
  const file = arg ?? '.tmp/status-page.sqlite';
  mkdirSync(dirname(file), { recursive: true });
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  db = new Database(file);
  db.pragma('journal_mode = WAL');
  store = sqliteStore(db);
}

// ---- the page: components grouped as customers see the product, linked to incident services ----
const page = defineStatusPage({
  id: 'example',
  name: 'Example Inc.',
  url: 'https://status.example.com',
  timeZone: 'Europe/Berlin',
  components: [
    { id: 'website', name: 'Website', description: 'www.example.com', group: 'Web', services: ['www'] },
    { id: 'checkout', name: 'Checkout', description: 'Orders and payments', group: 'Web', services: ['checkout'] },
    { id: 'api', name: 'Public API', description: 'api.example.com', group: 'API', services: ['api'] },
    { id: 'webhooks', name: 'Webhooks', group: 'API', services: ['webhooks'] },
    { id: 'support', name: 'Customer support', services: ['support'] },
  ],
});

// The story runs on a manual clock so it takes a second, not an hour and a half; it ends now, so
// the page shows it as today's incident.
const storyMinutes = 91;
const clock = createManualClock(new Date(Date.now() - storyMinutes * 60_000));
const engine = createIncidentEngine({ store, clock, statusPages: [page] });
const startedAt = clock.now().getTime();

/** Time passes; the host's workers (here called by hand) fire due timers and deliver messages. */
async function at(minute: number, line: string): Promise<void> {
  clock.set(new Date(startedAt + minute * 60_000));
  await engine.tick();
  await engine.dispatch();
  console.log(`+${String(minute).padStart(2)} min  ${line}`);
}

const dana = { id: 'u_dana', name: 'Dana (on call)' };

// ---- the story ----------------------------------------------------------------------------------
await at(0, 'web-01 stops answering: the website is down');
const incident = await engine.declare({ title: 'www.example.com is down: web-01 does not answer', severity: 'SEV1', service: 'www', actor: dana });
await engine.acknowledge(incident.id, { actor: dana });
await engine.addNote(incident.id, { text: 'Internal: web-01 RAID controller reports a fatal error, ticket OPS-4411', actor: dana });
await engine.publish(incident.id, {
  name: 'Website unavailable',
  impact: 'major',
  components: { website: 'major_outage', checkout: 'partial_outage' },
  body: 'Our website does not load for most visitors. We are investigating.',
  actor: dana,
});

await at(12, 'the cause is found; traffic moves to the backup servers');
await engine.postUpdate(incident.id, { audience: 'internal', message: 'Internal: failover is manual, Dana is switching the load balancer pool to web-11/web-12', actor: dana });
await engine.postPublicUpdate(incident.id, {
  status: 'identified',
  body: 'A hardware fault took one of our web servers down. We are moving all traffic to our backup servers.',
  actor: dana,
});

await at(21, 'failover done: the backup servers carry the site');
await engine.mitigate(incident.id, { summary: 'Load balancer now sends all traffic to the backup pool (web-11, web-12).', actor: dana });
await engine.postPublicUpdate(incident.id, {
  status: 'monitoring',
  body: 'The website is back, served by our backup servers. Pages may load a little slower while we repair the faulty server.',
  components: { website: 'degraded_performance', checkout: 'operational' },
  actor: dana,
});

await at(storyMinutes, 'web-01 repaired and back in the pool: the website is restored');
await engine.addNote(incident.id, { text: 'Internal: controller replaced by the vendor on site, web-01 back in rotation', actor: dana });
await engine.resolve(incident.id, { summary: 'Controller replaced; web-01 back in rotation, traffic rebalanced.', actor: dana });
await engine.postPublicUpdate(incident.id, {
  status: 'resolved',
  body: 'The website has been working normally since the repaired server rejoined. Thank you for your patience.',
  actor: dana,
});

const snapshot = await engine.statusPages.snapshot('example');
console.log(`\nPublic incidents on the page: ${snapshot.incidents.map((i) => `${i.name} (${i.status}, ${String(i.updates.length)} updates)`).join(', ')}`);
console.log(`Components: ${snapshot.components.map((c) => `${c.component.name} ${c.status}`).join(', ')}`);

// ---- serve it -----------------------------------------------------------------------------------
const server = createServer(toNodeListener(createStatusPageHandler(engine, { pageId: 'example' })));
await new Promise<void>((resolve) => server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', resolve));
const base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
console.log(`\nStatus page:   ${base}/`);
console.log(`Summary JSON:  ${base}/api/v2/summary.json`);
console.log(`Incidents:     ${base}/api/v2/incidents.json`);
console.log(`Atom feed:     ${base}/history.atom`);
console.log(`RSS feed:      ${base}/history.rss`);
console.log('Serving until you stop it (Ctrl-C).');

function stop(): void {
  server.close(() => {
    db?.close();
    process.exit(0);
  });
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
