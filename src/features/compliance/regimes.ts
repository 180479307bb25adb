/**
 * Regulatory reporting regimes: who must report what, counted from which trigger, within how
 * long. Built-ins for GDPR, NIS2, DORA, SEC Form 8-K, HIPAA, FDA MDR and The Joint Commission;
 * {@link defineRegime} for others.
 *
 * @remarks Not legal advice. The built-ins encode the deadlines as written in the cited texts,
 * with the conservative reading where a text allows two; check them with counsel for your
 * organisation, jurisdiction and sector.
 *
 * @packageDocumentation
 */
import { z } from 'zod';
import { ConfigError, ValidationError, type ValidationIssue } from '../../errors.js';
import { parseConfig } from '../../kernel/parse.js';
import { defineCalendar, parseDuration, type CalendarOptions, type Duration } from './calendar.js';

/** What starts a phase's period: a trigger (e.g. `awareness`), or the filing of an earlier phase. */
export type ClockAnchor<T extends string = string, P extends string = string> =
  | { readonly trigger: T }
  | {
      readonly phase: P;
      /** Which filing of that phase counts when it was filed more than once (updates). Default: `first`. */
      readonly filing?: 'first' | 'latest';
    };

/** One reporting obligation of a regime. */
export interface RegimePhase<P extends string = string, T extends string = string> {
  /** A stable id, e.g. `notification`. */
  readonly id: P;
  readonly title: string;
  /** The legal reference, e.g. `GDPR Art. 33(1)`. */
  readonly reference: string;
  readonly description?: string;
  /** What starts the period. */
  readonly from: ClockAnchor<T, P>;
  /** How long the period is. */
  readonly within: Duration;
  /**
   * An outer limit: the report is due at the earlier of `within` and this. A limit that falls
   * before the phase starts is ignored (DORA RTS Art. 5(2): an incident classified as major only
   * after 24 hours gets 4 hours from classification).
   */
  readonly notLaterThan?: { readonly from: ClockAnchor<T, P>; readonly within: Duration };
  /** Whether a late report must state reasons for the delay (GDPR Art. 33(1)). */
  readonly reasonForDelayWhenLate?: boolean;
}

/** What {@link defineRegime} accepts. */
export interface RegimeDefinition<Id extends string = string, P extends string = string, T extends string = string> {
  /** A stable id, e.g. `gdpr`. */
  readonly id: Id;
  readonly title: string;
  /** The legal instrument, e.g. `Regulation (EU) 2016/679 (GDPR), Art. 33`. */
  readonly reference: string;
  readonly jurisdiction?: string;
  /** Where to read the text. */
  readonly url?: string;
  /** The obligations, in order; a phase may only start from an earlier phase's filing. */
  readonly phases: readonly [RegimePhase<P, T>, ...RegimePhase<P, T>[]];
  /** Calendar settings that override the host's for this regime (e.g. the SEC counts in New York time). */
  readonly calendar?: CalendarOptions;
  /** What the regime leaves out (obligations without a fixed deadline, exemptions). */
  readonly notes?: readonly string[];
}

/** A validated regime: its definition plus the trigger names its phases use. */
export interface Regime<Id extends string = string, P extends string = string, T extends string = string> extends RegimeDefinition<Id, P, T> {
  /** Every trigger a phase or limit counts from, e.g. `['awareness', 'classification']`. */
  readonly triggers: readonly T[];
}

type PhaseOf<D extends RegimeDefinition> = D['phases'][number];
type AnchorOfPhase<P> = (P extends { readonly from: infer A } ? A : never) | (P extends { readonly notLaterThan: { readonly from: infer C } } ? C : never);
type AnchorsOf<D extends RegimeDefinition> = AnchorOfPhase<PhaseOf<D>>;

/** The regime `defineRegime(D)` returns, with literal ids. */
export type RegimeOf<D extends RegimeDefinition> = Regime<D['id'], PhaseOf<D>['id'], Extract<AnchorsOf<D>, { readonly trigger: string }>['trigger']>;

/** The phase ids of a regime. */
export type RegimePhaseId<R extends Regime> = R['phases'][number]['id'];

/** The trigger names of a regime. */
export type RegimeTrigger<R extends Regime> = R['triggers'][number];

