/**
 * Regulatory reporting regimes: who must report what, counted from which trigger, within how
 * long. Built-ins for GDPR, NIS2, DORA, SEC Form 8-K, HIPAA, FDA MDR, The Joint Commission, CIRCIA and the EU AI Act;
 * {@link defineRegime} for others.
 *
 * @remarks Not legal advice. The built-ins encode the deadlines as written in the cited texts,
 * with the conservative reading where a text allows two; check them with counsel for your
 * organisation, jurisdiction and sector.
 *
 * @packageDocumentation
 */
import { ConfigError, ValidationError, type ValidationIssue } from '../../errors.js';
import { parseConfig } from '../../kernel/parse.js';
import { BUILT_IN_REGIME_DEFINITIONS as DEFINITIONS } from './builtInRegimeDefinitions.js';
import { defineCalendar, parseDuration, type CalendarOptions, type Duration } from '../../kernel/calendar.js';
import { regimeSchema } from './regimeSchema.js';

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
export const gdpr = /* @__PURE__ */ (() => defineRegime(DEFINITIONS.gdpr))();

/**
 * NIS2 significant incident reporting to the CSIRT or competent authority
 * (Directive (EU) 2022/2555, Art. 23(4)): early warning within 24 hours and incident
 * notification within 72 hours of becoming aware; final report one month after the incident
 * notification was submitted.
 */
export const nis2 = /* @__PURE__ */ (() => defineRegime(DEFINITIONS.nis2))();

/**
 * DORA major ICT-related incident reporting (Regulation (EU) 2022/2554, Art. 19(4), with the
 * time limits of Commission Delegated Regulation (EU) 2025/301, Art. 5): initial notification
 * within 4 hours of classification as major and no later than 24 hours after becoming aware;
 * intermediate report within 72 hours of submitting the initial notification; final report
 * within one month of submitting the latest updated intermediate report.
 */
export const dora = /* @__PURE__ */ (() => defineRegime(DEFINITIONS.dora))();

/**
 * SEC Form 8-K Item 1.05 (material cybersecurity incidents): four business days after the
 * registrant determines the incident is material, counted in New York time with EDGAR's
 * 5:30 p.m. Eastern cut-off.
 */
export const sec8k = /* @__PURE__ */ (() => defineRegime(DEFINITIONS.sec8k))();

/**
 * HIPAA breach notification to individuals: without unreasonable delay and no later than 60
 * calendar days after discovery (45 CFR 164.404(b)).
 */
export const hipaa = /* @__PURE__ */ (() => defineRegime(DEFINITIONS.hipaa))();

/**
 * FDA Medical Device Reporting by user facilities: a report within 10 work days after becoming
 * aware of a device-related death or serious injury (21 CFR 803.30(a)).
 */
export const fdaMdr = /* @__PURE__ */ (() => defineRegime(DEFINITIONS.fdaMdr))();

/**
 * The Joint Commission Sentinel Event Policy: a comprehensive systematic analysis (e.g. root
 * cause analysis) and corrective action plan within 45 business days of the event or of
 * becoming aware of it.
 */
export const jointCommission = /* @__PURE__ */ (() => defineRegime(DEFINITIONS.jointCommission))();

/**
 * CIRCIA reporting to CISA (Cyber Incident Reporting for Critical Infrastructure Act of 2022,
 * 6 U.S.C. 681b(a), as implemented by CISA's CIRCIA rule, proposed at 89 FR 23644): a covered
 * cyber incident report within 72 hours after the covered entity reasonably believes the
 * incident occurred (`reasonableBelief`, 681b(a)(1)(A)); a ransom payment report within 24
 * hours after the payment (`ransomPayment`, 681b(a)(2)(A)); and a supplemental report within
 * 24 hours of a ransom payment made after the incident report (`ransomPaymentAfterReport`,
 * 681b(a)(3)). Other supplemental reports are due "promptly", with no fixed deadline.
 *
 * @see https://www.law.cornell.edu/uscode/text/6/681b
 */
export const circia = /* @__PURE__ */ (() => defineRegime(DEFINITIONS.circia))();

/**
 * EU AI Act serious incident reporting by providers of high-risk AI systems (Regulation (EU)
 * 2024/1689, Art. 73): not later than 15 days after becoming aware of a serious incident
 * (`awareness`, Art. 73(2)); 2 days for a widespread infringement or a serious incident
 * involving critical infrastructure (`widespreadOrCriticalInfrastructure`, Art. 73(3)); 10
 * days in the event of the death of a person (`death`, Art. 73(4)). Start the special
 * triggers beside `awareness` when they apply.
 *
 * @see https://eur-lex.europa.eu/eli/reg/2024/1689/oj
 */
export const euAiAct = /* @__PURE__ */ (() => defineRegime(DEFINITIONS.euAiAct))();

/** Every built-in regime, by id. */
export const BUILT_IN_REGIMES = /* @__PURE__ */ Object.freeze({ gdpr, nis2, dora, sec8k, hipaa, fdaMdr, jointCommission, circia, euAiAct });

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
