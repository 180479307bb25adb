/**
 * The IT outage story, end to end: an alert declares an incident, the on-call engineer
 * acknowledges and takes command, traffic fails over to the backup site, the root cause is
 * recorded, the site is restored, the team reviews and closes with an action item.
 *
 * Run it with `npm run demo`. It stores everything in a SQLite file (the embedded default);
 * pass `--memory` to keep it in memory, or a path to choose the file.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { createIncidentEngine, memoryStore, type StorageAdapter, type StoredEvent } from 'incidentkit';
import { sqliteStore } from 'incidentkit/sqlite';
import { createManualClock } from 'incidentkit/testing';

const arg = process.argv[2];
let store: StorageAdapter;
let db: Database.Database | undefined;
if (arg === '--memory') {
  store = memoryStore();
  console.log('Storage: memory\n');
} else {
  const file = arg ?? '.tmp/demo.sqlite';
  mkdirSync(dirname(file), { recursive: true });
  // A fresh file each run, so the story always starts from an empty database.
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  db = new Database(file);
  db.pragma('journal_mode = WAL');
  store = sqliteStore(db);
  console.log(`Storage: SQLite file ${file} (WAL)\n`);
}

const clock = createManualClock('2026-11-29T08:58:00.000Z');
const engine = createIncidentEngine({ store, clock });
const minutes = (n: number): void => {
  clock.advance(n * 60_000);
};

const alertmanager = { id: 'alertmanager', name: 'Alertmanager', kind: 'integration' } as const;
const dana = { id: 'u_dana', name: 'Dana (on call)' };
const lee = { id: 'u_lee', name: 'Lee (SRE lead)' };

engine.on('incident.resolved', ({ incident }) => {
  console.log(`\n>>> subscriber: ${incident.id} resolved; paging stops, status page goes green\n`);
});

const incident = await engine.declare({
  title: 'www.example.com returns 503 for all users',
  severity: 'SEV1',
  service: 'web',
  summary: 'HTTP 5xx ratio above 90% on the primary load balancer.',
  startedAt: new Date('2026-11-29T08:55:00.000Z'),
  dedupKey: 'HighErrorRate/web/lb-primary',
  labels: { alertname: 'HighErrorRate', cluster: 'eu-west-1' },
  actor: alertmanager,
});
minutes(4);
await engine.acknowledge(incident.id, { actor: dana });
await engine.assignRole(incident.id, { role: 'commander', assignee: dana, actor: dana });
minutes(2);
await engine.addNote(incident.id, { text: 'web-01 is unreachable; its disk controller reports fatal errors.', actor: dana });
await engine.postUpdate(incident.id, {
  audience: 'stakeholders',
  message: 'The website is down. We are failing over to the backup servers.',
  actor: dana,
});
minutes(9);
await engine.mitigate(incident.id, { summary: 'Traffic redirected to the backup servers in eu-central-1.', actor: dana });
minutes(20);
await engine.recordRootCause(incident.id, {
  summary: 'Hardware fault: the RAID controller of web-01 failed.',
  contributingFactors: ['No alert on RAID controller health', 'Failover is manual'],
  actor: dana,
});
minutes(35);
await engine.resolve(incident.id, { summary: 'web-01 repaired and back in rotation.', actor: dana });

try {
  await engine.close(incident.id, { actor: dana });
} catch (error) {
  console.log(`close refused as expected: ${(error as Error).message}\n`);
}

minutes(60 * 24);
await engine.startReview(incident.id, { owner: lee.id, actor: lee });
await engine.addActionItem(incident.id, {
  title: 'Alert on RAID controller health',
  owner: 'u_dana',
  dueAt: '2026-12-15T00:00:00.000Z',
  kind: 'detect',
  strength: 'stronger',
  actor: lee,
});
await engine.addActionItem(incident.id, {
  title: 'Automate failover to the backup site',
  owner: 'u_lee',
  kind: 'mitigate',
  strength: 'stronger',
  actor: lee,
});
minutes(45);
await engine.completeReview(incident.id, { summary: 'Blameless review held with web and SRE teams.', actor: lee });
const closed = await engine.close(incident.id, { actor: lee });

function describe(event: StoredEvent): string {
  const d = event.data;
  const text = (key: string): string => (typeof d[key] === 'string' ? d[key] : '');
  switch (event.type) {
    case 'DECLARED':
      return `declared ${text('severity')} "${text('title')}"`;
    case 'ROLE_ASSIGNED': {
      const assignee = d.assignee as { id: string; name?: string };
      return `${text('role')} → ${assignee.name ?? assignee.id}`;
    }
    case 'NOTE_ADDED':
      return `note: ${text('text')}`;
    case 'UPDATE_POSTED':
      return `update to ${text('audience')}: ${text('message')}`;
    case 'MITIGATED':
    case 'ROOT_CAUSE_RECORDED':
    case 'RESOLVED':
    case 'REVIEW_COMPLETED':
      return `${event.type.toLowerCase().replaceAll('_', ' ')}: ${text('summary')}`;
    case 'ACTION_ITEM_ADDED':
      return `action item: ${text('title')} (${text('kind')}, ${text('strength')})`;
    default:
      return event.type.toLowerCase().replaceAll('_', ' ');
  }
}

console.log(`Timeline of ${closed.id} (${closed.severity}, ${closed.status}):`);
for (const event of await engine.timeline(incident.id)) {
  const who = event.actor.name ?? event.actor.id;
  console.log(`  #${String(event.seq).padStart(2)} ${event.at.slice(0, 16).replace('T', ' ')}  ${who.padEnd(16)} ${describe(event)}`);
}
const minutesBetween = (a?: string, b?: string): string =>
  a === undefined || b === undefined ? 'n/a' : `${String(Math.round((Date.parse(b) - Date.parse(a)) / 60_000))} min`;
console.log(`\nTime to acknowledge: ${minutesBetween(closed.detectedAt, closed.acknowledgedAt)}`);
console.log(`Time to mitigate:    ${minutesBetween(closed.detectedAt, closed.mitigatedAt)}`);
console.log(`Time to resolve:     ${minutesBetween(closed.detectedAt, closed.resolvedAt)}`);
console.log(`Timeline verifies:   ${JSON.stringify(await engine.verifyTimeline(incident.id))}`);
db?.close();
