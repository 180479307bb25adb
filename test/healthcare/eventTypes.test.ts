/**
 * The AHRQ Common Formats incident types of `incidentkit/healthcare`: their fields, the harm and
 * NCC MERP category beside the severity, patient identifiers marked sensitive, and the
 * sentinel-event test that starts the Joint Commission clock (on a manual clock).
 */
import { describe, expect, it } from 'vitest';
import { createIncidentEngine } from '../../src/createIncidentEngine.js';
import { ahrqEventClasses, ahrqHarmScale, nccMerpScale } from '../../src/features/classification/scales.js';
import {
  AHRQ_EVENT_CATEGORIES,
  AHRQ_EVENT_CLASS_VALUES,
  AHRQ_HARM_VALUES,
  deviceMalfunctionPlaybook,
  healthcareEventTypes,
  medicationErrorPlaybook,
  NCC_MERP_VALUES,
} from '../../src/healthcare/index.js';
import { replayTimeline } from '../../src/lifecycle/projection.js';
import type { Incident } from '../../src/model/incident.js';
import { redactIncident } from '../../src/model/redactIncident.js';
import { memoryStore } from '../../src/storage/memory.js';
import { createManualClock } from '../../src/testing/manualClock.js';
import { sequentialIds } from '../../src/testing/sequentialIds.js';
import { thrown } from '../helpers.js';

const actor = { id: 'rn_lindqvist' };
/** A Monday. */
const T0 = '2026-05-04T10:00:00.000Z';
const generic = { discoveredAt: '2026-05-04T09:55:00Z', location: 'Ward 7', reporterRole: 'nurse', patient: { mrn: 'MRN-20417733', name: 'Ada Example', birthDate: '1950-02-03' } } as const;

function setup() {
  const clock = createManualClock(T0);
  const store = memoryStore();
  const engine = createIncidentEngine({ store, clock, ids: sequentialIds(), types: healthcareEventTypes, playbooks: [medicationErrorPlaybook, deviceMalfunctionPlaybook] });
  return { engine, clock, store };
}

const jointCommission = (incident: Incident) => incident.clocks?.filter((c) => c.regime === 'jointCommission') ?? [];

describe('the healthcare incident types', () => {
  it('are the ten AHRQ CFER-H v2.0 categories, with the event classes, harm and NCC MERP values of the shipped scales', () => {
    expect(healthcareEventTypes.map((type) => type.name)).toEqual([
      'medication_event',
      'device_event',
      'fall_event',
      'pressure_injury_event',
      'surgery_event',
      'hai_event',
      'blood_event',
      'perinatal_event',
      'vte_event',
      'other_event',
    ]);
    expect(AHRQ_EVENT_CATEGORIES).toHaveLength(10);
    expect([...AHRQ_EVENT_CLASS_VALUES]).toEqual(ahrqEventClasses.levels);
    expect([...AHRQ_HARM_VALUES]).toEqual(ahrqHarmScale.levels);
    expect([...NCC_MERP_VALUES]).toEqual(nccMerpScale.levels);
    for (const type of healthcareEventTypes) expect(type.sensitiveFields).toEqual(['patient.mrn', 'patient.name', 'patient.birthDate', 'patient.reference', 'narrative']);
  });

  it('keep harm and the NCC MERP category as fields beside the severity, fill in the defaults, and redact the patient', async () => {
    const { engine } = setup();
    const incident = await engine.declare({
      type: 'medication_event',
      title: 'Heparin at twice the ordered rate',
      severity: 'SEV2',
      fields: { ...generic, eventClass: 'incident', harm: 'mild', nccMerp: 'E', medication: { name: 'heparin', rxnorm: '5224' }, narrative: 'Ada Example bled from the line.' },
      actor,
    });
    expect(incident.severity).toBe('SEV2');
    expect(incident.fields).toMatchObject({ category: 'medication', harm: 'mild', nccMerp: 'E', handoff: 'unknown', contributingFactors: [] });
    const redacted = JSON.stringify(redactIncident(incident));
    expect(redacted).not.toContain('MRN-20417733');
    expect(redacted).not.toContain('Ada Example');
    expect(redacted).not.toContain('1950-02-03');
    expect(redacted).toContain('heparin');
    // The medication playbook applies to the pack's medication type.
    expect(incident.tasks?.map((task) => task.id)).toContain('medication-error:patient-assessed');
  });

  it('refuse a medication event without its NCC MERP category, and a malformed NDC, without echoing the patient', async () => {
    const { engine } = setup();
    const error = await thrown(
      // @ts-expect-error -- nccMerp is required
      engine.declare({
        type: 'medication_event',
        title: 'x',
        severity: 'SEV3',
        fields: { ...generic, eventClass: 'near_miss', medication: { name: 'insulin', ndc: 'not-an-ndc' } },
        actor,
      }),
      'VALIDATION_FAILED',
    );
    const paths = error.details.issues.map((issue) => issue.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['fields.nccMerp', 'fields.medication.ndc']));
    expect(JSON.stringify(error)).not.toContain('MRN-20417733');
  });

  it('attach the device-malfunction playbook to device events', async () => {
    const { engine } = setup();
    const incident = await engine.declare({
      type: 'device_event',
      title: 'Pump free-flow',
      severity: 'SEV2',
      fields: { ...generic, eventClass: 'incident', harm: 'moderate', device: { name: 'Infusion pump', udi: '(01)00812345678901' }, deviceProblem: 'malfunction' },
      actor,
    });
    expect(incident.tasks?.filter((task) => task.playbookId === 'device-malfunction').map((task) => task.id)).toEqual([
      'device-malfunction:patient-assessed',
      'device-malfunction:device-sequestered',
      'device-malfunction:device-logs-preserved',
      'device-malfunction:identifiers-recorded',
      'device-malfunction:same-model-check',
      'device-malfunction:manufacturer-informed',
      'device-malfunction:mdr-decision',
      'device-malfunction:disclosure',
    ]);
  });
});

