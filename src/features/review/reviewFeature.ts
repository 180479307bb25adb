import type { z } from 'zod';
import { NotFoundError, ValidationError } from '../../errors.js';
import type { CommandSchemas } from '../../engine/commands.js';
import type { LifecycleEventDraft } from '../../lifecycle/events.js';
import type { JsonValue } from '../../model/primitives.js';
import type {
  AddActionItemInput,
  CompleteReviewInput,
  ImportIncidentInput,
  StartReviewInput,
  UpdateActionItemInput,
} from '../../engine/commands.js';
import { builtInFeature, runIncidentCommand } from '../../engine/core.js';
import type { IncidentFeature } from '../../engine/feature.js';
import { parseInput } from '../../kernel/parse.js';
import type { Actor } from '../../model/actor.js';
import type { ActionItem, Incident } from '../../model/incident.js';
import { createHistory } from './history.js';

/** The methods the review feature adds to the engine. */
export interface ReviewApi {
  /**
   * Records a past incident with the given milestone times, e.g. history migrated from another
   * tool, so metrics cover it. The incident is marked `imported`; no policy applies to it.
   *
   * @throws ValidationError (`VALIDATION_FAILED`) when milestones are out of order (unless
   * `allowUnordered`), in the future, or `closedAt` comes without `resolvedAt`.
   */
  importIncident(input: ImportIncidentInput): Promise<Incident>;
  /** Starts the post-incident review of a resolved incident. */
  startReview(id: string, input: StartReviewInput): Promise<Incident>;
  /** Completes the post-incident review. */
  completeReview(id: string, input: CompleteReviewInput): Promise<Incident>;
  /** Adds an action item. */
  addActionItem(id: string, input: AddActionItemInput): Promise<Incident>;
  /**
   * Changes an action item: its status, and (editing it) its title, owner, due date, kind and
   * strength — `null` clears the owner, due date, kind or strength. Allowed after `close` too.
   * Each call is one `ACTION_ITEM_UPDATED` event on the timeline with the fields it changed and
   * what they were before (`data.previous`), so the item's history stays readable.
   *
   * @example
   * ```ts
   * import { createIncidentEngine, memoryStore } from 'incidentkit';
   *
   * const engine = createIncidentEngine({ store: memoryStore() });
   * const actor = { id: 'u_ada' };
   * const incident = await engine.declare({ title: 'Disk full', severity: 'SEV3', actor });
   * const [item] = (await engine.addActionItem(incident.id, { title: 'Alert at 80% disk', actor })).actionItems;
   * await engine.updateActionItem(incident.id, { actionItemId: item!.id, owner: 'u_lee', dueAt: '2026-12-20T00:00:00Z', strength: 'stronger', actor });
   * ```
   * @throws ValidationError (`VALIDATION_FAILED`) for bad input, or an edit that changes nothing.
   * @throws NotFoundError (`NOT_FOUND`) when the incident has no such action item.
   */
  updateActionItem(id: string, input: UpdateActionItemInput): Promise<Incident>;
}

/**
 * Review and prevention: the post-incident review, action items, similar incidents linked at
 * `declare` (policy `similar`), and history imported from other tools.
 *
 * @internal
 */