const idSchema = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'Ids start with a letter and hold letters, digits, _ or - (at most 64).');
const anchorSchema = z.union([
  z.strictObject({ trigger: idSchema }),
  z.strictObject({ phase: idSchema, filing: z.enum(['first', 'latest']).optional() }),
]);
const durationShape = z.object({ amount: z.number(), unit: z.string() }).loose();
const phaseSchema = z.strictObject({
  id: idSchema,
  title: z.string().trim().min(1).max(300),
  reference: z.string().trim().min(1).max(500),
  description: z.string().trim().min(1).max(4_000).optional(),
  from: anchorSchema,
  within: durationShape,
  notLaterThan: z.strictObject({ from: anchorSchema, within: durationShape }).optional(),
  reasonForDelayWhenLate: z.boolean().optional(),
});
const regimeSchema = z
  .strictObject({
    id: idSchema,
    title: z.string().trim().min(1).max(300),
    reference: z.string().trim().min(1).max(500),
    jurisdiction: z.string().trim().min(1).max(200).optional(),
    url: z.url().optional(),
    phases: z.array(phaseSchema).min(1, 'A regime needs at least one phase.').max(50),
    calendar: z.unknown().optional(),
    notes: z.array(z.string().trim().min(1).max(4_000)).max(50).optional(),
    // Accepted (and recomputed) so `defineRegime({ ...gdpr, calendar })` works.
    triggers: z.array(z.string()).optional(),
  })
  .superRefine((def, ctx) => {
    const earlier = new Set<string>();
    def.phases.forEach((phase, i) => {
      if (earlier.has(phase.id)) ctx.addIssue({ code: 'custom', path: ['phases', i, 'id'], message: `Phase '${phase.id}' is defined twice.` });
      const anchors: [PropertyKey[], z.infer<typeof anchorSchema>][] = [[['from'], phase.from]];
      if (phase.notLaterThan !== undefined) anchors.push([['notLaterThan', 'from'], phase.notLaterThan.from]);
      for (const [path, anchor] of anchors) {
        if ('phase' in anchor && !earlier.has(anchor.phase)) {
          ctx.addIssue({
            code: 'custom',
            path: ['phases', i, ...path, 'phase'],
            message: `Phase '${phase.id}' counts from '${anchor.phase}', which is not an earlier phase; list the phase it depends on first.`,
          });
        }
      }
      earlier.add(phase.id);
    });
  });

const definedRegimes = new WeakSet<object>();

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Defines a reporting regime: its phases, what starts each one, how long each runs, optional
 * outer limits, and calendar overrides.
 *
 * @example
 * ```ts
 * import { defineRegime } from 'incidentkit';
 *
 * const certIn = defineRegime({
 *   id: 'certIn',
 *   title: 'CERT-In cyber incident report',
 *   reference: 'CERT-In Directions No. 20(3)/2022-CERT-In, para (ii)',
 *   jurisdiction: 'India',
 *   phases: [{ id: 'report', title: 'Report to CERT-In', reference: 'para (ii)', from: { trigger: 'awareness' }, within: { amount: 6, unit: 'hours' } }],
 * });
 * ```
 *
 * @throws ConfigError (`CONFIG_INVALID`) for malformed ids, durations or calendar, a phase id
 * used twice, or a phase that counts from a phase not defined before it.
 */
