/**
 * Regulatory reporting clocks through the engine: `startClock`, `fileReport`, deadlines as
 * durable timers, `REPORT_OVERDUE` recorded once and notified, reasons for delay, clocks after
 * close, the host calendar (holidays, time zone), and replay.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { defineStatusLabels } from '../../../src/model/statusLabels.js';
import { postgresStore } from '../../../src/storage/postgres.js';
import { sqliteStore } from '../../../src/storage/sqlite.js';
import { createIncidentEngine } from '../../../src/createIncidentEngine.js';
import type { IncidentEngineOptions } from '../../../src/incidentEngine.js';
import { replayTimeline } from '../../../src/lifecycle/projection.js';
import type { Incident } from '../../../src/model/incident.js';
import type { NotificationMessage, Notifier } from '../../../src/model/notification.js';
import { memoryStore } from '../../../src/storage/memory.js';
import { createManualClock } from '../../../src/testing/manualClock.js';
import { sequentialIds } from '../../../src/testing/sequentialIds.js';
import { thrown } from '../../helpers.js';

const dpo = { id: 'u_dpo', name: 'Data Protection Officer' };
const T0 = '2026-11-02T09:00:00.000Z';
const HOUR = 3_600_000;

/** A notifier that keeps what it is sent (a channel of the host's own). */
function inbox(): Notifier & { readonly messages: NotificationMessage[] } {
  const messages: NotificationMessage[] = [];
  return {
    name: 'inbox',
    messages,
    send(message) {
      messages.push(message);
      return Promise.resolve();
    },
  };
}

function setup(extra: Omit<IncidentEngineOptions, 'store' | 'clock'> = {}) {
  const store = memoryStore();
  const clock = createManualClock(T0);
  const box = inbox();
  const options: IncidentEngineOptions = { store, clock, ids: sequentialIds(), notifiers: { compliance: box }, ...extra };
  return { engine: createIncidentEngine(options), clock, store, box, options };
}

function phase(incident: Incident, regime: string, id: string) {
  const found = incident.clocks?.find((c) => c.regime === regime)?.phases.find((p) => p.phase === id);
  if (found === undefined) throw new Error(`no ${regime}.${id} on ${incident.id}`);
  return found;
}

