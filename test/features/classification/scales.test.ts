import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  ahrqEventClasses,
  ahrqHarmScale,
  ITIL_PRIORITY_MATRIX,
  itilPriority,
  itilPriorityScale,
  nccMerpGroup,
  nccMerpScale,
  PAGERDUTY_URGENCY,
  pagerDutySeverityScale,
  pagerDutyUrgency,
  type ItilLevel,
} from '../../../src/features/classification/scales.js';
import { isIncidentKitError } from '../../../src/errors.js';
import {
  atLeast,
  compareSeverity,
  defineSeverityScale,
  isAtLeast,
  severityGroup,
  severityLabel,
  severityRank,
  severitySchema,
  sevScale,
  type SeverityScale,
} from '../../../src/model/severity.js';
import { thrown } from '../../helpers.js';

describe('sevScale and severitySchema (unchanged contract)', () => {
  it('keeps the SEV1…SEV5 levels worst first under the name sev', () => {
    expect(sevScale.name).toBe('sev');
    expect(sevScale.levels).toEqual(['SEV1', 'SEV2', 'SEV3', 'SEV4', 'SEV5']);
    expect(Object.isFrozen(sevScale)).toBe(true);
    expect(Object.isFrozen(sevScale.levels)).toBe(true);
  });

  it('accepts exactly the levels of a scale', () => {
    expect(severitySchema(sevScale).parse('SEV2')).toBe('SEV2');
    const result = severitySchema(sevScale).safeParse('SEV9');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('Unknown severity; use one of SEV1, SEV2, SEV3, SEV4, SEV5.');
  });

  it('is assignable to the plain SeverityScale the engine takes', () => {
    const scale: SeverityScale = sevScale;
    expect(scale.levels[0]).toBe('SEV1');
    expectTypeOf(sevScale.levels[0]).toEqualTypeOf<'SEV1' | 'SEV2' | 'SEV3' | 'SEV4' | 'SEV5'>();
  });
});

describe('defineSeverityScale', () => {
  it('keeps levels worst first and moves unranked levels to the end', () => {
    const scale = defineSeverityScale({ name: 'risk', levels: ['unknown', 'high', 'low'], unranked: ['unknown'] });
    expect(scale.levels).toEqual(['high', 'low', 'unknown']);
    expect(scale.unranked).toEqual(['unknown']);
    expectTypeOf(scale).toEqualTypeOf<SeverityScale<'unknown' | 'high' | 'low'>>();
  });

  it.each([
    [{ name: 'x', levels: ['a', 'a'] }, ['levels', 1], "Level 'a' is listed twice."],
    [{ name: '1x', levels: ['a'] }, ['name'], 'Scale names start with a letter'],
    [{ name: 'x', levels: ['a'], labels: { b: 'B' } }, ['labels', 0], "'b' is not a level of this scale"],
    [{ name: 'x', levels: ['a', 'b'], unranked: ['a', 'b'] }, ['unranked'], 'At least one level must be ranked.'],
    [{ name: 'x', levels: ['a'], groups: { g: ['z'] } }, ['groups', 'g', 0], "'z' is not a level"],
  ])('refuses %j with a ConfigError at %j', (definition, path, message) => {
    const err = thrown(() => defineSeverityScale(definition as never));
    expect(isIncidentKitError(err, 'CONFIG_INVALID')).toBe(true);
    const issues = (err as { details: { issues: { path: unknown[]; message: string }[] } }).details.issues;
    expect(issues.some((i) => JSON.stringify(i.path) === JSON.stringify(path) && i.message.includes(message))).toBe(true);
  });
});