export function defineRegime<const D extends RegimeDefinition>(definition: D): RegimeOf<D> {
  const subject = `regime '${String((definition as { id?: unknown }).id)}'`;
  const parsed = parseConfig(regimeSchema, definition, subject);
  const issues: ValidationIssue[] = [];
  const collect = (fn: () => unknown, path: PropertyKey[]): void => {
    try {
      fn();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      issues.push(...err.details.issues.map((i) => ({ ...i, path: [...path, ...i.path] })));
    }
  };
  const phases = definition.phases.map((phase, i) => {
    collect(() => parseDuration(phase.within, subject), ['phases', i, 'within']);
    if (phase.notLaterThan !== undefined) {
      const cap = phase.notLaterThan;
      collect(() => parseDuration(cap.within, subject), ['phases', i, 'notLaterThan', 'within']);
    }
    return Object.freeze(stripUndefined({ ...phase }));
  });
  if (definition.calendar !== undefined) collect(() => defineCalendar(definition.calendar), ['calendar']);
  if (issues.length > 0) throw new ConfigError(subject, issues);
  const triggers = new Set<string>();
  for (const phase of phases) {
    for (const anchor of [phase.from, phase.notLaterThan?.from]) {
      if (anchor !== undefined && 'trigger' in anchor) triggers.add(anchor.trigger);
    }
  }
  const regime = stripUndefined({
    id: parsed.id,
    title: parsed.title,
    reference: parsed.reference,
    jurisdiction: parsed.jurisdiction,
    url: parsed.url,
    phases: Object.freeze(phases),
    calendar: definition.calendar === undefined ? undefined : Object.freeze({ ...definition.calendar }),
    notes: parsed.notes === undefined ? undefined : Object.freeze([...parsed.notes]),
    triggers: Object.freeze([...triggers]),
  });
  const frozen = Object.freeze(regime) as unknown as RegimeOf<D>;
  definedRegimes.add(frozen);
  return frozen;
}

/**
 * GDPR personal data breach notification to the supervisory authority: 72 hours from becoming
 * aware (Regulation (EU) 2016/679, Art. 33(1)); a late notification must give reasons.
 */
export const gdpr = defineRegime({
  id: 'gdpr',
  title: 'GDPR personal data breach notification',
  reference: 'Regulation (EU) 2016/679 (GDPR), Art. 33',
  jurisdiction: 'EU/EEA',
  url: 'https://eur-lex.europa.eu/eli/reg/2016/679/oj',
  phases: [
    {
      id: 'notification',
      title: 'Notification to the supervisory authority',
      reference: 'GDPR Art. 33(1)',
      description:
        'Without undue delay and, where feasible, not later than 72 hours after having become aware of the breach; a later notification is accompanied by reasons for the delay.',
      from: { trigger: 'awareness' },
      within: { amount: 72, unit: 'hours' },
      reasonForDelayWhenLate: true,
    },
  ],
  notes: [
    'Art. 33(1) exempts breaches unlikely to result in a risk to the rights and freedoms of natural persons; deciding that is yours.',
    'Art. 34 (communication to data subjects) is due "without undue delay" and has no fixed deadline, so it is not a phase.',
    'Counted as 72 elapsed hours. Regulation (EEC, Euratom) No 1182/71 Art. 3 would start the period at the next full hour; the earlier deadline is used.',
  ],
});

/**
 * NIS2 significant incident reporting to the CSIRT or competent authority
 * (Directive (EU) 2022/2555, Art. 23(4)): early warning within 24 hours and incident
 * notification within 72 hours of becoming aware; final report one month after the incident
 * notification was submitted.
 */
export const nis2 = defineRegime({
  id: 'nis2',
  title: 'NIS2 significant incident reporting',
  reference: 'Directive (EU) 2022/2555 (NIS2), Art. 23(4)',
  jurisdiction: 'EU (as transposed by each Member State)',
  url: 'https://eur-lex.europa.eu/eli/dir/2022/2555/oj',
  phases: [
    {
      id: 'earlyWarning',
      title: 'Early warning',
      reference: 'NIS2 Art. 23(4)(a)',
      description: 'Without undue delay and in any event within 24 hours of becoming aware of the significant incident.',
      from: { trigger: 'awareness' },
      within: { amount: 24, unit: 'hours' },
    },
    {
      id: 'notification',
      title: 'Incident notification',
      reference: 'NIS2 Art. 23(4)(b)',
      description: 'Without undue delay and in any event within 72 hours of becoming aware of the significant incident.',
      from: { trigger: 'awareness' },
      within: { amount: 72, unit: 'hours' },
    },
    {
      id: 'finalReport',
      title: 'Final report',
      reference: 'NIS2 Art. 23(4)(d)',
      description: 'Not later than one month after the submission of the incident notification.',
      from: { phase: 'notification', filing: 'first' },
      within: { amount: 1, unit: 'months' },
    },
  ],
  notes: [
    'Trust service providers must notify within 24 hours (Art. 23(4)(b), second subparagraph); define your own regime for that.',
    'Intermediate reports on request (Art. 23(4)(c)) and progress reports for ongoing incidents (Art. 23(4)(e)) have no fixed deadline here.',
    'NIS2 is a directive: check the national transposition that applies to you.',
  ],
});

