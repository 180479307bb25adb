/**
 * The security feature: NIST CSF 2.0 tags on timeline events. Commands that record an event take
 * an optional `nist` list (stored on that event); `engine.tagEvent` tags an event already on the
 * timeline by recording an `EVENT_TAGGED` event that names it, since the timeline is append-only.
 */

import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../errors.js';
import { builtInFeature } from '../../engine/core.js';
import type { IncidentFeature } from '../../engine/feature.js';
import { parseInput } from '../../kernel/parse.js';
import { actorSchema } from '../../model/actor.js';
import type { Incident } from '../../model/incident.js';
import { nistTagsSchema } from '../../model/nistCsf.js';

const schemas = /* @__PURE__ */ (() => ({
  tagEvent: z.strictObject({
    eventSeq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    nist: nistTagsSchema,
    actor: actorSchema,
  }),
}))();

/** Input of `engine.tagEvent`. */
export type TagEventInput = z.input<typeof schemas.tagEvent>;

/** The methods the security feature adds to the engine. */
export interface SecurityApi {
  /**
   * Tags event `eventSeq` of an incident's timeline with NIST CSF 2.0 functions or categories
   * after the fact: the timeline is append-only, so this records an `EVENT_TAGGED` event
   * (`data: { eventSeq, eventType, tags }`) that names the tagged one, hash-chained like every
   * other. `buildNistReport` files the tagged event under its tags from then on.
   *
   * @remarks Tag an event when it happens with the `nist` field of the command that records it
   * (`addNote`, `acknowledge`, `mitigate`, `resolve`, `addEvidence`, …). Tags add up: an event
   * tagged twice carries both sets. Closed incidents take tags too (the report is often written
   * after close); canceled ones do not.
   * @example
   * ```ts
   * import { createIncidentEngine, memoryStore } from 'incidentkit';
   *
   * const engine = createIncidentEngine({ store: memoryStore() });
   * const actor = { id: 'u_ada' };
   * const { id } = await engine.declare({ title: 'Suspicious login on host-7', severity: 'SEV1', actor });
   * await engine.addNote(id, { text: 'Blocked 203.0.113.9 at the edge', actor });
   * const [, note] = await engine.timeline(id);
   * await engine.tagEvent(id, { eventSeq: note!.seq, nist: ['RS.MI'], actor });
   * ```
   * @throws ValidationError (`VALIDATION_FAILED`): a tag that is not a CSF 2.0 function or category
   * (the message names it and suggests close ones, e.g. `RS.MA` for CSF 1.1's `RS.RP`), or an
   * `eventSeq` that names an `EVENT_TAGGED` event · NotFoundError (`NOT_FOUND`, the incident or
   * the event) · InvalidTransitionError (`INVALID_TRANSITION`, a canceled incident) ·
   * ForbiddenError (`FORBIDDEN`, action `tagEvent`).
   */
  tagEvent(id: string, input: TagEventInput): Promise<Incident>;
}

/**
 * NIST CSF 2.0 tags on timeline events (`engine.tagEvent`).
 *
 * @internal
 */
export function securityFeature(): IncidentFeature<'security', SecurityApi> {
  return builtInFeature({
    name: 'security',
    events: ['TAG_EVENT'],
    setup(core) {
      const { tenantId, store } = core;
      const api: SecurityApi = {
        async tagEvent(id, input) {
          const parsed = parseInput(schemas.tagEvent, input, 'tagEvent');
          const { eventSeq, nist: tags } = parsed;
          // `nist` of this input names the tags of the tagged event, not of EVENT_TAGGED itself,
          // so the event carries them as `tags` (and `authorize` sees the input as given).
          const incidentId = parseInput(core.schemas.incidentId, id, 'tagEvent');
          return core.command(incidentId, parsed.actor, async ({ incident }) => {
            const [event] = eventSeq <= incident.version ? await store.events(tenantId, incident.id, { afterSeq: eventSeq - 1, limit: 1 }) : [];
            if (event?.seq !== eventSeq) throw new NotFoundError({ entity: 'timeline event', id: `#${String(eventSeq)}`, tenantId, incidentId: incident.id });
            if (event.type === 'EVENT_TAGGED') {
              throw new ValidationError('tagEvent', [
                { code: 'custom', path: ['eventSeq'], message: `Event #${String(eventSeq)} of incident ${incident.id} records a tagging (of event #${JSON.stringify(event.data.eventSeq)}); tag that event instead.` },
              ]);
            }
            return { type: 'TAG_EVENT', eventSeq, eventType: event.type, tags };
          }, 'tagEvent', { eventSeq, nist: tags });
        },
      };
      return { api };
    },
  });
}