describe('sentinel events', () => {
  it('start the Joint Commission 45-business-day clock at declare when the harm is severe, and it goes overdue on time', async () => {
    const { engine, clock } = setup();
    const incident = await engine.declare({
      type: 'fall_event',
      title: 'Unassisted fall, hip fracture',
      severity: 'SEV1',
      fields: { ...generic, eventClass: 'incident', harm: 'severe', fall: { assisted: 'no', injury: 'yes' } },
      actor,
    });
    const [sentinel] = jointCommission(incident);
    // 45 business days from Monday 4 May (UTC, no holidays): nine weeks, to the end of Monday 6 July.
    expect(sentinel).toMatchObject({ triggers: { awareness: T0 }, status: 'open', phases: [{ phase: 'rcaAndActionPlan', status: 'pending', dueAt: '2026-07-06T23:59:59.999Z' }] });
    clock.set('2026-07-06T23:59:59.000Z');
    await engine.tick();
    expect(jointCommission(await engine.get(incident.id))[0]?.status).toBe('open');
    clock.set('2026-07-07T00:00:01.000Z');
    await engine.tick();
    const overdue = await engine.get(incident.id);
    expect(jointCommission(overdue)[0]?.status).toBe('overdue');
    expect(overdue.overdueReports).toEqual([expect.objectContaining({ regime: 'jointCommission', phase: 'rcaAndActionPlan' })]);
    // Replay reproduces the clock without the types.
    expect(replayTimeline(await engine.timeline(incident.id))).toEqual(overdue);
  });

  it('start no clock for harm short of severe, and start it once when an update makes the event sentinel', async () => {
    const { engine, clock } = setup();
    const incident = await engine.declare({
      type: 'medication_event',
      title: 'Insulin ten-fold overdose',
      severity: 'SEV2',
      fields: { ...generic, eventClass: 'incident', harm: 'moderate', nccMerp: 'E', medication: { name: 'insulin' } },
      actor,
    });
    expect(jointCommission(incident)).toEqual([]);
    clock.advance(2 * 3_600_000);
    const updated = await engine.updateFields(incident.id, { fields: { nccMerp: 'H' }, actor });
    expect(jointCommission(updated)).toEqual([expect.objectContaining({ triggers: { awareness: '2026-05-04T12:00:00.000Z' } })]);
    clock.advance(3_600_000);
    const again = await engine.updateFields(incident.id, { fields: { harm: 'severe' }, actor });
    expect(jointCommission(again)).toHaveLength(1);
    expect(jointCommission(again)[0]?.triggers).toEqual({ awareness: '2026-05-04T12:00:00.000Z' });
  });

  it('count wrong-site surgery as a sentinel event whatever the harm', async () => {
    const { engine } = setup();
    const incident = await engine.declare({
      type: 'surgery_event',
      title: 'Wrong-side knee arthroscopy started',
      severity: 'SEV1',
      fields: { ...generic, eventClass: 'incident', harm: 'no_harm', surgery: { procedure: 'knee arthroscopy', issue: 'wrong_side' } },
      actor,
    });
    expect(jointCommission(incident)).toHaveLength(1);
  });
});