/**
 * DORA major ICT-related incident reporting (Regulation (EU) 2022/2554, Art. 19(4), with the
 * time limits of Commission Delegated Regulation (EU) 2025/301, Art. 5): initial notification
 * within 4 hours of classification as major and no later than 24 hours after becoming aware;
 * intermediate report within 72 hours of submitting the initial notification; final report
 * within one month of submitting the latest updated intermediate report.
 */
export const dora = defineRegime({
  id: 'dora',
  title: 'DORA major ICT-related incident reporting',
  reference: 'Regulation (EU) 2022/2554 (DORA), Art. 19(4); Commission Delegated Regulation (EU) 2025/301, Art. 5',
  jurisdiction: 'EU financial sector',
  url: 'https://eur-lex.europa.eu/eli/reg_del/2025/301/oj',
  phases: [
    {
      id: 'initial',
      title: 'Initial notification',
      reference: 'DORA Art. 19(4)(a); RTS (EU) 2025/301 Art. 5(1)(a) and 5(2)',
      description:
        'As early as possible within 4 hours from classification of the incident as major, but no later than 24 hours from becoming aware of it. Classified as major only after 24 hours: within 4 hours of classification.',
      from: { trigger: 'classification' },
      within: { amount: 4, unit: 'hours' },
      notLaterThan: { from: { trigger: 'awareness' }, within: { amount: 24, unit: 'hours' } },
    },
    {
      id: 'intermediate',
      title: 'Intermediate report',
      reference: 'DORA Art. 19(4)(b); RTS (EU) 2025/301 Art. 5(1)(b)',
      description: 'Within 72 hours from the submission of the initial notification, even if the status or handling has not changed.',
      from: { phase: 'initial', filing: 'first' },
      within: { amount: 72, unit: 'hours' },
    },
    {
      id: 'final',
      title: 'Final report',
      reference: 'DORA Art. 19(4)(c); RTS (EU) 2025/301 Art. 5(1)(c)',
      description:
        'No later than one month from the submission of the latest updated intermediate report. File each updated intermediate report as another filing of `intermediate`; the month counts from the latest.',
      from: { phase: 'intermediate', filing: 'latest' },
      within: { amount: 1, unit: 'months' },
    },
  ],
  notes: [
    'RTS 2025/301 lets some financial entities submit by noon of the next working day when a time limit falls on a weekend or bank holiday; that relief is not applied (the earlier deadline is shown).',
    'An updated intermediate report is due without undue delay once regular activities have been recovered; it has no fixed deadline here.',
  ],
});

/**
 * SEC Form 8-K Item 1.05 (material cybersecurity incidents): four business days after the
 * registrant determines the incident is material, counted in New York time with EDGAR's
 * 5:30 p.m. Eastern cut-off.
 */
export const sec8k = defineRegime({
  id: 'sec8k',
  title: 'SEC Form 8-K Item 1.05: material cybersecurity incident',
  reference: 'Form 8-K Item 1.05 and General Instruction B.1; 17 CFR 240.13a-11; Regulation S-T Rule 13 (17 CFR 232.13)',
  jurisdiction: 'United States (SEC registrants)',
  url: 'https://www.sec.gov/files/form8-k.pdf',
  calendar: { timeZone: 'America/New_York' },
  phases: [
    {
      id: 'form8k',
      title: 'Form 8-K filing',
      reference: 'Form 8-K General Instruction B.1 and Item 1.05(a)',
      description:
        'Within four business days after the registrant determines that its cybersecurity incident is material. A determination on a weekend or holiday counts from the next business day. Filings after 5:30 p.m. Eastern are dated the next business day (Regulation S-T Rule 13(a)(2)).',
      from: { trigger: 'materialityDetermination' },
      within: { amount: 4, unit: 'businessDays', dayEndsAt: '17:30' },
    },
  ],
  notes: [
    'Business days exclude Saturdays, Sundays and federal holidays: pass the US federal holidays in the calendar (e.g. defineRegime({ ...sec8k, calendar: { timeZone: "America/New_York", holidays } })).',
    'A delay the Attorney General requests under Item 1.05(c) is not modelled.',
  ],
});