describe('ordering helpers', () => {
  it('sorts levels worst first', () => {
    const sorted = (['SEV3', 'SEV1', 'SEV5', 'SEV2'] as const).slice().sort((a, b) => compareSeverity(sevScale, a, b));
    expect(sorted).toEqual(['SEV1', 'SEV2', 'SEV3', 'SEV5']);
  });

  it('answers "SEV2 or worse"', () => {
    expect(isAtLeast(sevScale, 'SEV1', 'SEV2')).toBe(true);
    expect(isAtLeast(sevScale, 'SEV2', 'SEV2')).toBe(true);
    expect(isAtLeast(sevScale, 'SEV3', 'SEV2')).toBe(false);
    expect(atLeast(sevScale, 'SEV2')).toEqual(['SEV1', 'SEV2']);
    expect(atLeast(sevScale, 'SEV5')).toEqual(['SEV1', 'SEV2', 'SEV3', 'SEV4', 'SEV5']);
  });

  it('ranks levels from 0 (worst) and reports unranked ones as undefined', () => {
    expect(severityRank(sevScale, 'SEV1')).toBe(0);
    expect(severityRank(ahrqHarmScale, 'no_harm')).toBe(4);
    expect(severityRank(ahrqHarmScale, 'unknown')).toBeUndefined();
  });

  it('refuses values that are not levels, naming the valid ones', () => {
    const err = thrown(() => compareSeverity(sevScale as SeverityScale, 'SEV1', 'SEV9'));
    expect(isIncidentKitError(err, 'VALIDATION_FAILED')).toBe(true);
    expect((err as Error).message).toContain("'SEV9' is not a level of the 'sev' scale; use one of SEV1, SEV2, SEV3, SEV4, SEV5");
  });

  it('checks level names at compile time for typed scales', () => {
    // @ts-expect-error 'SEV9' is not a level of sevScale
    expect(() => isAtLeast(sevScale, 'SEV9', 'SEV1')).toThrow();
  });

  const rankedScales = [sevScale, itilPriorityScale, pagerDutySeverityScale, nccMerpScale, ahrqEventClasses] as SeverityScale[];

  it('orders consistently: isAtLeast(a, b) exactly when a sorts no later than b (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...rankedScales).chain((scale) => fc.tuple(fc.constant(scale), fc.constantFrom(...scale.levels), fc.constantFrom(...scale.levels))),
        ([scale, a, b]) => {
          expect(isAtLeast(scale, a, b)).toBe(compareSeverity(scale, a, b) <= 0);
          expect(compareSeverity(scale, a, b) + compareSeverity(scale, b, a)).toBe(0);
          expect(atLeast(scale, b).includes(a)).toBe(isAtLeast(scale, a, b));
        },
      ),
    );
  });
});

describe('itilPriority', () => {
  const table: [ItilLevel, ItilLevel, string][] = [
    [1, 1, 'P1'],
    [1, 2, 'P2'],
    [1, 3, 'P3'],
    [2, 1, 'P2'],
    [2, 2, 'P3'],
    [2, 3, 'P4'],
    [3, 1, 'P3'],
    [3, 2, 'P4'],
    [3, 3, 'P5'],
  ];

  it.each(table)('impact %i, urgency %i → %s', (impact, urgency, priority) => {
    expect(itilPriority({ impact, urgency })).toBe(priority);
  });

  it('exposes the matrix and a P1–P5 scale with labels', () => {
    expect(ITIL_PRIORITY_MATRIX).toEqual([
      ['P1', 'P2', 'P3'],
      ['P2', 'P3', 'P4'],
      ['P3', 'P4', 'P5'],
    ]);
    expect(itilPriorityScale.levels).toEqual(['P1', 'P2', 'P3', 'P4', 'P5']);
    expect(severityLabel(itilPriorityScale, 'P1')).toBe('Critical');
    expect(severityLabel(itilPriorityScale, 'P5')).toBe('Planning');
  });

  it('uses a custom matrix when given one', () => {
    const strict = [
      ['P1', 'P1', 'P2'],
      ['P1', 'P2', 'P3'],
      ['P2', 'P3', 'P4'],
    ] as const;
    expect(itilPriority({ impact: 1, urgency: 2 }, strict)).toBe('P1');
    expect(itilPriority({ impact: 3, urgency: 3 }, strict)).toBe('P4');
    const named = [
      ['urgent', 'urgent', 'soon'],
      ['urgent', 'soon', 'later'],
      ['soon', 'later', 'later'],
    ] as const;
    const p = itilPriority({ impact: 2, urgency: 2 }, named);
    expectTypeOf(p).toEqualTypeOf<'urgent' | 'soon' | 'later'>();
    expect(p).toBe('soon');
  });

  it('refuses impact or urgency outside 1–3 and malformed matrices', () => {
    const bad = thrown(() => itilPriority({ impact: 4 as ItilLevel, urgency: 1 }));
    expect(isIncidentKitError(bad, 'VALIDATION_FAILED')).toBe(true);
    expect((bad as Error).message).toContain('impact: Must be 1 (high), 2 (medium) or 3 (low)');
    const matrix = thrown(() => itilPriority({ impact: 1, urgency: 1 }, [['P1', 'P2']] as never));
    expect(isIncidentKitError(matrix, 'CONFIG_INVALID')).toBe(true);
  });
});

