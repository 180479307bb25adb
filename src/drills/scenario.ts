/**
 * The scenario format: a JSON story of signals and human actions at offsets from its start,
 * validated with zod so a bad step is refused with its index (and, from a file, its line).
 */
import { z } from 'zod';
import { ValidationError, type ValidationIssue } from '../errors.js';
import { parseInput } from '../kernel/parse.js';

/**
 * The engine commands a scenario step may call (`do`), with `declare` opening an incident.
 * Each takes the incident (by the alias a `declare` or signal step gave it with `as`, or its id)
 * and the command's input as the engine documents it, without `actor` (see `by`).
 */
export const SCENARIO_ACTIONS = [
  'declare',
  'acknowledge',
  'assignRole',
  'setSeverity',
  'addNote',
  'postUpdate',
  'escalate',
  'mitigate',
  'recordRootCause',
  'resolve',
  'reopen',
  'cancel',
  'startReview',
  'completeReview',
  'addActionItem',
  'close',
  'updateFields',
  'setStatusLabel',
  'startClock',
  'fileReport',
  'completeTask',
  'skipTask',
] as const;

/** One of {@link SCENARIO_ACTIONS}. */
export type ScenarioAction = (typeof SCENARIO_ACTIONS)[number];

/**
 * An ISO 8601 duration of days, hours, minutes and seconds (`PT5M`, `PT1H30M`, `P1DT2H`,
 * `PT0S`, `PT2.5S`): the only offset format scenarios take. Years, months and weeks are refused
 * (their length depends on the calendar).
 */
const DURATION = /^P(?:(\d{1,4})D)?(?:T(?:(\d{1,5})H)?(?:(\d{1,6})M)?(?:(\d{1,7}(?:\.\d{1,3})?)S)?)?$/;

/**
 * Milliseconds of an ISO 8601 duration (`PT5M` → 300 000), or `undefined` when `text` is not one
 * scenarios take (see {@link ScenarioStep.at}).
 *
 * @example
 * ```ts
 * import { parseOffset } from 'incidentkit/drills';
 *
 * parseOffset('PT1H30M'); // 5 400 000
 * parseOffset('+5m');     // undefined: write PT5M
 * ```
 */
export function parseOffset(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (match === null || text === 'P' || text.endsWith('T')) return undefined;
  const [, d, h, m, s] = match;
  return Math.round(((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(m ?? 0)) * 60_000 + Number(s ?? 0) * 1_000);
}

const offsetSchema = /* @__PURE__ */ z.string().refine((text) => parseOffset(text) !== undefined, {
  message: 'Write the offset from the start as an ISO 8601 duration of days, hours, minutes and seconds, e.g. PT5M, PT1H30M or P1DT2H.',
});

const name = /* @__PURE__ */ z.string().min(1).max(200);
const json = /* @__PURE__ */ (() => z.record(z.string(), z.unknown()))();

const stepSchema = /* @__PURE__ */ (() =>
  z
    .strictObject({
      /** When, from the scenario's start. */
      at: offsetSchema,
      /** An engine command, or absent for a signal step. */
      do: z.enum(SCENARIO_ACTIONS).optional(),
      /** The incident a command acts on: an alias given with `as`, or an incident id. */
      incident: name.optional(),
      /** The command's input, without `actor`. */
      input: json.optional(),
      /** One signal, or several, to ingest (fields as `engine.ingest` takes; see the defaults in docs/drills.md). */
      signal: z.union([json, z.array(json).min(1).max(1_000)]).optional(),
      /** Names the incident this step opens (a `declare`, or the first incident a signal step opened or touched). */
      as: name.optional(),
      /** Who acts: a key of the scenario's `people`, or a user id. Default: the scenario's system actor. */
      by: name.optional(),
      /** A note for the reader of the scenario; ignored by the runner. */
      note: z.string().max(2_000).optional(),
    })
    .superRefine((step, ctx) => {
      if ((step.do === undefined) === (step.signal === undefined)) {
        ctx.addIssue({ code: 'custom', message: 'A step either sends a signal (`signal`) or calls a command (`do`), exactly one of them.' });
      }
      if (step.do !== undefined && step.do !== 'declare' && step.incident === undefined) {
        ctx.addIssue({ code: 'custom', path: ['incident'], message: `'${step.do}' needs the incident it acts on: an alias given with \`as\`, or an id.` });
      }
      if (step.do === 'declare' && step.incident !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['incident'], message: 'A declare opens a new incident: name it with `as`, not `incident`.' });
      }
    }))();

