import { ValidationError } from '../errors.js';
import { parseInput } from '../kernel/parse.js';
import { INVERSE_LINK_KIND, type Incident, type IncidentLinkKind } from '../model/incident.js';
import type { Actor } from '../model/actor.js';
import type { LinkInput } from './commands.js';
import { withoutActor, type EngineCore } from './core.js';

/**
 * `engine.link`: typed links between incidents, recorded on both timelines.
 *
 * @internal
 */
export function createLinks(core: EngineCore) {
  const { schemas, load, command } = core;

  /** Records `kind` to `to` on incident `id`, unless it has it already (so a retry completes a half-done link). */
  async function record(id: string, kind: IncidentLinkKind, to: string, actor: Actor, input: Readonly<Record<string, unknown>>): Promise<Incident> {
    const current = (await load(id)).incident;
    if ((current.links ?? []).some((link) => link.kind === kind && link.incidentId === to)) return current;
    return command(id, actor, () => ({ type: 'LINK_INCIDENT', kind, to }), 'link', input);
  }

  /**
   * Links incident `id` to `input.to` as `input.kind` (`relatesTo`, `causedBy`, `parentOf`):
   * `INCIDENT_LINKED` on `id`, then the inverse link (`relatesTo`, `causes`, `childOf`) on the
   * other incident. Linking again what is linked changes nothing; a call that failed halfway is
   * completed by calling it again.
   *
   * @throws ValidationError (`VALIDATION_FAILED`) for bad input or a link of an incident to itself.
   * @throws NotFoundError (`NOT_FOUND`) when either incident does not exist.
   * @throws InvalidTransitionError (`INVALID_TRANSITION`) when either incident is canceled.
   * @throws ForbiddenError (`FORBIDDEN`) when `authorize` refuses `link` on either incident.
   */
  async function link(id: string, input: LinkInput): Promise<Incident> {
    const parsed = parseInput(schemas.link, input, 'link');
    const incidentId = parseInput(schemas.incidentId, id, 'link');
    if (parsed.to === incidentId) {
      throw new ValidationError('link', [{ code: 'custom', path: ['to'], message: 'An incident cannot be linked to itself.' }]);
    }
    // Both must exist before either timeline changes; a canceled one refuses first, so nothing is half linked.
    const other = (await load(parsed.to)).incident;
    const rest = withoutActor(parsed);
    const inverse = (): Promise<Incident> => record(parsed.to, INVERSE_LINK_KIND[parsed.kind], incidentId, parsed.actor, rest);
    if (other.status === 'canceled') await inverse();
    const linked = await record(incidentId, parsed.kind, parsed.to, parsed.actor, rest);
    await inverse();
    return linked;
  }

  return { link };
}
