/**
 * Incident types, typed custom fields, status labels and redaction, through the engine:
 * `declare({ type })`, `updateFields`, `setSeverity` on a type's scale, `setStatusLabel` and its
 * reconciliation on state changes, and sensitive fields kept out of delivered webhooks.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineIncidentType } from '../../../src/features/classification/defineIncidentType.js';
import { nccMerpScale } from '../../../src/features/classification/scales.js';
import { defineStatusLabels } from '../../../src/model/statusLabels.js';
import { createIncidentEngine } from '../../../src/createIncidentEngine.js';
import type { IncidentEngineOptions } from '../../../src/incidentEngine.js';
import { parseSignal } from '../../../src/model/signal.js';
import { ValidationError } from '../../../src/errors.js';
import { replayTimeline } from '../../../src/lifecycle/projection.js';
import { atLeast, sevScale } from '../../../src/model/severity.js';
import { webhookNotifier } from '../../../src/channels/webhook.js';
import { memoryStore } from '../../../src/storage/memory.js';
import { createManualClock } from '../../../src/testing/manualClock.js';
import { sequentialIds } from '../../../src/testing/sequentialIds.js';
import { startHttpReceiver, type HttpReceiver } from '../../fixtures/notify/httpReceiver.js';
import { thrown } from '../../helpers.js';

const nurse = { id: 'u_nurse', name: 'Nurse Ratched' };
const PATIENT = 'MRN-00042917';

const medicationError = defineIncidentType({
  name: 'medication_error',
  title: 'Medication error',
  severityScale: nccMerpScale,
  fields: z.strictObject({
    patientId: z.string().min(3),
    drug: z.string(),
    dose: z.string().optional(),
    pumpId: z.string().optional(),
  }),
  sensitiveFields: ['patientId'],
  statuses: defineStatusLabels({
    assessing: { status: 'triage', default: true },
    treating: { status: 'responding', default: true },
    monitoring: { status: ['mitigated', 'resolved'], default: true },
    investigating: 'responding',
  }),
  policies: { review: { requiredFor: atLeast(nccMerpScale, 'E') } },
});

const outage = defineIncidentType({
  name: 'outage',
  severityScale: sevScale,
  fields: z.strictObject({ region: z.string() }),
});

function engineWith(extra: Omit<IncidentEngineOptions, 'store' | 'types'> = {}) {
  const store = memoryStore();
  const clock = createManualClock('2026-11-02T09:00:00.000Z');
  const engine = createIncidentEngine({ store, clock, ids: sequentialIds(), ...extra, types: [medicationError, outage] });
  return { engine, store, clock };
}

describe('declare with an incident type', () => {
  it('validates the fields with the type schema and freezes its policy, labels and sensitive fields', async () => {
    const { engine } = engineWith();
    const incident = await engine.declare({
      type: 'medication_error',
      title: 'Heparin infusion ran at 10x rate',
      severity: 'E',
      fields: { patientId: PATIENT, drug: 'heparin', pumpId: 'PUMP-7' },
      actor: nurse,
    });
    expect(incident.type).toBe('medication_error');
    expect(incident.severity).toBe('E');
    expect(incident.fields).toEqual({ patientId: PATIENT, drug: 'heparin', pumpId: 'PUMP-7' });
    expect(incident.policy.sensitiveFields).toEqual(['patientId']);
    expect([...incident.policy.reviewRequiredFor].sort()).toEqual(['E', 'F', 'G', 'H', 'I']);
    expect(incident.statusLabel).toBe('assessing');
    expect(replayTimeline(await engine.timeline(incident.id))).toEqual(incident);
  });

  it('refuses an unknown type, a severity of another scale and invalid fields, storing nothing', async () => {
    const { engine } = engineWith();
    const cases: [unknown, string][] = [
      [{ type: 'fall', title: 'x', severity: 'E', fields: {}, actor: nurse }, 'unknown_incident_type'],
      [{ type: 'medication_error', title: 'x', severity: 'SEV1', fields: { patientId: PATIENT, drug: 'x' }, actor: nurse }, 'unknown_severity'],
      [{ type: 'medication_error', title: 'x', severity: 'E', fields: { patientId: PATIENT }, actor: nurse }, 'invalid_type'],
      [{ type: 'medication_error', title: 'x', severity: 'E', fields: { patientId: PATIENT, drug: 'x', ward: '4B' }, actor: nurse }, 'unrecognized_keys'],
    ];
    for (const [input, code] of cases) {
      const error = await thrown(engine.declare(input as never), 'VALIDATION_FAILED');
      expect(error.details.issues.map((i) => i.code)).toContain(code);
      // A rejected declaration never echoes the patient identifier.
      expect(JSON.stringify({ message: error.message, issues: error.details.issues })).not.toContain(PATIENT);
    }
    expect((await engine.list()).items).toEqual([]);
  });

  it('keeps untyped incidents working beside typed ones, and an engine without types refuses a type', async () => {
    const { engine } = engineWith();
    const untyped = await engine.declare({ title: 'Checkout errors', severity: 'SEV2', fields: { anything: [1, 2] }, actor: nurse });
    expect(untyped.type).toBeUndefined();
    expect(untyped.statusLabel).toBeUndefined();
    const typed = await engine.declare({ type: 'outage', title: 'EU down', severity: 'SEV1', fields: { region: 'eu-west-1' }, actor: nurse });
    expect((await engine.list({ severity: 'SEV1' })).items.map((i) => i.id)).toEqual([typed.id]);

    const plain = createIncidentEngine({ store: memoryStore() });
    const error = await thrown(plain.declare({ type: 'outage', title: 'x', severity: 'SEV1', fields: {}, actor: nurse } as never));
    expect((error as ValidationError).details.issues[0]?.message).toMatch(/no incident types; pass them to createIncidentEngine/);
  });

  it('types declare input from the incident types', async () => {
    const { engine } = engineWith();
    // @ts-expect-error: 'SEV1' is not on the NCC MERP scale of medication errors.
    const wrongSeverity = { type: 'medication_error', title: 'x', severity: 'SEV1', fields: { patientId: PATIENT, drug: 'x' }, actor: nurse } satisfies Parameters<typeof engine.declare>[0];
    // @ts-expect-error: medication errors need a drug.
    const missingField = { type: 'medication_error', title: 'x', severity: 'E', fields: { patientId: PATIENT }, actor: nurse } satisfies Parameters<typeof engine.declare>[0];
    await expect(engine.declare(wrongSeverity as never)).rejects.toThrow(ValidationError);
    await expect(engine.declare(missingField as never)).rejects.toThrow(ValidationError);
  });
});

describe('validation messages of sensitive fields', () => {
  it('hides the message of an issue on a sensitive field, as libraries that quote the received value would leak it', async () => {
    // A Standard Schema whose messages quote the input, as valibot's and arktype's defaults do.
    type Quoted = { patientId?: unknown; drug?: unknown; contacts?: { phone?: unknown }[] };
    const quoting = {
      '~standard': {
        version: 1 as const,
        vendor: 'quoting',
        validate: (value: unknown) => {
          const v = value as Quoted;
          return {
            issues: [
              { message: `Invalid MRN: received "${String(v.patientId)}"`, path: ['patientId'] },
              { message: `Unknown drug: received "${String(v.drug)}"`, path: ['drug'] },
              { message: `Invalid phone: received "${String(v.contacts?.[0]?.phone)}"`, path: ['contacts', 0, { key: 'phone' }] },
            ],
          };
        },
        types: undefined as unknown as { input: Quoted; output: Quoted },
      },
    };
    const quotingType = defineIncidentType({ name: 'quoting', severityScale: sevScale, fields: quoting, sensitiveFields: ['patientId', 'contacts.phone'] });
    const engine = createIncidentEngine({ store: memoryStore(), types: [quotingType] });
    const error = (await thrown(
      engine.declare({ type: 'quoting', title: 'x', severity: 'SEV3', fields: { patientId: PATIENT, drug: 'hepar1n', contacts: [{ phone: '+15550100' }] }, actor: nurse }),
    )) as ValidationError;
    const shown = JSON.stringify({ message: error.message, issues: error.details.issues });
    expect(shown).not.toContain(PATIENT);
    expect(shown).not.toContain('+15550100');
    expect(shown).toContain('hepar1n');
    expect(error.details.issues.map((i) => i.path)).toEqual([['fields', 'patientId'], ['fields', 'drug'], ['fields', 'contacts', 0, 'phone']]);
  });
});

describe('updateFields and setSeverity on typed incidents', () => {
  it('merges fields, validates the result and records the changed names', async () => {
    const { engine } = engineWith();
    const incident = await engine.declare({ type: 'medication_error', title: 'Wrong dose', severity: 'C', fields: { patientId: PATIENT, drug: 'insulin' }, actor: nurse });
    const updated = await engine.updateFields<typeof medicationError>(incident.id, { fields: { dose: '10 units' }, actor: nurse });
    expect(updated.fields).toEqual({ patientId: PATIENT, drug: 'insulin', dose: '10 units' });
    const event = (await engine.timeline(incident.id)).at(-1);
    expect(event?.type).toBe('FIELDS_UPDATED');
    expect(event?.data.changed).toEqual(['dose']);

    const before = await engine.get(incident.id);
    const error = await thrown(engine.updateFields(incident.id, { fields: { dose: 10 }, actor: nurse }), 'VALIDATION_FAILED');
    expect(error.details.issues[0]?.path).toEqual(['fields', 'dose']);
    expect(await engine.get(incident.id)).toEqual(before);
    expect(replayTimeline(await engine.timeline(incident.id))).toEqual(before);
  });

  it("checks a new severity against the incident's own scale", async () => {
    const { engine } = engineWith();
    const med = await engine.declare({ type: 'medication_error', title: 'Wrong patient', severity: 'C', fields: { patientId: PATIENT, drug: 'x' }, actor: nurse });
    expect((await engine.setSeverity(med.id, { severity: 'F', reason: 'Temporary harm, prolonged stay', actor: nurse })).severity).toBe('F');
    await expect(engine.setSeverity(med.id, { severity: 'SEV1', actor: nurse })).rejects.toThrow(/severity: Unknown severity; use one of ([A-I], )+[A-I]\./);
    const untyped = await engine.declare({ title: 'API slow', severity: 'SEV3', actor: nurse });
    await expect(engine.setSeverity(untyped.id, { severity: 'F', actor: nurse })).rejects.toThrow(/use one of SEV1/);
  });
});

describe('status labels', () => {
  it('sets labels that apply in the state and reconciles them on every state change', async () => {
    const { engine } = engineWith();
    const incident = await engine.declare({ type: 'medication_error', title: 'Pump programming error', severity: 'E', fields: { patientId: PATIENT, drug: 'heparin' }, actor: nurse });
    expect(incident.statusLabel).toBe('assessing');
    const error = await thrown(engine.setStatusLabel(incident.id, { label: 'investigating', actor: nurse }));
    expect((error as ValidationError).details.issues[0]?.code).toBe('status_label_not_allowed');
    await expect(engine.setStatusLabel(incident.id, { label: 'paused', actor: nurse })).rejects.toThrow(/Unknown status label 'paused'/);

    expect((await engine.acknowledge(incident.id, { actor: nurse })).statusLabel).toBe('treating');
    expect((await engine.setStatusLabel(incident.id, { label: 'investigating', actor: nurse })).statusLabel).toBe('investigating');
    expect((await engine.timeline(incident.id)).at(-1)?.data).toEqual({ label: 'investigating', previous: 'treating' });
    expect((await engine.mitigate(incident.id, { summary: 'Infusion stopped, antidote given', actor: nurse })).statusLabel).toBe('monitoring');
    expect((await engine.resolve(incident.id, { actor: nurse })).statusLabel).toBe('monitoring');
    const reopened = await engine.reopen(incident.id, { reason: 'Bleeding recurred', actor: nurse });
    expect(reopened.statusLabel).toBe('treating');
    expect(replayTimeline(await engine.timeline(incident.id))).toEqual(reopened);
  });

  it('refuses labels on incidents without any', async () => {
    const { engine } = engineWith();
    const incident = await engine.declare({ title: 'x', severity: 'SEV3', actor: nurse });
    await expect(engine.setStatusLabel(incident.id, { label: 'fixing', actor: nurse })).rejects.toThrow(/has no status labels/);
  });

  it('applies engine-wide labels to untyped incidents, including signal-born ones', async () => {
    const labels = defineStatusLabels({ investigating: { status: 'triage', default: true }, fixing: 'responding' });
    const { engine } = engineWith({ statusLabels: labels });
    const incident = await engine.declare({ title: 'x', severity: 'SEV3', actor: nurse });
    expect(incident.statusLabel).toBe('investigating');
    await engine.acknowledge(incident.id, { actor: nurse });
    const fixed = await engine.setStatusLabel(incident.id, { label: 'fixing', actor: nurse });
    expect(fixed.statusLabel).toBe('fixing');
    const [created] = await engine.ingest(parseSignal({ source: 'alertmanager', fingerprint: 'fp1', status: 'firing', severity: 'SEV2', summary: 'Disk full', startsAt: '2026-11-02T08:59:00.000Z' }));
    expect(created?.incident?.statusLabel).toBe('investigating');
  });
});

describe('sensitive fields in notifications', () => {
  let receiver: HttpReceiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  it('redacts them in every delivered webhook body unless a route asks for them', async () => {
    receiver = await startHttpReceiver();
    const { engine } = engineWith({
      notifiers: {
        pharmacy: webhookNotifier({ url: `${receiver.origin}/pharmacy` }),
        registry: webhookNotifier({ url: `${receiver.origin}/registry` }),
      },
      routes: [
        { events: ['DECLARED', 'FIELDS_UPDATED', 'MITIGATED'], to: ['pharmacy'] },
        { events: ['DECLARED'], to: ['registry'], includeSensitiveFields: true },
      ],
    });
    const incident = await engine.declare({ type: 'medication_error', title: 'Heparin overdose', severity: 'E', fields: { patientId: PATIENT, drug: 'heparin' }, actor: nurse });
    await engine.updateFields(incident.id, { fields: { patientId: 'MRN-99999999', dose: '5000 IU' }, actor: nurse });
    await engine.mitigate(incident.id, { summary: 'Protamine given', actor: nurse });
    while ((await engine.dispatch()).delivered > 0) {
      // deliver everything that is due
    }
    const pharmacy = receiver.requests.filter((r) => r.url === '/pharmacy');
    const registry = receiver.requests.filter((r) => r.url === '/registry');
    expect(pharmacy).toHaveLength(3);
    for (const request of pharmacy) {
      expect(request.body).not.toContain(PATIENT);
      expect(request.body).not.toContain('MRN-99999999');
      expect(request.body).toContain('[REDACTED]');
      expect(request.body).toContain('heparin');
    }
    expect(registry).toHaveLength(1);
    expect(registry[0]?.body).toContain(PATIENT);
    // The store keeps the values.
    expect((await engine.get(incident.id)).fields.patientId).toBe('MRN-99999999');
  });
});

describe('engine options', () => {
  it('refuses status labels that were not made with defineStatusLabels', () => {
    const labels = { labels: [{ name: 'fixing', title: 'Fixing' }] } as never;
    expect(() => createIncidentEngine({ store: memoryStore(), statusLabels: labels })).toThrow(/Make status labels with defineStatusLabels/);
  });
});