describe('GDPR Art. 33', () => {
  it('turns the 72-hour deadline into a timer that records REPORT_OVERDUE once and notifies', async () => {
    const { engine, clock, box } = setup();
    const incident = await engine.declare({ title: 'Customer database exposed', severity: 'SEV1', actor: dpo });
    const started = await engine.startClock(incident.id, { regime: 'gdpr', trigger: 'awareness', at: T0, actor: dpo });
    expect(phase(started, 'gdpr', 'notification')).toMatchObject({ status: 'pending', dueAt: '2026-11-05T09:00:00.000Z' });
    expect(started.clocks?.[0]?.status).toBe('open');

    clock.set('2026-11-05T09:00:00.000Z'); // the last on-time instant
    expect((await engine.tick()).filter((t) => t.event === 'CLOCK_DUE')).toEqual([]);
    clock.advance(1);
    const fired = await engine.tick();
    expect(fired.map((t) => [t.event, t.outcome])).toEqual([['CLOCK_DUE', 'applied']]);
    const overdue = await engine.get(incident.id);
    expect(overdue.overdueReports).toEqual([{ regime: 'gdpr', phase: 'notification', dueAt: '2026-11-05T09:00:00.000Z', at: '2026-11-05T09:00:00.001Z' }]);
    expect(phase(overdue, 'gdpr', 'notification')).toMatchObject({ status: 'overdue', reasonForDelayRequired: true });
    expect(overdue.clocks?.[0]?.status).toBe('overdue');
    clock.advance(24 * HOUR);
    expect(await engine.tick()).toEqual([]);
    expect((await engine.timeline(incident.id)).filter((e) => e.type === 'REPORT_OVERDUE')).toHaveLength(1);

    await engine.dispatch();
    const notice = box.messages.find((m) => m.event.type === 'REPORT_OVERDUE');
    expect(notice?.incident.id).toBe(incident.id);

    const filed = await engine.fileReport(incident.id, {
      regime: 'gdpr',
      phase: 'notification',
      reference: 'DPA-2026-1187',
      reasonForDelay: 'Forensic confirmation of the exfiltration took four days.',
      actor: dpo,
    });
    expect(phase(filed, 'gdpr', 'notification')).toMatchObject({
      status: 'filedLate',
      filedAt: '2026-11-06T09:00:00.001Z',
      filingReference: 'DPA-2026-1187',
      reasonForDelay: 'Forensic confirmation of the exfiltration took four days.',
    });
    expect(filed.clocks?.[0]?.status).toBe('complete');
    expect(replayTimeline(await engine.timeline(incident.id))).toEqual(filed);
  });

  it('cancels the timer when the report is filed on time, and keeps counting after close', async () => {
    const { engine, clock } = setup({ policies: { review: { requiredFor: [] } } });
    const incident = await engine.declare({ title: 'Mail sent to the wrong recipients', severity: 'SEV3', actor: dpo });
    await engine.startClock(incident.id, { regime: 'gdpr', trigger: 'awareness', actor: dpo });
    await engine.resolve(incident.id, { actor: dpo });
    await engine.close(incident.id, { actor: dpo });
    clock.advance(30 * HOUR);
    const filed = await engine.fileReport(incident.id, { regime: 'gdpr', phase: 'notification', actor: dpo });
    expect(filed.status).toBe('closed');
    expect(phase(filed, 'gdpr', 'notification').status).toBe('filed');
    clock.advance(100 * HOUR);
    expect(await engine.tick()).toEqual([]);
    expect(filed.overdueReports).toBeUndefined();
  });

  it('records an already missed deadline at the next tick when the clock starts late', async () => {
    const { engine } = setup();
    const incident = await engine.declare({ title: 'Laptop with patient letters stolen', severity: 'SEV2', actor: dpo });
    const started = await engine.startClock(incident.id, { regime: 'gdpr', trigger: 'awareness', at: '2026-10-28T09:00:00.000Z', actor: dpo });
    expect(phase(started, 'gdpr', 'notification').status).toBe('overdue');
    const fired = await engine.tick();
    expect(fired.map((t) => t.event)).toEqual(['CLOCK_DUE']);
    expect((await engine.get(incident.id)).overdueReports?.map((r) => r.dueAt)).toEqual(['2026-10-31T09:00:00.000Z']);
  });
});

