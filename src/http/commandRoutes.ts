/** The lifecycle commands `POST /incidents/:id/{command}` runs, by name. */
import type { AnyIncidentType } from '../features/classification/defineIncidentType.js';
import { INCIDENT_COMMANDS } from '../engine/types.js';
import type { IncidentEngine } from '../incidentEngine.js';
import type { Incident } from '../model/incident.js';

/**
 * The built-in features' commands on one incident, each `(id, input) → Incident` like the
 * lifecycle commands: status page publishing, playbook tasks, the investigation record, links and
 * NIST CSF tags.
 */
const FEATURE_INCIDENT_COMMANDS = /* @__PURE__ */ Object.freeze([
  'link',
  'publish',
  'postPublicUpdate',
  'completeTask',
  'skipTask',
  'addTask',
  'reassignTask',
  'addHypothesis',
  'updateHypothesis',
  'addEvidence',
  'correctMilestone',
  'tagEvent',
] as const);

/**
 * Every command on one incident the REST API exposes as `POST /incidents/:id/{command}`: the
 * lifecycle commands and the built-in features' (`publish`, `completeTask`, `addEvidence`, …).
 *
 * @example
 * ```ts
 * import { COMMAND_NAMES } from 'incidentkit/http';
 *
 * const menu = COMMAND_NAMES.map((name) => ({ label: name, path: `/incidents/inc_1/${name}` }));
 * ```
 */
export const COMMAND_NAMES = /* @__PURE__ */ Object.freeze([...INCIDENT_COMMANDS, ...FEATURE_INCIDENT_COMMANDS] as const) satisfies readonly (keyof IncidentEngine)[];

/** One of {@link COMMAND_NAMES}. */
export type CommandName = (typeof COMMAND_NAMES)[number];

/** Whether `name` is one of {@link COMMAND_NAMES}. @internal */
export function isCommandName(name: string): name is CommandName {
  return (COMMAND_NAMES as readonly string[]).includes(name);
}

/**
 * Runs command `name` on incident `id`. `input` is unvalidated JSON plus the actor: the engine
 * validates it and reports problems as `ValidationError`, so the casts only pass it through.
 *
 * @internal
 */
export function runCommand(engine: IncidentEngine<readonly AnyIncidentType[]>, name: CommandName, id: string, input: object): Promise<Incident> {
  // Every command takes `(id, input)`; INCIDENT_COMMANDS is the one list of them.
  const commands = engine as unknown as Readonly<Record<CommandName, (id: string, input: object) => Promise<Incident>>>;
  return commands[name](id, input);
}
