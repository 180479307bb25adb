/** The lifecycle commands `POST /incidents/:id/{command}` runs, by name. */
import type {
  AcknowledgeInput,
  AddActionItemInput,
  AddNoteInput,
  AssignRoleInput,
  CancelInput,
  CloseInput,
  CompleteReviewInput,
  EscalateInput,
  FileReportInput,
  MitigateInput,
  PostUpdateInput,
  RecordRootCauseInput,
  ReopenInput,
  ResolveInput,
  SetSeverityInput,
  SetStatusLabelInput,
  StartClockInput,
  StartReviewInput,
  UpdateActionItemInput,
} from '../engine/commands.js';
import type { AnyIncidentType } from '../classification/defineIncidentType.js';
import { INCIDENT_COMMANDS, type IncidentEngine, type TypedUpdateFieldsInput } from '../engine/types.js';
import type { Incident } from '../model/incident.js';

/**
 * Every lifecycle command the REST API exposes as `POST /incidents/:id/{command}`.
 *
 * @example
 * ```ts
 * import { COMMAND_NAMES } from 'incidentkit/http';
 *
 * const menu = COMMAND_NAMES.map((name) => ({ label: name, path: `/incidents/inc_1/${name}` }));
 * ```
 */
export const COMMAND_NAMES = INCIDENT_COMMANDS satisfies readonly (keyof IncidentEngine)[];

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
  switch (name) {
    case 'acknowledge':
      return engine.acknowledge(id, input as AcknowledgeInput);
    case 'assignRole':
      return engine.assignRole(id, input as AssignRoleInput);
    case 'setSeverity':
      return engine.setSeverity(id, input as SetSeverityInput);
    case 'addNote':
      return engine.addNote(id, input as AddNoteInput);
    case 'postUpdate':
      return engine.postUpdate(id, input as PostUpdateInput);
    case 'mitigate':
      return engine.mitigate(id, input as MitigateInput);
    case 'recordRootCause':
      return engine.recordRootCause(id, input as RecordRootCauseInput);
    case 'resolve':
      return engine.resolve(id, input as ResolveInput);
    case 'reopen':
      return engine.reopen(id, input as ReopenInput);
    case 'startReview':
      return engine.startReview(id, input as StartReviewInput);
    case 'completeReview':
      return engine.completeReview(id, input as CompleteReviewInput);
    case 'addActionItem':
      return engine.addActionItem(id, input as AddActionItemInput);
    case 'updateActionItem':
      return engine.updateActionItem(id, input as UpdateActionItemInput);
    case 'close':
      return engine.close(id, input as CloseInput);
    case 'cancel':
      return engine.cancel(id, input as CancelInput);
    case 'escalate':
      return engine.escalate(id, input as EscalateInput);
    case 'updateFields':
      return engine.updateFields(id, input as TypedUpdateFieldsInput);
    case 'setStatusLabel':
      return engine.setStatusLabel(id, input as SetStatusLabelInput);
    case 'startClock':
      return engine.startClock(id, input as StartClockInput);
    case 'fileReport':
      return engine.fileReport(id, input as FileReportInput);
  }
}