describe('multi-phase regimes', () => {
  it('NIS2: the final report is due a month after the notification was filed', async () => {
    const { engine, clock } = setup();
    const incident = await engine.declare({ title: 'Ransomware on the billing cluster', severity: 'SEV1', actor: dpo });
    const started = await engine.startClock(incident.id, { regime: 'nis2', trigger: 'awareness', actor: dpo });
    expect(phase(started, 'nis2', 'earlyWarning').dueAt).toBe('2026-11-03T09:00:00.000Z');
    expect(phase(started, 'nis2', 'notification').dueAt).toBe('2026-11-05T09:00:00.000Z');
    expect(phase(started, 'nis2', 'finalReport')).toMatchObject({ status: 'waiting' });

    clock.advance(20 * HOUR);
    await engine.fileReport(incident.id, { regime: 'nis2', phase: 'earlyWarning', reference: 'CSIRT-77', actor: dpo });
    clock.advance(30 * HOUR);
    const notified = await engine.fileReport(incident.id, { regime: 'nis2', phase: 'notification', actor: dpo });
    // One calendar month: to the end of the same day of the next month (UTC here).
    expect(phase(notified, 'nis2', 'finalReport')).toMatchObject({ status: 'pending', dueAt: '2026-12-04T23:59:59.999Z' });
    clock.set('2026-12-04T23:59:59.999Z');
    expect(await engine.tick()).toEqual([]);
    clock.set('2026-12-05T00:00:00.000Z');
    expect((await engine.tick()).map((t) => t.event)).toEqual(['CLOCK_DUE']);
    const late = await engine.get(incident.id);
    expect(late.overdueReports?.map((r) => r.phase)).toEqual(['finalReport']);
    expect(replayTimeline(await engine.timeline(incident.id))).toEqual(late);
  });

  it('DORA: the initial notification counts from classification, capped at 24 hours from awareness', async () => {
    const { engine, clock } = setup();
    const incident = await engine.declare({ title: 'Payments API outage', severity: 'SEV1', actor: dpo });
    const aware = await engine.startClock(incident.id, { regime: 'dora', trigger: 'awareness', actor: dpo });
    expect(phase(aware, 'dora', 'initial').status).toBe('waiting');
    clock.advance(3 * HOUR);
    const major = await engine.startClock(incident.id, { regime: 'dora', trigger: 'classification', actor: dpo });
    expect(phase(major, 'dora', 'initial')).toMatchObject({ status: 'pending', dueAt: '2026-11-02T16:00:00.000Z' });
    expect((await engine.timeline(incident.id)).filter((e) => e.type === 'CLOCK_STARTED').map((e) => e.data.trigger)).toEqual(['awareness', 'classification']);
  });

  it('counts business days in the host calendar: weekends and holidays are skipped', async () => {
    const { engine, clock } = setup({ calendar: { timeZone: 'America/Chicago', holidays: ['2026-11-26', '2026-12-25'] } });
    clock.set('2026-11-24T09:00:00.000Z');
    const incident = await engine.declare({ title: 'Infusion pump over-delivered', severity: 'SEV1', actor: dpo });
    // Monday 23 November, 10:00 in Chicago; Thanksgiving (26th) and two weekends fall inside the 10 work days.
    const started = await engine.startClock(incident.id, { regime: 'fdaMdr', trigger: 'awareness', at: '2026-11-23T16:00:00.000Z', actor: dpo });
    const report = phase(started, 'fdaMdr', 'report');
    // Work days: 24, 25, 27, 30 Nov, 1, 2, 3, 4, 7, 8 Dec; due at the end of Tuesday 8 December in Chicago (UTC−6).
    expect(report.dueAt).toBe('2026-12-09T05:59:59.999Z');
    expect(started.clocks?.[0]?.timeZone).toBe('America/Chicago');
  });
});