/**
 * HIPAA breach notification to individuals: without unreasonable delay and no later than 60
 * calendar days after discovery (45 CFR 164.404(b)).
 */
export const hipaa = defineRegime({
  id: 'hipaa',
  title: 'HIPAA breach notification to individuals',
  reference: '45 CFR 164.404',
  jurisdiction: 'United States (covered entities)',
  url: 'https://www.ecfr.gov/current/title-45/subtitle-A/subchapter-C/part-164/subpart-D/section-164.404',
  phases: [
    {
      id: 'individuals',
      title: 'Notice to affected individuals',
      reference: '45 CFR 164.404(b)',
      description:
        'Without unreasonable delay and in no case later than 60 calendar days after discovery of the breach (the first day it is known, or would have been known with reasonable diligence: 164.404(a)(2)).',
      from: { trigger: 'discovery' },
      within: { amount: 60, unit: 'calendarDays' },
    },
  ],
  notes: [
    'Media notice (164.406, breaches of more than 500 residents of a State) and notice to HHS (164.408) are not modelled.',
    'A law enforcement delay under 164.412 is not modelled.',
  ],
});

/**
 * FDA Medical Device Reporting by user facilities: a report within 10 work days after becoming
 * aware of a device-related death or serious injury (21 CFR 803.30(a)).
 */
export const fdaMdr = defineRegime({
  id: 'fdaMdr',
  title: 'FDA Medical Device Report (user facility)',
  reference: '21 CFR 803.30; "work day" as defined in 21 CFR 803.3',
  jurisdiction: 'United States (device user facilities)',
  url: 'https://www.ecfr.gov/current/title-21/chapter-I/subchapter-H/part-803',
  phases: [
    {
      id: 'report',
      title: 'MDR report (Form FDA 3500A)',
      reference: '21 CFR 803.30(a)(1)-(2)',
      description:
        'No later than 10 work days after the day you become aware of information that reasonably suggests a device has or may have caused or contributed to a death (report to FDA and the manufacturer) or serious injury (report to the manufacturer, or FDA if the manufacturer is unknown). Work days are Monday to Friday except federal holidays.',
      from: { trigger: 'awareness' },
      within: { amount: 10, unit: 'businessDays' },
    },
  ],
  notes: ['Pass the US federal holidays in the calendar.', 'The annual user facility report (803.33) is not modelled.'],
});

/**
 * The Joint Commission Sentinel Event Policy: a comprehensive systematic analysis (e.g. root
 * cause analysis) and corrective action plan within 45 business days of the event or of
 * becoming aware of it.
 */
export const jointCommission = defineRegime({
  id: 'jointCommission',
  title: 'The Joint Commission sentinel event: comprehensive systematic analysis and action plan',
  reference: 'The Joint Commission, Sentinel Event Policy (Comprehensive Accreditation Manual, chapter SE)',
  jurisdiction: 'Joint Commission-accredited organisations',
  url: 'https://www.jointcommission.org/resources/sentinel-event/',
  phases: [
    {
      id: 'rcaAndActionPlan',
      title: 'Comprehensive systematic analysis and corrective action plan',
      reference: 'Sentinel Event Policy, section on comprehensive systematic analysis',
      description: 'Within 45 business days of the event or of becoming aware of the event.',
      from: { trigger: 'awareness' },
      within: { amount: 45, unit: 'businessDays' },
    },
  ],
  notes: ['Reporting a sentinel event to The Joint Commission is encouraged, not required; it has no deadline here.'],
});

/** Every built-in regime, by id. */
export const BUILT_IN_REGIMES = Object.freeze({ gdpr, nis2, dora, sec8k, hipaa, fdaMdr, jointCommission });

/** The id of a built-in regime. */
export type BuiltInRegimeId = keyof typeof BUILT_IN_REGIMES;

/** A lookup of regimes by id, made by {@link createRegimeRegistry}. */
export interface RegimeRegistry {
  readonly regimes: readonly Regime[];
  readonly ids: readonly string[];
  has(id: string): boolean;
  /**
   * The regime `id`.
   *
   * @throws ValidationError (`VALIDATION_FAILED`, issue code `unknown_regime` at path `regime`).
   */
  get(id: string, subject?: string): Regime;
}

