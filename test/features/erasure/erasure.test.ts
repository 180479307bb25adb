/**
 * Crypto-shredding on the memory store and on a SQLite database file (read raw, write-ahead log
 * included); an engine without a keyring; the index of a subject's incidents; authorization.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryStore } from '../../../src/storage/memory.js';
import { sqliteStore } from '../../../src/storage/sqlite.js';
import { thrown } from '../../helpers.js';
import { engineOn, erasureCases, MRN, NURSE } from './erasureSuite.js';

describe('erasure on memoryStore', () => {
  erasureCases(() => {
    const store = memoryStore();
    // The memory store's own state, serialised: every incident, event and record it holds.
    const dump = async () => {
      const out: unknown[] = [];
      for (const incident of (await store.list('default', { limit: 1_000 })).items) {
        out.push(await store.load('default', incident.id), await store.events('default', incident.id));
      }
      out.push(await store.listRecords?.('default', 'dataSubject', { limit: 1_000 }));
      return JSON.stringify(out);
    };
    return Promise.resolve({ store, dump });
  });
});

describe('erasure on a SQLite database file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ik-erasure-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  let n = 0;
  erasureCases(() => {
    const file = join(dir, `store-${String((n += 1))}.db`);
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    const store = sqliteStore(db);
    const name = `store-${String(n)}.db`;
    // Every byte on disk: the database file and the WAL and journal files beside it, before and after a checkpoint.
    const files = () => readdirSync(dir).filter((f) => f.startsWith(name)).map((f) => readFileSync(join(dir, f)).toString('latin1'));
    const dump = () => {
      const before = files();
      db.pragma('wal_checkpoint(TRUNCATE)');
      return Promise.resolve([...before, ...files()].join('\n'));
    };
    return Promise.resolve({ store, dump });
  });
});

describe('erasure without a keyring or a subject', () => {
  it('keeps sensitive fields as they are without a keyring, and erase asks for one', async () => {
    const { engine } = engineOn(memoryStore(), null);
    const incident = await engine.declare({ type: 'medication_event', title: 'Fall', severity: 'SEV3', fields: { patientId: MRN, drug: 'none' }, subjectId: 'subj_a', actor: NURSE });
    expect(incident.fields.patientId).toBe(MRN);
    expect((await thrown(engine.erase({ subjectId: 'subj_a', actor: NURSE }), 'CONFIG_INVALID')).message).toMatch(/needs a keyring/);
  });

  it('refuses a sensitive value without a subject when the engine has a keyring; other fields need none', async () => {
    const { engine } = engineOn(memoryStore());
    const error = await thrown(engine.declare({ type: 'medication_event', title: 'Fall', severity: 'SEV3', fields: { patientId: MRN, drug: 'none' }, actor: NURSE }), 'VALIDATION_FAILED');
    expect(error.details.issues[0]).toMatchObject({ path: ['subjectId'] });
    await expect(engine.declare({ title: 'Checkout down', severity: 'SEV1', actor: NURSE })).resolves.toMatchObject({ status: 'triage' });
  });

  it('refuses new values of an erased incident, keeps its other fields writable, and asks authorize about erase', async () => {
    const { engine } = engineOn(memoryStore());
    const { id } = await engine.declare({ type: 'medication_event', title: 'Fall', severity: 'SEV3', fields: { patientId: MRN, drug: 'none' }, subjectId: 'subj_a', actor: NURSE });
    await engine.erase({ subjectId: 'subj_a', actor: NURSE });
    expect((await engine.updateFields(id, { fields: { drug: 'aspirin' }, actor: NURSE })).fields).toEqual({ patientId: '[erased]', drug: 'aspirin' });
    expect((await thrown(engine.updateFields(id, { fields: { patientId: 'MRN-NEW' }, actor: NURSE }), 'VALIDATION_FAILED')).message).toMatch(/was erased/);
    expect(await engine.verifyTimeline(id)).toEqual({ ok: true });

    const asked: string[] = [];
    const { engine: guarded } = engineOn(memoryStore(), undefined, {
      authorize: ({ action }) => {
        asked.push(action);
        return action !== 'erase';
      },
    });
    await guarded.declare({ type: 'medication_event', title: 'Fall', severity: 'SEV3', fields: { patientId: MRN, drug: 'none' }, subjectId: 'subj_a', actor: NURSE });
    expect((await thrown(guarded.erase({ subjectId: 'subj_a', actor: NURSE }), 'FORBIDDEN')).details).toMatchObject({ action: 'erase' });
    expect(asked).toEqual(['declare', 'erase']);
    expect((await guarded.list({})).items[0]?.fields.patientId).toBe(MRN);
  });

  it('finds a subject’s incidents through its index, not a scan of every incident', async () => {
    const store = memoryStore();
    const { engine } = engineOn(store);
    for (let i = 0; i < 5; i += 1) await engine.declare({ type: 'medication_event', title: `Other ${String(i)}`, severity: 'SEV3', fields: { patientId: `MRN-${String(i)}`, drug: 'd' }, subjectId: `other_${String(i)}`, actor: NURSE });
    const mine = await engine.declare({ type: 'medication_event', title: 'Mine', severity: 'SEV3', fields: { patientId: MRN, drug: 'd' }, subjectId: 'subj_a', actor: NURSE });
    let listed = 0;
    const counting = { ...store, list: (...args: Parameters<typeof store.list>) => ((listed += 1), store.list(...args)) };
    const { engine: eraser } = engineOn(counting);
    // The keyring of the second engine holds no key: erasing still records ERASED.
    expect(await eraser.erase({ subjectId: 'subj_a', actor: NURSE })).toEqual({ subjectId: 'subj_a', incidentIds: [mine.id] });
    expect(listed).toBe(0);
  });
});
