import { FEATURE_ROUTES, type FeatureRoute } from '../engine/feature.js';
import type { Actor } from '../model/actor.js';

/** A route matched against a request path: the methods it answers and what it does. @internal */
export interface MatchedRoute {
  readonly allowed: readonly string[];
  run(request: Request): Promise<Response>;
}

/** The routes an engine's features contribute (none for an engine made elsewhere). @internal */
export function featureRoutesOf(engine: object): readonly FeatureRoute[] {
  const routes: unknown = (engine as Record<symbol, unknown>)[FEATURE_ROUTES];
  return Array.isArray(routes) ? (routes as FeatureRoute[]) : [];
}

/** The `:name` parameters of `pattern` in `segments`, or `undefined` when the path does not match. */
function matchPath(pattern: string, segments: readonly string[]): Record<string, string> | undefined {
  const parts = pattern.split('/').filter((part) => part !== '');
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of parts.entries()) {
    const segment = segments[index] ?? '';
    if (part.startsWith(':')) params[part.slice(1)] = segment;
    else if (part !== segment) return undefined;
  }
  return params;
}

/**
 * Matches a request path against the features' routes (after the handler's own routes found
 * nothing): every method registered for the path is allowed, and each runs as the
 * authenticated actor.
 *
 * @internal
 */
export function matchFeatureRoute(
  routes: readonly FeatureRoute[],
  method: string,
  segments: readonly string[],
  actorOf: (request: Request) => Promise<Actor>,
  jsonBody: (request: Request) => Promise<Record<string, unknown>>,
): MatchedRoute | undefined {
  const matches = routes.flatMap((route) => {
    const params = matchPath(route.path, segments);
    return params === undefined ? [] : [{ route, params }];
  });
  if (matches.length === 0) return undefined;
  const chosen = matches.find((match) => match.route.method === method);
  return {
    allowed: [...new Set(matches.map((match) => match.route.method))],
    run: async (request) => {
      // `allowed` was checked by the caller, so a match for the method exists.
      if (chosen === undefined) return new Response(null, { status: 405 });
      return chosen.route.handle(request, { params: Object.freeze(chosen.params), actor: await actorOf(request), json: () => jsonBody(request) });
    },
  };
}