/**
 * The regimes an engine knows: the built-ins plus `regimes`; a regime with a built-in's id
 * replaces it (e.g. `sec8k` with your holiday list).
 *
 * @example
 * ```ts
 * import { createRegimeRegistry, defineRegime, sec8k } from 'incidentkit';
 *
 * const registry = createRegimeRegistry([
 *   defineRegime({ ...sec8k, calendar: { timeZone: 'America/New_York', holidays: ['2026-11-26', '2026-12-25'] } }),
 * ]);
 * registry.get('sec8k').calendar?.holidays; // ['2026-11-26', '2026-12-25']
 * ```
 *
 * @throws ConfigError (`CONFIG_INVALID`) when two of `regimes` share an id or one was not made
 * with {@link defineRegime}.
 */
export function createRegimeRegistry(regimes: readonly Regime[] = []): RegimeRegistry {
  const byId = new Map<string, Regime>(Object.values(BUILT_IN_REGIMES).map((r) => [r.id, r]));
  const seen = new Set<string>();
  const issues: ValidationIssue[] = [];
  regimes.forEach((regime, i) => {
    if (typeof regime !== 'object' || !definedRegimes.has(regime)) {
      issues.push({ code: 'invalid_regime', path: ['regimes', i], message: 'Make regimes with defineRegime' });
      return;
    }
    if (seen.has(regime.id)) issues.push({ code: 'duplicate_regime', path: ['regimes', i], message: `Two regimes have the id '${regime.id}'` });
    seen.add(regime.id);
    byId.set(regime.id, regime);
  });
  if (issues.length > 0) throw new ConfigError('regimes', issues);
  const all = Object.freeze([...byId.values()]);
  const ids = Object.freeze([...byId.keys()]);
  return Object.freeze({
    regimes: all,
    ids,
    has: (id: string) => byId.has(id),
    get(id: string, subject = 'startClock') {
      const regime = byId.get(id);
      if (regime === undefined) {
        throw new ValidationError(subject, [{ code: 'unknown_regime', path: ['regime'], message: `Unknown regime '${id}'; use one of ${ids.join(', ')}` }]);
      }
      return regime;
    },
  });
}

/**
 * Checks that `trigger` starts something in `regime` (for `engine.startClock`).
 *
 * @example
 * ```ts
 * import { assertRegimeTrigger, dora } from 'incidentkit';
 *
 * assertRegimeTrigger(dora, 'classification'); // 'classification'
 * ```
 *
 * @throws ValidationError (`VALIDATION_FAILED`, issue code `unknown_trigger` at path `trigger`)
 * naming the regime's triggers.
 */
export function assertRegimeTrigger<R extends Regime>(regime: R, trigger: string, subject = 'startClock'): RegimeTrigger<R> {
  if (!(regime.triggers).includes(trigger)) {
    throw new ValidationError(subject, [
      { code: 'unknown_trigger', path: ['trigger'], message: `Regime '${regime.id}' has no trigger '${trigger}'; use one of ${regime.triggers.join(', ')}` },
    ]);
  }
  return trigger;
}

/**
 * Checks that `phase` is a phase of `regime` (for `engine.fileReport`).
 *
 * @example
 * ```ts
 * import { assertRegimePhase, nis2 } from 'incidentkit';
 *
 * assertRegimePhase(nis2, 'earlyWarning'); // 'earlyWarning'
 * ```
 *
 * @throws ValidationError (`VALIDATION_FAILED`, issue code `unknown_phase` at path `phase`)
 * naming the regime's phases.
 */
export function assertRegimePhase<R extends Regime>(regime: R, phase: string, subject = 'fileReport'): RegimePhaseId<R> {
  if (!regime.phases.some((p) => p.id === phase)) {
    throw new ValidationError(subject, [
      { code: 'unknown_phase', path: ['phase'], message: `Regime '${regime.id}' has no phase '${phase}'; use one of ${regime.phases.map((p) => p.id).join(', ')}` },
    ]);
  }
  return phase;
}
