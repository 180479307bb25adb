import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  assertRegimePhase,
  assertRegimeTrigger,
  BUILT_IN_REGIMES,
  createRegimeRegistry,
  defineRegime,
  dora,
  gdpr,
  nis2,
  sec8k,
} from '../../../src/features/compliance/regimes.js';
import { isIncidentKitError, type ValidationIssue } from '../../../src/errors.js';
import { thrown } from '../../helpers.js';

function issuesOf(err: unknown): ValidationIssue[] {
  return (err as { details: { issues: ValidationIssue[] } }).details.issues;
}

describe('built-in regimes', () => {
  it('have the ids, triggers and phases of issue 8', () => {
    const shape = Object.fromEntries(
      Object.values(BUILT_IN_REGIMES).map((r) => [
        r.id,
        {
          triggers: r.triggers,
          phases: r.phases.map((p) => [p.id, 'trigger' in p.from ? p.from.trigger : `filed:${p.from.phase}`, p.within.amount, p.within.unit]),
        },
      ]),
    );
    expect(shape).toEqual({
      gdpr: { triggers: ['awareness'], phases: [['notification', 'awareness', 72, 'hours']] },
      nis2: {
        triggers: ['awareness'],
        phases: [
          ['earlyWarning', 'awareness', 24, 'hours'],
          ['notification', 'awareness', 72, 'hours'],
          ['finalReport', 'filed:notification', 1, 'months'],
        ],
      },
      dora: {
        triggers: ['classification', 'awareness'],
        phases: [
          ['initial', 'classification', 4, 'hours'],
          ['intermediate', 'filed:initial', 72, 'hours'],
          ['final', 'filed:intermediate', 1, 'months'],
        ],
      },
      sec8k: { triggers: ['materialityDetermination'], phases: [['form8k', 'materialityDetermination', 4, 'businessDays']] },
      hipaa: { triggers: ['discovery'], phases: [['individuals', 'discovery', 60, 'calendarDays']] },
      fdaMdr: { triggers: ['awareness'], phases: [['report', 'awareness', 10, 'businessDays']] },
      jointCommission: { triggers: ['awareness'], phases: [['rcaAndActionPlan', 'awareness', 45, 'businessDays']] },
      circia: {
        triggers: ['reasonableBelief', 'ransomPayment', 'ransomPaymentAfterReport'],
        phases: [
          ['coveredIncident', 'reasonableBelief', 72, 'hours'],
          ['ransomPayment', 'ransomPayment', 24, 'hours'],
          ['supplementalRansomPayment', 'ransomPaymentAfterReport', 24, 'hours'],
        ],
      },
      euAiAct: {
        triggers: ['awareness', 'widespreadOrCriticalInfrastructure', 'death'],
        phases: [
          ['seriousIncident', 'awareness', 15, 'calendarDays'],
          ['widespreadOrCriticalInfrastructure', 'widespreadOrCriticalInfrastructure', 2, 'calendarDays'],
          ['death', 'death', 10, 'calendarDays'],
        ],
      },
    });
    expect(dora.phases[0].notLaterThan).toEqual({ from: { trigger: 'awareness' }, within: { amount: 24, unit: 'hours' } });
    expect(dora.phases[2]?.from).toEqual({ phase: 'intermediate', filing: 'latest' });
    expect(gdpr.phases[0].reasonForDelayWhenLate).toBe(true);
    expect(sec8k.calendar).toEqual({ timeZone: 'America/New_York' });
    expect(sec8k.phases[0].within.dayEndsAt).toBe('17:30');
  });

  it('cite their legal sources', () => {
    for (const regime of Object.values(BUILT_IN_REGIMES)) {
      expect(regime.reference.length).toBeGreaterThan(5);
      expect(regime.url).toMatch(/^https:\/\//);
      for (const phase of regime.phases) expect(phase.reference.length).toBeGreaterThan(5);
    }
    expect(gdpr.phases[0].reference).toBe('GDPR Art. 33(1)');
    expect(nis2.phases.map((p) => p.reference)).toEqual(['NIS2 Art. 23(4)(a)', 'NIS2 Art. 23(4)(b)', 'NIS2 Art. 23(4)(d)']);
    expect(dora.reference).toContain('Delegated Regulation (EU) 2025/301, Art. 5');
  });

  it('carry literal ids in their types', () => {
    expectTypeOf(gdpr.id).toEqualTypeOf<'gdpr'>();
    expectTypeOf(dora.triggers[0]).toEqualTypeOf<'classification' | 'awareness' | undefined>();
    expectTypeOf(dora.phases[0].id).toEqualTypeOf<'initial' | 'intermediate' | 'final'>();
  });
});

describe('defineRegime', () => {
  const phase = { id: 'report', title: 'Report', reference: 'Sec. 1', from: { trigger: 'awareness' }, within: { amount: 6, unit: 'hours' } } as const;

  it('derives the trigger list and freezes the regime', () => {
    const regime = defineRegime({ id: 'certIn', title: 'CERT-In', reference: 'Directions 2022', phases: [phase] });
    expect(regime.triggers).toEqual(['awareness']);
    expect(Object.isFrozen(regime)).toBe(true);
    expect(Object.isFrozen(regime.phases[0])).toBe(true);
  });

  it('can re-define a built-in with another calendar', () => {
    const withHolidays = defineRegime({ ...sec8k, calendar: { timeZone: 'America/New_York', holidays: ['2026-11-26'] } });
    expect(withHolidays.id).toBe('sec8k');
    expect(withHolidays.calendar?.holidays).toEqual(['2026-11-26']);
    expect(withHolidays.phases).toEqual(sec8k.phases);
  });

  it.each([
    [{ id: 'x', title: 'X', reference: 'R', phases: [] }, ['phases'], 'A regime needs at least one phase.'],
    [{ id: 'x', title: 'X', reference: 'R', phases: [phase, phase] }, ['phases', 1, 'id'], "Phase 'report' is defined twice."],
    [
      { id: 'x', title: 'X', reference: 'R', phases: [{ ...phase, from: { phase: 'later' } }, { ...phase, id: 'later' }] },
      ['phases', 0, 'from', 'phase'],
      "Phase 'report' counts from 'later', which is not an earlier phase",
    ],
    [{ id: 'x', title: 'X', reference: 'R', phases: [{ ...phase, within: { amount: 1.5, unit: 'hours' } }] }, ['phases', 0, 'within', 'amount'], 'Durations are whole numbers.'],
    [
      { id: 'x', title: 'X', reference: 'R', phases: [{ ...phase, notLaterThan: { from: { trigger: 'awareness' }, within: { amount: 1, unit: 'fortnights' } } }] },
      ['phases', 0, 'notLaterThan', 'within', 'unit'],
      '',
    ],
    [{ id: 'x', title: 'X', reference: 'R', phases: [phase], calendar: { timeZone: 'Mars/Olympus' } }, ['calendar', 'timeZone'], 'IANA time zone'],
    [{ id: '9x', title: 'X', reference: 'R', phases: [phase] }, ['id'], 'Ids start with a letter'],
  ])('refuses a malformed definition (%#)', (definition, path, message) => {
    const err = thrown(() => defineRegime(definition as never));
    expect(isIncidentKitError(err, 'CONFIG_INVALID')).toBe(true);
    const issue = issuesOf(err).find((i) => JSON.stringify(i.path) === JSON.stringify(path));
    expect(issue?.message).toContain(message);
  });
});

describe('createRegimeRegistry', () => {
  it('holds the built-ins and lets a same-id regime replace one', () => {
    const custom = defineRegime({ ...sec8k, calendar: { timeZone: 'America/New_York', holidays: ['2026-11-26'] } });
    const registry = createRegimeRegistry([custom]);
    expect(registry.ids).toEqual(['gdpr', 'nis2', 'dora', 'sec8k', 'hipaa', 'fdaMdr', 'jointCommission', 'circia', 'euAiAct']);
    expect(registry.get('sec8k')).toBe(custom);
    expect(createRegimeRegistry().get('gdpr')).toBe(gdpr);
    expect(registry.has('ccpa')).toBe(false);
  });

  it('refuses unknown regimes, naming the known ones', () => {
    const err = thrown(() => createRegimeRegistry().get('gdrp', 'startClock'));
    expect(isIncidentKitError(err, 'VALIDATION_FAILED')).toBe(true);
    expect(issuesOf(err)[0]).toMatchObject({ code: 'unknown_regime', path: ['regime'] });
    expect((err as Error).message).toContain("Unknown regime 'gdrp'; use one of gdpr, nis2, dora, sec8k, hipaa, fdaMdr, jointCommission");
  });

  it('refuses duplicates and regimes not made with defineRegime', () => {
    expect((thrown(() => createRegimeRegistry([gdpr, gdpr])) as Error).message).toContain("Two regimes have the id 'gdpr'");
    expect((thrown(() => createRegimeRegistry([{ ...gdpr }])) as Error).message).toContain('Make regimes with defineRegime');
  });
});

describe('assertRegimeTrigger / assertRegimePhase', () => {
  it('accept what the regime has and name it otherwise', () => {
    expect(assertRegimeTrigger(dora, 'classification')).toBe('classification');
    expect(assertRegimePhase(nis2, 'finalReport')).toBe('finalReport');
    const trigger = thrown(() => assertRegimeTrigger(gdpr, 'classification'));
    expect(issuesOf(trigger)[0]).toMatchObject({ code: 'unknown_trigger', path: ['trigger'] });
    expect((trigger as Error).message).toContain("Regime 'gdpr' has no trigger 'classification'; use one of awareness");
    const phase = thrown(() => assertRegimePhase(dora, 'interim'));
    expect((phase as Error).message).toContain("Invalid input for fileReport: phase: Regime 'dora' has no phase 'interim'; use one of initial, intermediate, final");
  });
});
