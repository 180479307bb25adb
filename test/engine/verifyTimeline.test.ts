/**
 * verifyTimeline against an operator who edits the database directly (SQLite here, as a real
 * host's file would be): what it detects, and the anchor that closes the tail-truncation gap.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createIncidentEngine } from '../../src/createIncidentEngine.js';
import { parseSignal } from '../../src/model/signal.js';
import { sqliteStore } from '../../src/storage/sqlite.js';
import { createManualClock } from '../../src/testing/manualClock.js';
import { sequentialIds } from '../../src/testing/sequentialIds.js';
import { thrown } from '../helpers.js';

const actor = { id: 'u_ada', name: 'Ada' };

async function setup() {
  const db = new Database(':memory:');
  const engine = createIncidentEngine({ store: sqliteStore(db), clock: createManualClock('2026-12-06T10:00:00.000Z'), ids: sequentialIds() });
  const incident = await engine.declare({ title: 'Checkout down', severity: 'SEV2', service: 'checkout', actor });
  await engine.acknowledge(incident.id, { actor });
  await engine.addNote(incident.id, { text: 'Rolling back', actor });
  return { db, engine, id: incident.id };
}

describe('verifyTimeline', () => {
  it('passes an untouched timeline, with and without an anchor', async () => {
    const { engine, id } = await setup();
    const anchor = await engine.anchor(id);
    expect(anchor).toEqual({ incidentId: id, seq: 3, hash: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown });
    await engine.resolve(id, { actor });
    expect(await engine.verifyTimeline(id)).toEqual({ ok: true });
    expect(await engine.verifyTimeline(id, { anchor })).toEqual({ ok: true });
  });

  it('detects an edited projection (severity, title) that the events do not replay to', async () => {
    const { db, engine, id } = await setup();
    db.prepare(`UPDATE incidentkit_incidents SET incident = json_set(incident, '$.severity', 'SEV4', '$.title', 'Nothing happened'), severity = 'SEV4' WHERE id = ?`).run(id);
    expect(await engine.verifyTimeline(id)).toEqual({ ok: false, brokenAt: 3, reason: 'projection', fields: ['severity', 'title'] });
  });

  it('detects an edited, removed or added alert row, also beyond the newest 100 the projection carries', async () => {
    const db = new Database(':memory:');
    const engine = createIncidentEngine({ store: sqliteStore(db), clock: createManualClock('2026-12-06T10:00:00.000Z'), ids: sequentialIds(), ingest: { groupBy: ['alertname'], countWindowMs: 0 } });
    const signal = (i: number) =>
      parseSignal({ source: 'alertmanager', fingerprint: `fp_${String(i)}`, status: 'firing', severity: 'SEV2', summary: `Replica ${String(i)}`, labels: { alertname: 'ReplicaDown' }, startsAt: '2026-12-06T10:00:00.000Z' });
    const [first] = await engine.ingest(Array.from({ length: 120 }, (_, i) => signal(i)));
    const id = first?.incident?.id ?? '';
    expect(await engine.verifyTimeline(id)).toEqual({ ok: true });
    const broken = { ok: false, brokenAt: 120, reason: 'projection', fields: ['alerts'] };
    const edit = (sql: string): void => {
      db.exec('SAVEPOINT tamper');
      db.prepare(sql).run();
    };
    const undo = (): void => {
      db.exec('ROLLBACK TO tamper; RELEASE tamper');
    };
    edit(`UPDATE incidentkit_alerts SET alert = json_set(alert, '$.status', 'resolved') WHERE fingerprint = 'fp_3'`);
    expect(await engine.verifyTimeline(id)).toEqual(broken);
    undo();
    edit(`DELETE FROM incidentkit_alerts WHERE fingerprint = 'fp_7'`);
    expect(await engine.verifyTimeline(id)).toEqual(broken);
    undo();
    edit(`INSERT INTO incidentkit_alerts SELECT tenant_id, incident_id, 999, 'fp_x', 'fp_x', is_open, json_set(alert, '$.fingerprint', 'fp_x') FROM incidentkit_alerts WHERE fingerprint = 'fp_0'`);
    expect(await engine.verifyTimeline(id)).toEqual(broken);
    undo();
    expect(await engine.verifyTimeline(id)).toEqual({ ok: true });
  });

  it('detects an edited, removed or added action item row, although the store remembers the incident', async () => {
    const { db, engine, id } = await setup();
    for (const title of ['Add a canary', 'Alert on error ratio', 'Runbook for rollbacks']) await engine.addActionItem(id, { title, actor });
    await engine.get(id);
    const broken = { ok: false, brokenAt: 6, reason: 'projection', fields: ['actionItems'] };
    const tamper = async (sql: string): Promise<void> => {
      db.exec('SAVEPOINT tamper');
      db.prepare(sql).run();
      expect(await engine.verifyTimeline(id)).toEqual(broken);
      db.exec('ROLLBACK TO tamper; RELEASE tamper');
    };
    await tamper(`UPDATE incidentkit_incident_items SET body = json_set(body, '$.status', 'done') WHERE position = 1`);
    await tamper(`DELETE FROM incidentkit_incident_items WHERE position = 2`);
    await tamper(`INSERT INTO incidentkit_incident_items SELECT tenant_id, incident_id, collection, 'act_x', 9, json_set(body, '$.id', 'act_x') FROM incidentkit_incident_items WHERE position = 0`);
    expect(await engine.verifyTimeline(id)).toEqual({ ok: true });
    expect((await engine.get(id)).actionItems.map((item) => item.status)).toEqual(['open', 'open', 'open']);
  });

  it('detects an edited event', async () => {
    const { db, engine, id } = await setup();
    db.prepare(`UPDATE incidentkit_events SET data = json_set(data, '$.text', 'Nothing to see') WHERE incident_id = ? AND seq = 3`).run(id);
    expect(await engine.verifyTimeline(id)).toEqual({ ok: false, brokenAt: 3, reason: 'chain' });
  });

  it('detects lost newest events', async () => {
    const { db, engine, id } = await setup();
    db.prepare('DELETE FROM incidentkit_events WHERE incident_id = ? AND seq = 3').run(id);
    expect(await engine.verifyTimeline(id)).toEqual({ ok: false, brokenAt: 3, reason: 'truncated' });
  });

  it('detects a cut tail with a rewound version and last hash only against an anchor', async () => {
    const { db, engine, id } = await setup();
    const anchor = await engine.anchor(id);
    // Rewind everything to the state after event 2: events, projection, snapshot and last hash agree again.
    const second = db.prepare('SELECT hash FROM incidentkit_events WHERE incident_id = ? AND seq = 2').get(id) as { hash: string };
    const before = (await engine.timeline(id)).slice(0, 2);
    db.prepare('DELETE FROM incidentkit_events WHERE incident_id = ? AND seq = 3').run(id);
    const { replayTimeline } = await import('../../src/lifecycle/projection.js');
    const rewound = replayTimeline(before);
    db.prepare('UPDATE incidentkit_incidents SET version = 2, incident = ?, last_hash = ? WHERE id = ?').run(JSON.stringify(rewound), second.hash, id);
    // Without an anchor the rewritten log is self-consistent: this is the documented blind spot.
    expect(await engine.verifyTimeline(id)).toEqual({ ok: true });
    expect(await engine.verifyTimeline(id, { anchor })).toEqual({ ok: false, brokenAt: 3, reason: 'anchor' });
  });

  it('refuses a malformed anchor or one of another incident', async () => {
    const { engine, id } = await setup();
    expect((await thrown(engine.verifyTimeline(id, { anchor: { seq: 0, hash: 'x' } }), 'VALIDATION_FAILED')).details.issues.map((i) => i.path.join('.'))).toEqual(['anchor.seq', 'anchor.hash']);
    const other = await engine.declare({ title: 'Other', severity: 'SEV3', actor });
    const anchor = await engine.anchor(other.id);
    expect((await thrown(engine.verifyTimeline(id, { anchor }), 'VALIDATION_FAILED')).message).toContain(`The anchor belongs to incident ${other.id}`);
  });
});
