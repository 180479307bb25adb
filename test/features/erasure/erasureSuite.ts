/**
 * Crypto-shredding against any store: sensitive fields sealed per data subject, read back
 * transparently, and erased with `engine.erase` — after which no byte of the plaintext is left
 * in the store (`dump` reads the store raw), the chains verify, and metrics and postmortems build.
 */
import { expect, it } from 'vitest';
import { z } from 'zod';
import { createIncidentEngine } from '../../../src/createIncidentEngine.js';
import { defineIncidentType } from '../../../src/features/classification/defineIncidentType.js';
import { memoryKeyring, type Keyring } from '../../../src/features/erasure/keyring.js';
import { buildPostmortem } from '../../../src/features/review/buildPostmortem.js';
import { renderPostmortemMarkdown } from '../../../src/features/review/renderPostmortemMarkdown.js';
import { computeMetricsSync } from '../../../src/metrics/computeMetrics.js';
import { sevScale } from '../../../src/model/severity.js';
import type { IncidentEngineOptions } from '../../../src/incidentEngine.js';
import type { StorageAdapter } from '../../../src/storage/types.js';
import { createManualClock } from '../../../src/testing/manualClock.js';
import { thrown } from '../../helpers.js';

export const NURSE = { kind: 'user', id: 'u_nurse', name: 'Nurse Joy' } as const;
const DPO = { kind: 'user', id: 'u_dpo', name: 'Privacy officer' } as const;
/** Plaintexts that must not survive an erasure anywhere in the store. */
export const MRN = 'MRN-SECRET-00042917';
const PHONE = '+1-555-SECRET-0199';
const MRN_2 = 'MRN-SECRET-00077777';

export const medicationEvent = defineIncidentType({
  name: 'medication_event',
  severityScale: sevScale,
  fields: z.strictObject({
    patientId: z.string().min(3),
    drug: z.string(),
    contacts: z.array(z.strictObject({ name: z.string(), phone: z.string() })).optional(),
  }),
  sensitiveFields: ['patientId', 'contacts.*.phone'],
});

/** A raw read of everything the store holds, as text. */
export type Dump = () => Promise<string>;

export function engineOn(store: StorageAdapter, keyring: Keyring | null = memoryKeyring(), extra: Partial<IncidentEngineOptions> = {}) {
  const clock = createManualClock('2026-12-01T09:00:00.000Z');
  const engine = createIncidentEngine({ store, clock, ...extra, types: [medicationEvent], ...(keyring === null ? {} : { keyring }) });
  return { engine, clock, keyring };
}

