/**
 * The REST routes of `createIncidentHandler` for problems, as the authenticated actor: read and
 * list them, open one, and run each command of `engine.problems` on one.
 */
import { ValidationError } from '../../errors.js';
import { featureJsonResponse, type FeatureRoute } from '../../engine/feature.js';
import type { Actor } from '../../model/actor.js';
import { PROBLEM_STATUSES, type ProblemStatus } from './problemMachine.js';

/** The commands on one problem served as `POST /problems/:id/{command}`, each taking its input as the body. */
export const PROBLEM_COMMANDS = /* @__PURE__ */ Object.freeze(['link', 'linkActionItem', 'recordWorkaround', 'recordRootCause', 'markKnownError', 'resolve', 'close'] as const);

/** One of {@link PROBLEM_COMMANDS}. */
export type ProblemCommand = (typeof PROBLEM_COMMANDS)[number];

/** What the routes call: `engine.problems` (the problems feature's `ProblemsApi`). */
interface ProblemsTarget {
  list(filter: { readonly actor: Actor; readonly status?: readonly ProblemStatus[]; readonly incidentId?: string }): Promise<unknown>;
  open(input: { readonly title: string; readonly actor: Actor }): Promise<unknown>;
  get(problemId: string, options: { readonly actor: Actor }): Promise<unknown>;
  history(problemId: string, options: { readonly actor: Actor }): Promise<unknown>;
}

function statuses(url: URL): ProblemStatus[] | undefined {
  const given = url.searchParams.getAll('status').flatMap((value) => value.split(','));
  if (given.length === 0) return undefined;
  const unknown = given.filter((status) => !(PROBLEM_STATUSES as readonly string[]).includes(status));
  if (unknown.length > 0) {
    throw new ValidationError('GET /problems', [
      { code: 'invalid_value', path: ['status'], message: `Unknown status ${unknown.map((s) => `'${s.slice(0, 40)}'`).join(', ')}: use ${PROBLEM_STATUSES.join(', ')}.` },
    ]);
  }
  return given as ProblemStatus[];
}

/**
 * `GET /problems?status=&incidentId=`, `POST /problems` (`engine.problems.open`),
 * `GET /problems/:id`, `GET /problems/:id/history` and `POST /problems/:id/{command}` for
 * every {@link PROBLEM_COMMANDS} of `engine.problems`. Bodies are the methods' inputs without `actor`.
 *
 * @internal
 */
export function problemRoutes(problems: ProblemsTarget): FeatureRoute[] {
  // The engine validates each input; the casts only pass the body through to it.
  const commands = problems as unknown as Readonly<Record<ProblemCommand, (id: string, input: object) => Promise<unknown>>>;
  return [
    {
      method: 'GET',
      path: '/problems',
      handle: async (request, { actor }) => {
        const url = new URL(request.url);
        const status = statuses(url);
        const incidentId = url.searchParams.get('incidentId') ?? undefined;
        const items = await problems.list({ actor, ...(status === undefined ? {} : { status }), ...(incidentId === undefined ? {} : { incidentId }) });
        return featureJsonResponse({ items });
      },
    },
    {
      method: 'POST',
      path: '/problems',
      handle: async (_request, { actor, json }) => featureJsonResponse(await problems.open({ ...((await json()) as { title: string }), actor }), 201),
    },
    {
      method: 'GET',
      path: '/problems/:id',
      handle: async (_request, { params, actor }) => featureJsonResponse(await problems.get(params.id ?? '', { actor })),
    },
    {
      method: 'GET',
      path: '/problems/:id/history',
      handle: async (_request, { params, actor }) => featureJsonResponse({ items: await problems.history(params.id ?? '', { actor }) }),
    },
    ...PROBLEM_COMMANDS.map(
      (command): FeatureRoute => ({
        method: 'POST',
        path: `/problems/:id/${command}`,
        handle: async (_request, { params, actor, json }) => featureJsonResponse(await commands[command](params.id ?? '', { ...(await json()), actor })),
      }),
    ),
  ];
}