describe('PagerDuty severities', () => {
  it('lists critical, error, warning, info worst first with the documented urgency', () => {
    expect(pagerDutySeverityScale.levels).toEqual(['critical', 'error', 'warning', 'info']);
    expect(PAGERDUTY_URGENCY).toEqual({ critical: 'high', error: 'high', warning: 'low', info: 'low' });
    expect(pagerDutyUrgency('critical')).toBe('high');
    expect(pagerDutyUrgency('warning')).toBe('low');
    expect(severityGroup(pagerDutySeverityScale, 'error')).toBe('high_urgency');
    expect(isIncidentKitError(thrown(() => pagerDutyUrgency('Info' as never)), 'VALIDATION_FAILED')).toBe(true);
  });
});

describe('healthcare presets', () => {
  it('orders AHRQ event classes by how close the event came to the patient', () => {
    expect(ahrqEventClasses.levels).toEqual(['incident', 'near_miss', 'unsafe_condition']);
    expect(ahrqEventClasses.descriptions?.near_miss).toContain('did not reach the patient');
    expect(severityLabel(ahrqEventClasses, 'unsafe_condition')).toBe('Unsafe condition');
  });

  it('sorts AHRQ harm unknown last but counts it as meeting thresholds unless told otherwise', () => {
    expect(ahrqHarmScale.levels).toEqual(['death', 'severe', 'moderate', 'mild', 'no_harm', 'unknown']);
    const sorted = (['unknown', 'mild', 'death', 'no_harm'] as const).slice().sort((a, b) => compareSeverity(ahrqHarmScale, a, b));
    expect(sorted).toEqual(['death', 'mild', 'no_harm', 'unknown']);
    expect(isAtLeast(ahrqHarmScale, 'unknown', 'moderate')).toBe(true);
    expect(isAtLeast(ahrqHarmScale, 'unknown', 'moderate', { includeUnranked: false })).toBe(false);
    expect(isAtLeast(ahrqHarmScale, 'mild', 'moderate')).toBe(false);
    expect(atLeast(ahrqHarmScale, 'moderate')).toEqual(['death', 'severe', 'moderate', 'unknown']);
    expect(atLeast(ahrqHarmScale, 'moderate', { includeUnranked: false })).toEqual(['death', 'severe', 'moderate']);
    expect(severityLabel(ahrqHarmScale, 'no_harm')).toBe('No harm');
    expect(ahrqHarmScale.descriptions?.death).toBe('Dead at time of assessment.');
  });

  it('refuses an unranked level as a threshold', () => {
    const err = thrown(() => atLeast(ahrqHarmScale, 'unknown'));
    expect(isIncidentKitError(err, 'VALIDATION_FAILED')).toBe(true);
    expect((err as Error).message).toContain('cannot be a threshold');
  });

  it('encodes the NCC MERP index worst first with its official descriptions and groups', () => {
    expect(nccMerpScale.levels).toEqual(['I', 'H', 'G', 'F', 'E', 'D', 'C', 'B', 'A']);
    expect(nccMerpScale.descriptions?.A).toBe('Circumstances or events that have the capacity to cause error.');
    expect(nccMerpScale.descriptions?.E).toBe(
      'An error occurred that may have contributed to or resulted in temporary harm to the patient and required intervention.',
    );
    expect(nccMerpScale.groups).toEqual({
      no_error: ['A'],
      error_no_harm: ['B', 'C', 'D'],
      error_harm: ['E', 'F', 'G', 'H'],
      error_death: ['I'],
    });
    expect(nccMerpScale.source).toContain('© 2001 National Coordinating Council for Medication Error Reporting and Prevention');
    expect(isAtLeast(nccMerpScale, 'F', 'E')).toBe(true);
    expect(atLeast(nccMerpScale, 'E')).toEqual(['I', 'H', 'G', 'F', 'E']);
  });

  it.each([
    ['A', 'no_error'],
    ['B', 'error_no_harm'],
    ['C', 'error_no_harm'],
    ['D', 'error_no_harm'],
    ['E', 'error_harm'],
    ['F', 'error_harm'],
    ['G', 'error_harm'],
    ['H', 'error_harm'],
    ['I', 'error_death'],
  ] as const)('NCC MERP category %s is in group %s', (category, group) => {
    expect(nccMerpGroup(category)).toBe(group);
    expect(severityGroup(nccMerpScale, category)).toBe(group);
  });
});