/** The cases, over a fresh store from `makeStore` and a raw `dump` of it. */
export function erasureCases(makeStore: () => Promise<{ readonly store: StorageAdapter; readonly dump: Dump }>): void {
  it('stores sensitive fields only as ciphertext, reads them back, and after erase leaves no plaintext while chains, metrics and postmortems hold', async () => {
    const { store, dump } = await makeStore();
    const { engine, clock } = engineOn(store);
    const declared = await engine.declare({
      type: 'medication_event',
      title: 'Heparin ran at 10x rate',
      severity: 'SEV2',
      fields: { patientId: MRN, drug: 'heparin', contacts: [{ name: 'Next of kin', phone: PHONE }] },
      subjectId: 'subj_a',
      actor: NURSE,
    });
    const { id } = declared;
    expect(declared.fields).toEqual({ patientId: MRN, drug: 'heparin', contacts: [{ name: 'Next of kin', phone: PHONE }] });
    expect(declared.subjectId).toBe('subj_a');
    clock.advance(60_000);
    await engine.acknowledge(id, { actor: NURSE });
    const updated = await engine.updateFields(id, { fields: { drug: 'heparin sodium' }, actor: NURSE });
    expect(updated.fields).toMatchObject({ patientId: MRN, drug: 'heparin sodium' });
    const other = await engine.declare({ type: 'medication_event', title: 'Wrong dose', severity: 'SEV3', fields: { patientId: MRN_2, drug: 'insulin' }, subjectId: 'subj_b', actor: NURSE });
    clock.advance(60_000);
    await engine.resolve(id, { summary: 'Pump replaced', actor: NURSE });

    // Stored: ciphertext only. Read: the values.
    let raw = await dump();
    expect(raw).toContain('heparin sodium');
    for (const secret of [MRN, PHONE, MRN_2]) expect(raw).not.toContain(secret);
    expect((await engine.get(id)).fields.patientId).toBe(MRN);
    expect((await engine.list({})).items.find((i) => i.id === id)?.fields.patientId).toBe(MRN);
    const timeline = await engine.timeline(id);
    expect(timeline[0]?.data.fields).toMatchObject({ patientId: MRN, contacts: [{ phone: PHONE }] });
    expect(timeline.find((e) => e.type === 'FIELDS_UPDATED')?.data.fields).toMatchObject({ patientId: MRN, drug: 'heparin sodium' });
    expect(await engine.verifyTimeline(id)).toEqual({ ok: true });

    // Erase subject a: its key is destroyed, its incident records ERASED, subject b is untouched.
    clock.advance(60_000);
    const result = await engine.erase({ subjectId: 'subj_a', actor: DPO });
    expect(result).toEqual({ subjectId: 'subj_a', incidentIds: [id] });
    const erased = await engine.get(id);
    expect(erased.fields).toEqual({ patientId: '[erased]', drug: 'heparin sodium', contacts: [{ name: 'Next of kin', phone: '[erased]' }] });
    expect(erased.erasedAt).toBe('2026-12-01T09:03:00.000Z');
    const after = await engine.timeline(id);
    expect(after.at(-1)).toMatchObject({ type: 'ERASED', actor: { id: 'u_dpo' }, data: { subjectId: 'subj_a' } });
    expect(after[0]?.data.fields).toMatchObject({ patientId: '[erased]', contacts: [{ phone: '[erased]' }] });
    expect(await engine.verifyTimeline(id)).toEqual({ ok: true });
    expect(await engine.verifyTimeline(other.id)).toEqual({ ok: true });
    expect((await engine.get(other.id)).fields.patientId).toBe(MRN_2);

    // Metrics and postmortems still build from what the engine reads.
    const incidents = (await engine.list({})).items;
    expect(computeMetricsSync(incidents).overall.count).toBe(2);
    const postmortem = buildPostmortem(erased, after, { includeSensitiveFields: true });
    const markdown = renderPostmortemMarkdown(postmortem);
    expect(markdown).toContain('Heparin ran at 10x rate');
    expect(markdown).not.toContain(MRN);
    expect(JSON.stringify(postmortem)).toContain('"patientId":"[erased]"');

    // A second erase finds nothing left to record.
    expect(await engine.erase({ subjectId: 'subj_a', actor: DPO })).toEqual({ subjectId: 'subj_a', incidentIds: [] });

    // The key is gone, and with it every readable copy: the ciphertext stays, the plaintext does not.
    raw = await dump();
    for (const secret of [MRN, PHONE]) expect(raw).not.toContain(secret);
  });

  it('refuses a key that does not open a value with a typed error, not garbage', async () => {
    const { store } = await makeStore();
    const keys = memoryKeyring();
    const { engine } = engineOn(store, keys);
    const { id } = await engine.declare({ type: 'medication_event', title: 'Fall', severity: 'SEV3', fields: { patientId: MRN, drug: 'none' }, subjectId: 'subj_c', actor: NURSE });
    // Another key under the same subject (a misconfigured keyring).
    const wrong: Keyring = { get: () => new Uint8Array(32).fill(7), create: () => new Uint8Array(32).fill(7), destroy: () => undefined };
    const { engine: misconfigured } = engineOn(store, wrong);
    const error = await thrown(misconfigured.get(id), 'ENCRYPTION_FAILED');
    expect(error.details).toMatchObject({ subjectId: 'subj_c', incidentId: id, path: 'patientId', reason: 'wrong_key' });
    expect(error.message).toMatch(/does not open it/);
    const short: Keyring = { get: () => new Uint8Array(16), create: () => new Uint8Array(16), destroy: () => undefined };
    const { engine: badKey } = engineOn(store, short);
    expect((await thrown(badKey.timeline(id), 'ENCRYPTION_FAILED')).details.reason).toBe('bad_key');
    expect((await thrown(badKey.declare({ type: 'medication_event', title: 'x', severity: 'SEV3', fields: { patientId: MRN, drug: 'd' }, subjectId: 's', actor: NURSE }), 'ENCRYPTION_FAILED')).details.reason).toBe('bad_key');
  });
}