export function reviewFeature(): IncidentFeature<'review', ReviewApi> {
  return builtInFeature({
    name: 'review',
    events: ['START_REVIEW', 'COMPLETE_REVIEW', 'ADD_ACTION_ITEM', 'UPDATE_ACTION_ITEM', 'LINK_SIMILAR'],
    slice: ['review', 'reviewStartedAt', 'actionItems', 'similarIncidents', 'imported'],
    requires: ['list'],
    setup(core) {
      const { schemas, tenantId } = core;
      const { importIncident, linkSimilar } = createHistory(core);

      const api: ReviewApi = {
        importIncident,

        async startReview(id, input) {
          const parsed = parseInput(schemas.startReview, input, 'startReview');
          const { owner } = parsed;
          return runIncidentCommand(core, 'startReview', id, parsed, () => ({
            type: 'START_REVIEW',
            ...(owner === undefined ? {} : { owner }),
          }));
        },

        async completeReview(id, input) {
          const parsed = parseInput(schemas.completeReview, input, 'completeReview');
          const { summary } = parsed;
          return runIncidentCommand(core, 'completeReview', id, parsed, () => ({
            type: 'COMPLETE_REVIEW',
            ...(summary === undefined ? {} : { summary }),
          }));
        },

        async addActionItem(id, input) {
          const parsed = parseInput(schemas.addActionItem, input, 'addActionItem');
          const { title, owner, dueAt, kind, strength } = parsed;
          const actionItemId = core.ids('actionItem');
          return runIncidentCommand(core, 'addActionItem', id, parsed, () => ({
            type: 'ADD_ACTION_ITEM',
            actionItemId,
            title,
            ...(owner === undefined ? {} : { owner }),
            ...(dueAt === undefined ? {} : { dueAt }),
            ...(kind === undefined ? {} : { kind }),
            ...(strength === undefined ? {} : { strength }),
          }));
        },

        async updateActionItem(id, input) {
          const parsed = parseInput(schemas.updateActionItem, input, 'updateActionItem');
          const { actionItemId } = parsed;
          return runIncidentCommand(core, 'updateActionItem', id, parsed, (stored) => {
            const item = stored.incident.actionItems.find((candidate) => candidate.id === actionItemId);
            if (item === undefined) {
              throw new NotFoundError({ entity: 'action item', id: actionItemId, tenantId, incidentId: stored.incident.id });
            }
            return actionItemUpdate(item, parsed);
          });
        },
      };

      /** Fills in the titles of linked similar incidents the reader may read, and drops any other. */
      async function withSimilarTitles(incidents: readonly Incident[], actor: Actor): Promise<readonly Incident[]> {
        const linked = new Set(incidents.flatMap((incident) => (incident.similarIncidents ?? []).map((ref) => ref.id)));
        if (linked.size === 0) return incidents;
        const titles = new Map<string, string>();
        for (const id of linked) {
          const stored = await core.store.load(tenantId, id);
          if (stored !== undefined && (await core.mayRead(actor, stored.incident))) titles.set(id, stored.incident.title);
        }
        return incidents.map((incident) =>
          incident.similarIncidents === undefined
            ? incident
            : {
                ...incident,
                similarIncidents: incident.similarIncidents.map(({ title: _stored, ...ref }) => {
                  const title = titles.get(ref.id);
                  return title === undefined ? ref : { ...ref, title };
                }),
              },
        );
      }

      return {
        api,
        read: withSimilarTitles,
        // Similar incidents are only those the declaring actor may read.
        declare: { after: (incident: Incident, actor) => linkSimilar(incident, (candidate) => core.mayRead(actor, candidate)) },
      };
    },
  });
}

/** The `UPDATE_ACTION_ITEM` of an update: the status when given (as before edits existed), and the fields that change, with what they were. */
function actionItemUpdate(item: ActionItem, parsed: z.output<CommandSchemas['updateActionItem']>): LifecycleEventDraft {
  const changes: Record<string, JsonValue> = {};
  const previous: Record<string, JsonValue> = {};
  if (parsed.status !== undefined) {
    changes.status = parsed.status;
    if (parsed.status !== item.status) previous.status = item.status;
  }
  for (const key of ['title', 'owner', 'dueAt', 'kind', 'strength'] as const) {
    const value = parsed[key];
    if (value === undefined || value === (item[key] ?? null)) continue;
    changes[key] = value;
    previous[key] = item[key] ?? null;
  }
  if (Object.keys(changes).length === 0) {
    throw new ValidationError('updateActionItem', [{ code: 'custom', path: ['actionItemId'], message: `The update changes nothing: action item '${item.id}' already has these values.` }]);
  }
  return {
    type: 'UPDATE_ACTION_ITEM',
    actionItemId: item.id,
    ...changes,
    ...(Object.keys(previous).length === 0 ? {} : { previous }),
  };
}
