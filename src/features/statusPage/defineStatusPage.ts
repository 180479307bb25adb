/**
 * Status page definitions: {@link defineStatusPage} validates a page (its id, name, URL, time
 * zone and components) once, as configuration, and the feature checks pages stored at run time
 * with the same schema.
 *
 * @packageDocumentation
 */
import { z } from 'zod';
import { ConfigError, ValidationError } from '../../errors.js';
import { deepFreeze } from '../../kernel/freeze.js';
import { withoutTrailingSlashes } from '../../kernel/text.js';
import { toIssues } from '../../kernel/parse.js';
import { LIMITS, text } from '../../model/primitives.js';
import type { StatusPage } from './snapshot.js';

/** Components one page may have. */
export const MAX_COMPONENTS = 200;

const KEY = /^[A-Za-z0-9_-]{1,64}$/;
const KEY_MESSAGE = 'Use 1 to 64 letters, digits, - or _ (it is part of URLs).';

/** Whether `zone` is an IANA time zone this runtime knows (e.g. `Europe/Berlin`, `UTC`). */
function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

/** The zod schema of a status page as {@link defineStatusPage} and `engine.statusPages.put` take it. */
const pageSchema = /* @__PURE__ */ (() => {
  const component = z.strictObject({
    id: z.string().regex(KEY, KEY_MESSAGE),
    name: text(LIMITS.name),
    description: text(LIMITS.shortText).optional(),
    group: text(LIMITS.name).optional(),
    services: z.array(text(LIMITS.id)).max(LIMITS.list).optional(),
    onlyShowIfDegraded: z.boolean().optional(),
  });
  return z
    .strictObject({
      id: z.string().regex(KEY, KEY_MESSAGE),
      name: text(LIMITS.name),
      url: z
        .string()
        .max(2_000)
        .refine(isHttpUrl, 'Must be an absolute http(s) URL without credentials, e.g. https://status.example.com.')
        // Shortlinks are `${url}/incidents/<id>`: keep one slash.
        .transform(withoutTrailingSlashes),
      timeZone: z.string().max(100).refine(isTimeZone, 'Must be an IANA time zone, e.g. Europe/Berlin or UTC.'),
      components: z.array(component).min(1, 'A status page shows at least one component.').max(MAX_COMPONENTS),
    })
    .superRefine((page, ctx) => {
      const seen = new Set<string>();
      for (const [index, c] of page.components.entries()) {
        if (seen.has(c.id)) ctx.addIssue({ code: 'custom', path: ['components', index, 'id'], message: `Two components are named '${c.id}'; component ids are unique within a page.` });
        seen.add(c.id);
      }
    });
})();

/** What {@link defineStatusPage} takes: a {@link StatusPage} (the same shape, validated). */
export type StatusPageInput = StatusPage;

/** Validates, copies and freezes a page; a bad one is a `ConfigError` (`kind: 'config'`) or a `ValidationError`. @internal */
export function parseStatusPage(input: unknown, subject: string, kind: 'config' | 'input'): StatusPage {
  let result: ReturnType<typeof pageSchema.safeParse>;
  try {
    result = pageSchema.safeParse(input);
  } catch {
    result = pageSchema.safeParse(null);
  }
  if (!result.success) {
    const issues = toIssues(result.error);
    throw kind === 'config' ? new ConfigError(subject, issues, result.error) : new ValidationError(subject, issues, result.error);
  }
  return deepFreeze(JSON.parse(JSON.stringify(result.data)) as StatusPage);
}

/**
 * Defines a status page: its id, name, public URL, time zone and components, validated and
 * frozen. Register it with `createIncidentEngine({ statusPages: [page] })`, or store it at run
 * time with `engine.statusPages.put(page, { actor })`.
 *
 * @remarks A component's `services` link it to incident `service` values: an unresolved public
 * incident of one of them sets its status from the incident's public impact (see
 * docs/status-page.md). Ids (page and components) hold 1 to 64 letters, digits, `-` or `_`;
 * the URL is an absolute http(s) URL (a trailing slash is dropped); the time zone is an IANA
 * name the runtime knows.
 *
 * @example
 * ```ts
 * import { createIncidentEngine, defineStatusPage, memoryStore } from 'incidentkit';
 *
 * const page = defineStatusPage({
 *   id: 'public',
 *   name: 'Acme status',
 *   url: 'https://status.acme.example',
 *   timeZone: 'Europe/Berlin',
 *   components: [
 *     { id: 'website', name: 'Website', services: ['web'] },
 *     { id: 'api', name: 'API', group: 'Platform', services: ['api', 'gateway'] },
 *   ],
 * });
 * const engine = createIncidentEngine({ store: memoryStore(), statusPages: [page] });
 * ```
 * @throws ConfigError (`CONFIG_INVALID`) naming each bad field: an id with other characters,
 * duplicate component ids, an unknown time zone, a URL that is not http(s), a service that is
 * not a string, no components.
 */
export function defineStatusPage(page: StatusPageInput): StatusPage {
  return parseStatusPage(page, 'defineStatusPage', 'config');
}
