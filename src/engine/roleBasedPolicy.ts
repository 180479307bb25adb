import { z } from 'zod';
import type { Actor } from '../model/actor.js';
import type { Incident } from '../model/incident.js';
import { parseConfig } from '../kernel/parse.js';
import { AUTHORIZE_ACTIONS, type Authorize, type AuthorizeAction } from './types.js';

/** Options of {@link roleBasedPolicy}. */
export interface RoleBasedPolicyOptions {
  /**
   * The host's roles of an actor (from your directory, token claims, …), e.g. `['admin']`.
   * Unknown actors get `[]` and are denied everything.
   */
  readonly roles: (actor: Actor, context: { readonly tenantId: string; readonly incident?: Incident }) => readonly string[] | Promise<readonly string[]>;
  /**
   * What each role may do: a list of actions (`declare`, `acknowledge`, `close`, …, `read`) or
   * `'*'` for everything. Incident roles count as roles too: an actor assigned `commander` on
   * an incident holds the role `commander` for that incident (see `incidentRoles`).
   */
  readonly grants: Readonly<Record<string, '*' | readonly AuthorizeAction[]>>;
  /** Whether response roles held on the incident (`commander`, `scribe`, …) are roles here. Default: `true`. */
  readonly incidentRoles?: boolean;
  /** Whether the engine's own system actor (timers, automation, reads without an actor) is allowed. Default: `true`. */
  readonly allowSystem?: boolean;
}

const roleName = /* @__PURE__ */ z.string().min(1).max(100);
const optionsSchema = /* @__PURE__ */ (() => z.strictObject({
  roles: z.custom<RoleBasedPolicyOptions['roles']>((v) => typeof v === 'function', 'roles must be a function (actor, { tenantId, incident }) => string[].'),
  grants: z.record(
    roleName,
    z.custom<'*' | readonly AuthorizeAction[]>(
      (value) => value === '*' || (Array.isArray(value) && value.every((action) => (AUTHORIZE_ACTIONS as readonly unknown[]).includes(action))),
      `Grant '*' or a list of actions; unknown actions are refused. Actions: ${AUTHORIZE_ACTIONS.join(', ')}.`,
    ),
  ),
  incidentRoles: z.boolean().optional(),
  allowSystem: z.boolean().optional(),
}))();

/**
 * An `authorize` policy for the common case: the host says which roles an actor has, the
 * policy says what each role may do, and response roles held on the incident count as roles.
 *
 * @remarks Deny by default: an action no role of the actor grants is refused with
 * `ForbiddenError`. Incident roles cannot be used to escalate: assigning a role that carries
 * grants (say `commander`, which may close) is allowed only to an actor who may already do
 * everything that role grants. The system actor (`{ kind: 'system', id: 'incidentkit' }`) is allowed
 * unless `allowSystem: false`; it is who timers act as and who reads without an `actor` are
 * made as, so a host that serves reads to people must pass their actor (the HTTP handler does).
 *
 * @example
 * ```ts
 * import { createIncidentEngine, memoryStore, roleBasedPolicy } from 'incidentkit';
 *
 * const directory: Record<string, string[]> = { u_ada: ['admin'], u_bob: ['responder'], u_cy: ['viewer'] };
 * const engine = createIncidentEngine({
 *   store: memoryStore(),
 *   authorize: roleBasedPolicy({
 *     roles: (actor) => directory[actor.id] ?? [],
 *     grants: {
 *       admin: '*',
 *       responder: ['declare', 'acknowledge', 'assignRole', 'addNote', 'postUpdate', 'mitigate', 'resolve', 'read'],
 *       viewer: ['read'],
 *       // Whoever is the incident's commander may close it.
 *       commander: ['close'],
 *     },
 *   }),
 * });
 * ```
 *
 * @throws ConfigError (`CONFIG_INVALID`) when a grant names an unknown action.
 */
export function roleBasedPolicy(options: RoleBasedPolicyOptions): Authorize {
  const config = parseConfig(optionsSchema, options, 'roleBasedPolicy');
  const grants = new Map<string, ReadonlySet<string> | '*'>(
    Object.entries(config.grants).map(([role, actions]) => [role, actions === '*' ? '*' : new Set(actions)]),
  );
  const incidentRoles = config.incidentRoles ?? true;
  const allowSystem = config.allowSystem ?? true;
  const allows = (held: ReadonlySet<string>, action: string): boolean =>
    [...held].some((role) => {
      const granted = grants.get(role);
      return granted === '*' || granted?.has(action) === true;
    });
  return async ({ actor, action, incident, tenantId, input }) => {
    if (allowSystem && actor.kind === 'system' && actor.id === 'incidentkit') return true;
    const held = new Set(await config.roles(actor, incident === undefined ? { tenantId } : { tenantId, incident }));
    if (incidentRoles && incident !== undefined) {
      for (const [role, assignment] of Object.entries(incident.roles)) if (assignment.assignee.id === actor.id) held.add(role);
    }
    if (!allows(held, action)) return false;
    // No escalation through assignRole: an incident role that carries grants (e.g. `commander`
    // may close) can only be given by someone who already may do everything it grants.
    const assigned = action === 'assignRole' && incidentRoles && typeof input?.role === 'string' ? grants.get(input.role) : undefined;
    if (assigned === '*') return [...held].some((role) => grants.get(role) === '*');
    if (assigned !== undefined) return [...assigned].every((granted) => allows(held, granted));
    return true;
  };
}