describe('bad clock input', () => {
  it('refuses unknown regimes, triggers and phases, filings without a clock, and future times, writing nothing', async () => {
    const { engine } = setup();
    const incident = await engine.declare({ title: 'x', severity: 'SEV3', actor: dpo });
    const cases: [Promise<unknown>, string][] = [
      [engine.startClock(incident.id, { regime: 'ccpa', trigger: 'awareness', actor: dpo }), 'unknown_regime'],
      [engine.startClock(incident.id, { regime: 'dora', trigger: 'discovery', actor: dpo }), 'unknown_trigger'],
      [engine.startClock(incident.id, { regime: 'gdpr', trigger: 'awareness', at: '2027-01-01T00:00:00Z', actor: dpo }), 'custom'],
      [engine.fileReport(incident.id, { regime: 'gdpr', phase: 'notification', actor: dpo }), 'clock_not_started'],
    ];
    for (const [promise, code] of cases) {
      const error = await thrown(promise, 'VALIDATION_FAILED');
      expect(error.details.issues[0]?.code).toBe(code);
    }
    await engine.startClock(incident.id, { regime: 'gdpr', trigger: 'awareness', actor: dpo });
    const error = await thrown(engine.fileReport(incident.id, { regime: 'gdpr', phase: 'final', actor: dpo }));
    expect((error as Error).message).toMatch(/Regime 'gdpr' has no phase 'final'; use one of notification/);
    expect((await engine.get(incident.id)).version).toBe(2);
  });

  it('drops the deadlines of a canceled incident and refuses its clock events', async () => {
    const { engine, store, clock } = setup();
    const incident = await engine.declare({ title: 'x', severity: 'SEV3', actor: dpo });
    await engine.startClock(incident.id, { regime: 'nis2', trigger: 'awareness', actor: dpo });
    await engine.cancel(incident.id, { reason: 'false_positive', actor: dpo });
    clock.advance(100 * HOUR);
    // No timer is left to fire (claimed directly from the store, so nothing is hidden by the engine).
    expect(await store.claimTimers({ tenantId: 'default', now: clock.now().toISOString(), owner: 'probe', leaseMs: 1_000, limit: 10 })).toEqual([]);
    await expect(engine.startClock(incident.id, { regime: 'gdpr', trigger: 'awareness', actor: dpo })).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
  });

  it('survives a restart: a new engine on the same store fires the deadline', async () => {
    const { engine, store, clock, options } = setup();
    const incident = await engine.declare({ title: 'x', severity: 'SEV3', actor: dpo });
    await engine.startClock(incident.id, { regime: 'hipaa', trigger: 'discovery', actor: dpo });
    const restarted = createIncidentEngine({ ...options, store, clock });
    clock.advance(61 * 24 * HOUR);
    expect((await restarted.tick()).map((t) => t.event)).toEqual(['CLOCK_DUE']);
    expect((await restarted.get(incident.id)).overdueReports?.[0]?.phase).toBe('individuals');
  });
});

/** The new facts (typed fields, labels, clocks, overdue reports) round-trip through every shipped SQL store. */
async function clockLifecycleOn(store: IncidentEngineOptions['store']): Promise<void> {
  const clock = createManualClock(T0);
  const engine = createIncidentEngine({ store, clock, statusLabels: defineStatusLabels({ fixing: { status: 'responding', default: true } }) });
  const incident = await engine.declare({ title: 'Customer database exposed', severity: 'SEV1', fields: { records: 1200 }, actor: dpo });
  await engine.acknowledge(incident.id, { actor: dpo });
  await engine.updateFields(incident.id, { fields: { records: 1500 }, actor: dpo });
  await engine.startClock(incident.id, { regime: 'nis2', trigger: 'awareness', actor: dpo });
  clock.advance(25 * HOUR);
  expect((await engine.tick()).map((t) => t.event)).toEqual(['CLOCK_DUE']);
  await engine.fileReport(incident.id, { regime: 'nis2', phase: 'earlyWarning', reasonForDelay: 'Weekend staffing', actor: dpo });
  const stored = await engine.get(incident.id);
  expect(stored.statusLabel).toBe('fixing');
  expect(stored.fields).toEqual({ records: 1500 });
  expect(phase(stored, 'nis2', 'earlyWarning')).toMatchObject({ status: 'filedLate', reasonForDelay: 'Weekend staffing' });
  expect(stored.overdueReports).toHaveLength(1);
  expect(replayTimeline(await engine.timeline(incident.id))).toEqual(stored);
  expect(await engine.verifyTimeline(incident.id)).toEqual({ ok: true });
}

describe('clocks and typed facts in the SQL stores', () => {
  it('round-trip through SQLite', async () => {
    const db = new Database(':memory:');
    try {
      await clockLifecycleOn(sqliteStore(db));
    } finally {
      db.close();
    }
  });

  const postgres = inject('postgres');
  it.skipIf(postgres.url === null)(`round-trip through PostgreSQL${postgres.url === null ? ` (skipped: ${postgres.reason})` : ''}`, async () => {
    const pool = new pg.Pool({ connectionString: postgres.url ?? '', max: 2 });
    const schema = `ik_clocks_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
    try {
      await clockLifecycleOn(postgresStore(pool, { schema }));
    } finally {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    }
  });
});