/** The zod schema of a {@link Scenario}. */
export const scenarioSchema = /* @__PURE__ */ (() =>
  z
    .strictObject({
      /** A short name, shown in reports. */
      name,
      description: z.string().max(10_000).optional(),
      /** When the story starts (offsets count from it): an ISO 8601 time with an offset. */
      start: z.iso.datetime({ offset: true }),
      /** People by alias, so steps say `"by": "dana"`. */
      people: z.record(z.string(), z.strictObject({ id: name, name: name.optional() })).optional(),
      /**
       * The engine `createScenarioEngine` builds (JSON options only): `policies`, `ingest`,
       * `routing` (routing rules), `routes` (notification routes), `channels` (names of recording
       * notifiers; default `['pager']`), `schedules` (stored with `engine.schedules.put` at the
       * start), `severityScale` (a scale object, or `nccMerp`, `itilPriority`, `pagerDuty`,
       * `ahrqHarm`), `calendar`. `runScenario` with your own engine ignores it.
       */
      engine: z
        .strictObject({
          policies: json.optional(),
          ingest: json.optional(),
          routing: z.array(json).optional(),
          routes: z.array(json).optional(),
          channels: z.array(z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'A channel name holds 1 to 64 letters, digits, . _ or -.')).max(20).optional(),
          schedules: z.array(json).max(100).optional(),
          severityScale: z.union([z.enum(['nccMerp', 'itilPriority', 'pagerDuty', 'ahrqHarm']), json]).optional(),
          calendar: json.optional(),
        })
        .optional(),
      /** What happens, in time order (equal offsets run in the order given). */
      steps: z.array(stepSchema).min(1).max(10_000),
      /**
       * How long the runner keeps the clock going after the last step, so escalations and
       * targets still due show (an ISO 8601 duration; default `PT0S`).
       */
      runFor: offsetSchema.optional(),
    })
    .superRefine((scenario, ctx) => {
      let previous = 0;
      scenario.steps.forEach((step, index) => {
        const at = parseOffset(step.at) ?? 0;
        if (at < previous) ctx.addIssue({ code: 'custom', path: ['steps', index, 'at'], message: `Step ${String(index)} (${step.at}) comes before the step ahead of it: list steps in time order.` });
        previous = Math.max(previous, at);
      });
    }))();

/** A scenario: signals and human actions at offsets from its start (see docs/drills.md). */
export type Scenario = z.output<typeof scenarioSchema>;

/** One step of a {@link Scenario}. */
export type ScenarioStep = Scenario['steps'][number];

/**
 * Validates a scenario (a parsed JSON value).
 *
 * @example
 * ```ts
 * import { parseScenario } from 'incidentkit/drills';
 *
 * const scenario = parseScenario({
 *   name: 'Checkout down at night',
 *   start: '2026-11-29T02:14:00Z',
 *   steps: [
 *     { at: 'PT0S', do: 'declare', as: 'checkout', input: { title: 'Checkout down', severity: 'SEV1' } },
 *     { at: 'PT12M', do: 'acknowledge', incident: 'checkout', by: 'u_dana' },
 *   ],
 * });
 * ```
 * @throws ValidationError (`VALIDATION_FAILED`) naming each bad field by its path, e.g.
 * `steps.3.at`, in a message that says which step.
 */
export function parseScenario(input: unknown): Scenario {
  try {
    return parseInput(scenarioSchema, input, 'scenario');
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError(subjectOf(error.details.issues), error.details.issues, error);
  }
}

/** "scenario step 3" when every issue is in one step, so the message says where to look. */
function subjectOf(issues: readonly ValidationIssue[], lines?: (index: number) => number | undefined): string {
  const steps = [...new Set(issues.filter((i) => i.path[0] === 'steps' && typeof i.path[1] === 'number').map((i) => i.path[1] as number))];
  if (steps.length === 0) return 'scenario';
  const where = steps.map((index) => {
    const line = lines?.(index);
    return `${String(index)}${line === undefined ? '' : ` (line ${String(line)})`}`;
  });
  return `scenario step${steps.length === 1 ? '' : 's'} ${where.join(', ')}`;
}

/**
 * Parses and validates a scenario file's text. A JSON syntax error, or a bad step, is reported
 * with the line it is on (`details.issues[].path` still names the step by index).
 *
 * @throws ValidationError (`VALIDATION_FAILED`): not JSON (the line and column), or not a valid scenario.
 */
export function parseScenarioJson(text: string): Scenario {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
    const at = position === undefined ? '' : ` at ${lineColumn(text, Number(position))}`;
    throw new ValidationError('scenario', [{ code: 'custom', path: [], message: `Not valid JSON${at}: ${error instanceof Error ? error.message : String(error)}` }], error);
  }
  try {
    return parseInput(scenarioSchema, value, 'scenario');
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const starts = stepLines(text);
    throw new ValidationError(subjectOf(error.details.issues, (index) => starts[index]), error.details.issues, error);
  }
}

function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${String(before.length)}, column ${String((before.at(-1)?.length ?? 0) + 1)}`;
}

/**
 * The line each element of the top-level `steps` array starts on: a small scan of the JSON
 * text (strings skipped, depth counted), run only to report an error.
 */
function stepLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inSteps = false;
  let stepsDepth = -1;
  let lastKey = '';
  let expectElement = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (c === '\n') line += 1;
    else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const str = text.slice(i + 1, j);
      if (inSteps && expectElement && depth === stepsDepth) {
        lines.push(line);
        expectElement = false;
      }
      if (depth === 1) lastKey = str;
      i = j;
    } else if (c === '[' || c === '{') {
      if (inSteps && expectElement && depth === stepsDepth) {
        lines.push(line);
        expectElement = false;
      }
      depth += 1;
      if (c === '[' && depth === 2 && lastKey === 'steps' && !inSteps) {
        inSteps = true;
        stepsDepth = depth;
        expectElement = true;
      }
    } else if (c === ']' || c === '}') {
      if (inSteps && depth === stepsDepth) inSteps = false;
      depth -= 1;
    } else if (c === ',' && inSteps && depth === stepsDepth) expectElement = true;
    else if (inSteps && expectElement && depth === stepsDepth && c !== undefined && !/\s/.test(c)) {
      lines.push(line);
      expectElement = false;
    }
  }
  return lines;
}
