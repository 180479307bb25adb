/** The CIRCIA and EU AI Act Art. 73 regimes through the engine, each deadline on a manual clock. */
import { describe, expect, it } from 'vitest';
import { circia, euAiAct } from '../../../src/features/compliance/regimes.js';
import { createIncidentEngine } from '../../../src/createIncidentEngine.js';
import type { Incident } from '../../../src/model/incident.js';
import { memoryStore } from '../../../src/storage/memory.js';
import { createManualClock } from '../../../src/testing/manualClock.js';

const ciso = { id: 'u_ciso', name: 'CISO' };
const T0 = '2026-11-02T09:00:00.000Z';

function phaseOf(incident: Incident, regime: string, id: string) {
  const found = incident.clocks?.find((c) => c.regime === regime)?.phases.find((p) => p.phase === id);
  if (found === undefined) throw new Error(`no ${regime}.${id} on ${incident.id}`);
  return found;
}

/**
 * Starts `trigger` of `regime` at T0 and checks that `phase` is due at `dueAt`: nothing fires
 * at that instant, and one millisecond later REPORT_OVERDUE is recorded for that phase only.
 */
async function expectDeadline(regime: string, trigger: string, phase: string, dueAt: string) {
  const clock = createManualClock(T0);
  const engine = createIncidentEngine({ store: memoryStore(), clock });
  const { id } = await engine.declare({ title: 'Incident', severity: 'SEV2', actor: ciso });
  const started = await engine.startClock(id, { regime, trigger, at: T0, actor: ciso });
  expect(phaseOf(started, regime, phase)).toMatchObject({ status: 'pending', dueAt });
  clock.set(dueAt);
  expect((await engine.tick()).filter((t) => t.event === 'CLOCK_DUE')).toEqual([]);
  clock.advance(1);
  expect((await engine.tick()).map((t) => [t.event, t.outcome])).toEqual([['CLOCK_DUE', 'applied']]);
  const overdue = await engine.get(id);
  expect(overdue.overdueReports?.map((r) => [r.regime, r.phase, r.dueAt])).toEqual([[regime, phase, dueAt]]);
  return { engine, id, overdue };
}

describe('CIRCIA (6 U.S.C. 681b(a))', () => {
  it('has a 72-hour covered incident report, a 24-hour ransom payment report and a 24-hour supplemental report, each from its own trigger', () => {
    expect(circia.triggers).toEqual(['reasonableBelief', 'ransomPayment', 'ransomPaymentAfterReport']);
    expect(circia.phases.map((p) => [p.id, p.reference])).toEqual([
      ['coveredIncident', '6 U.S.C. 681b(a)(1)(A)'],
      ['ransomPayment', '6 U.S.C. 681b(a)(2)(A)'],
      ['supplementalRansomPayment', '6 U.S.C. 681b(a)(2)(A) and (a)(3)'],
    ]);
  });

  it('is due 72 hours after the reasonable belief that a covered cyber incident occurred; the ransom phases wait', async () => {
    const { overdue } = await expectDeadline('circia', 'reasonableBelief', 'coveredIncident', '2026-11-05T09:00:00.000Z');
    expect(phaseOf(overdue, 'circia', 'ransomPayment')).toMatchObject({ status: 'waiting' });
    expect(phaseOf(overdue, 'circia', 'supplementalRansomPayment')).toMatchObject({ status: 'waiting' });
  });

  it('is due 24 hours after a ransom payment', async () => {
    await expectDeadline('circia', 'ransomPayment', 'ransomPayment', '2026-11-03T09:00:00.000Z');
  });

  it('is due 24 hours after a ransom payment made after the covered cyber incident report', async () => {
    await expectDeadline('circia', 'ransomPaymentAfterReport', 'supplementalRansomPayment', '2026-11-03T09:00:00.000Z');
  });

  it('counts a report filed on time as filed', async () => {
    const clock = createManualClock(T0);
    const engine = createIncidentEngine({ store: memoryStore(), clock });
    const { id } = await engine.declare({ title: 'Ransomware', severity: 'SEV2', actor: ciso });
    await engine.startClock(id, { regime: 'circia', trigger: 'reasonableBelief', actor: ciso });
    clock.advance(71 * 3_600_000);
    const filed = await engine.fileReport(id, { regime: 'circia', phase: 'coveredIncident', reference: 'CISA-2026-0001', actor: ciso });
    expect(phaseOf(filed, 'circia', 'coveredIncident')).toMatchObject({ status: 'filed' });
  });
});

describe('EU AI Act Art. 73 (Regulation (EU) 2024/1689)', () => {
  it('has the 15-, 2- and 10-day reports of Art. 73(2), (3) and (4), each from its own trigger', () => {
    expect(euAiAct.triggers).toEqual(['awareness', 'widespreadOrCriticalInfrastructure', 'death']);
    expect(euAiAct.phases.map((p) => [p.id, p.reference, p.within.amount, p.within.unit])).toEqual([
      ['seriousIncident', 'AI Act Art. 73(2)', 15, 'calendarDays'],
      ['widespreadOrCriticalInfrastructure', 'AI Act Art. 73(3)', 2, 'calendarDays'],
      ['death', 'AI Act Art. 73(4)', 10, 'calendarDays'],
    ]);
  });

  it('is due at the end of the 15th day after awareness of a serious incident', async () => {
    await expectDeadline('euAiAct', 'awareness', 'seriousIncident', '2026-11-17T23:59:59.999Z');
  });

  it('is due at the end of the 2nd day after awareness of a widespread infringement or a critical infrastructure incident', async () => {
    await expectDeadline('euAiAct', 'widespreadOrCriticalInfrastructure', 'widespreadOrCriticalInfrastructure', '2026-11-04T23:59:59.999Z');
  });

  it('is due at the end of the 10th day after awareness in the event of a death', async () => {
    await expectDeadline('euAiAct', 'death', 'death', '2026-11-12T23:59:59.999Z');
  });

  it('runs the shorter deadline beside the 15 days when both triggers are started', async () => {
    const clock = createManualClock(T0);
    const engine = createIncidentEngine({ store: memoryStore(), clock });
    const { id } = await engine.declare({ title: 'Triage model misrouted a patient', severity: 'SEV1', actor: ciso });
    await engine.startClock(id, { regime: 'euAiAct', trigger: 'awareness', at: T0, actor: ciso });
    const both = await engine.startClock(id, { regime: 'euAiAct', trigger: 'death', at: T0, actor: ciso });
    expect(both.clocks?.[0]?.nextDueAt).toBe('2026-11-12T23:59:59.999Z');
    expect(phaseOf(both, 'euAiAct', 'widespreadOrCriticalInfrastructure')).toMatchObject({ status: 'waiting' });
  });
});
