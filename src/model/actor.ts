import { z } from 'zod';
import { idSchema, LIMITS, text } from './primitives.js';

/** Who did something: a person, the library itself, or an integration such as a monitoring tool. */
export type ActorKind = 'user' | 'system' | 'integration';

/**
 * The author of a command, as stored on every timeline event.
 *
 * @example
 * ```ts
 * import type { Actor } from 'incidentkit';
 *
 * const alice: Actor = { kind: 'user', id: 'u_alice', name: 'Alice' };
 * ```
 */
export interface Actor {
  readonly kind: ActorKind;
  readonly id: string;
  readonly name?: string;
}

/** What commands accept as `actor`: `kind` defaults to `'user'`. */
export interface ActorInput {
  readonly id: string;
  readonly name?: string;
  readonly kind?: ActorKind;
}

/** The zod schema of an actor; `kind` defaults to `'user'`. */
export const actorSchema = /* @__PURE__ */ (() => z
  .strictObject({
    id: idSchema,
    name: text(LIMITS.name).optional(),
    kind: z.enum(['user', 'system', 'integration']).default('user'),
  })
  // The engine's own actor is reserved: a caller claiming it could pass policies that trust the engine.
  .refine((a) => !(a.kind === 'system' && a.id === 'incidentkit'), {
    message: "The actor { kind: 'system', id: 'incidentkit' } is reserved for the engine's own work; name your automation with its own id.",
  })
  .transform((a): Actor => (a.name === undefined ? { kind: a.kind, id: a.id } : { kind: a.kind, id: a.id, name: a.name })))();

/** The actor the engine uses for what it does on its own (timers, automation). */
export const SYSTEM_ACTOR: Actor = /* @__PURE__ */ Object.freeze({ kind: 'system', id: 'incidentkit' });
