import { ConfigError, ValidationError, isIncidentKitError } from '../errors.js';
import { parseInput } from '../kernel/parse.js';
import { alertCountsOf, withoutAlertCounters } from '../lifecycle/actions/alerts.js';
import type { LifecycleEventDraft } from '../lifecycle/events.js';
import { mergeBlockedReason } from '../lifecycle/guards.js';
import type { Actor } from '../model/actor.js';
import { INCIDENT_ALERTS_LIMIT, OPEN_STATUSES, type AlertSummary, type Incident } from '../model/incident.js';
import type { MergeWrite, StorageAdapter, StoredIncident } from '../storage/types.js';
import type { MergeInput, UnmergeInput } from './commands.js';
import { withoutActor, type EngineCore } from './core.js';
import type { PreparedCommit } from './engineCore.js';

/** How often a merge decides again after another writer changed either incident meanwhile. */
const ATTEMPTS = 10;

/** The newest alerts of `alerts`, as an incident's window carries them. */
function windowOf(alerts: readonly AlertSummary[]): AlertSummary[] {
  return alerts.slice(Math.max(0, alerts.length - INCIDENT_ALERTS_LIMIT));
}

function isOpen(incident: Incident): boolean {
  return (OPEN_STATUSES as readonly string[]).includes(incident.status);
}

/** The incident `incident` recurred as (its `recurredAs` link), if any. */
function recurrenceOf(incident: Incident): string | undefined {
  return incident.links?.find((link) => link.kind === 'recurredAs')?.incidentId;
}

/** Whether `incident` was merged (not only canceled as a duplicate): it has the `mergedInto` link. */
function mergedInto(incident: Incident): string | undefined {
  const into = incident.cancellation?.mergedInto;
  return into !== undefined && incident.links?.some((link) => link.kind === 'mergedInto' && link.incidentId === into) === true ? into : undefined;
}

/** Why incident `source` cannot be merged, or `undefined`. */
function sourceRefusal(source: Incident): string | undefined {
  const into = mergedInto(source);
  if (into !== undefined) return `it was merged into ${into} already; unmerge it first.`;
  if (!isOpen(source)) return `only an open incident can be merged.`;
  return mergeBlockedReason(source);
}

/** Why `target` cannot take another incident's alerts and keys, or `undefined`. */
function targetRefusal(target: Incident): string | undefined {
  const into = mergedInto(target);
  if (into !== undefined) return `it was merged into ${into}; merge into ${into} instead.`;
  if (!isOpen(target)) return `only an open incident can take another incident's alerts.`;
  const recurrence = recurrenceOf(target);
  if (recurrence !== undefined) return `its alerts now land on its recurrence ${recurrence}; merge into ${recurrence} instead.`;
  return undefined;
}

/**
 * `engine.merge` and `engine.unmerge`: a duplicate incident canceled into the one that continues,
 * its alerts, counters and dedup keys moved in one atomic write of both incidents
 * (`StorageAdapter.commitMerge`), and undone while that incident is open.
 *
 * @internal
 */
export function createMerges(core: EngineCore) {
  const { schemas, load, store, tenantId } = core;

  function commitMergeOf(subject: string): NonNullable<StorageAdapter['commitMerge']> {
    const commitMerge = store.commitMerge?.bind(store);
    if (commitMerge !== undefined) return commitMerge;
    throw new ConfigError(subject, [
      {
        code: 'store_lacks_capability',
        path: ['store'],
        message: `The store '${store.name}' lacks commitMerge(): merging moves alerts between two incidents in one atomic write; see "Merging incidents" in docs/custom-storage-adapter.md.`,
      },
    ]);
  }

  /** Both commits, decided and written as one; retried when either incident moved on meanwhile. */
  async function write(
    kind: MergeWrite['kind'],
    ids: readonly [from: string, to: string],
    decide: (from: StoredIncident, to: StoredIncident) => Promise<readonly [PreparedCommit, PreparedCommit]>,
  ): Promise<readonly [Incident, Incident]> {
    const commitMerge = commitMergeOf(kind);
    for (let attempt = 1; ; attempt += 1) {
      const [from, to] = await Promise.all([load(ids[0]), load(ids[1])]);
      const [fromCommit, toCommit] = await decide(from, to);
      try {
        const events = fromCommit.commit.events.length + toCommit.commit.events.length;
        await core.telemetry.commit({ tenantId: core.tenantId, incidentId: ids[0], events, kind: 'merge' }, () => commitMerge({ kind, from: fromCommit.commit, to: toCommit.commit }));
      } catch (error) {
        if (isIncidentKitError(error, 'VERSION_CONFLICT') && attempt < ATTEMPTS) continue;
        throw error;
      }
      core.committed(fromCommit);
      core.committed(toCommit);
      return [fromCommit.commit.incident, toCommit.commit.incident];
    }
  }

  /** A command's commit: refused with `refusal` when given, else as the machine decides. */
  async function prepared(stored: StoredIncident, actor: Actor, draft: LifecycleEventDraft, refusal: string | undefined): Promise<PreparedCommit> {
    const commit = await core.prepare(stored, actor, draft, refusal === undefined ? {} : { refusal });
    // Only a fired timer's event is ever left undecided; these are commands.
    if (commit === undefined) throw new TypeError('A merge command was not decided.');
    return commit;
  }

  /**
   * Merges incident `id` into `input.into`: see `EngineApi.merge`.
   *
   * @throws ValidationError, NotFoundError, InvalidTransitionError, ForbiddenError, ConfigError, as `EngineApi.merge` says.
   */
  async function merge(id: string, input: MergeInput): Promise<Incident> {
    const parsed = parseInput(schemas.merge, input, 'merge');
    const sourceId = parseInput(schemas.incidentId, id, 'merge');
    if (parsed.into === sourceId) {
      throw new ValidationError('merge', [{ code: 'custom', path: ['into'], message: 'An incident cannot be merged into itself.' }]);
    }
    const { actor } = parsed;
    const rest = withoutActor(parsed);
    const [source] = await write('merge', [sourceId, parsed.into], async (from, to) => {
      // Asked on every attempt: a retry decides against the incidents as they are now.
      await core.authorize(actor, 'merge', from.incident, rest);
      await core.authorize(actor, 'merge', to.incident, rest);
      const context = from.snapshot.context;
      const counts = alertCountsOf(context);
      const moved = context.alerts.map((alert) => ({ ...withoutAlertCounters(alert), mergedFrom: sourceId }));
      const intoCommit = await prepared(from, actor, {
        type: 'MERGE_INTO',
        into: parsed.into,
        previousStatus: from.incident.status,
        alertCount: counts.alertCount,
        unresolvedAlertCount: counts.unresolvedAlertCount,
      }, sourceRefusal(from.incident));
      const fromCommit = await prepared(to, actor, {
        type: 'MERGE_FROM',
        from: sourceId,
        alerts: windowOf([...to.snapshot.context.alerts, ...moved]),
        alertCount: counts.alertCount,
        unresolvedAlertCount: counts.unresolvedAlertCount,
      }, targetRefusal(to.incident));
      return [intoCommit, fromCommit];
    });
    return source;
  }

  /** Every alert row of incident `id`, without repeat counters, in order: a page of 1 000 at a time. */
  async function allAlerts(incidentId: string): Promise<AlertSummary[]> {
    const rows: AlertSummary[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.alerts(tenantId, incidentId, { limit: 1_000, ...(cursor === undefined ? {} : { cursor }) });
      for (const row of page.items) rows.push(withoutAlertCounters(row));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return rows;
  }

  /**
   * Undoes the merge of incident `id`: see `EngineApi.unmerge`.
   *
   * @throws ValidationError, NotFoundError, InvalidTransitionError, DuplicateIncidentError, ForbiddenError, ConfigError, as `EngineApi.unmerge` says.
   */
  async function unmerge(id: string, input: UnmergeInput): Promise<Incident> {
    const parsed = parseInput(schemas.unmerge, input, 'unmerge');
    const sourceId = parseInput(schemas.incidentId, id, 'unmerge');
    const { actor } = parsed;
    const rest = withoutActor(parsed);
    const first = (await load(sourceId)).incident;
    const targetId = mergedInto(first);
    if (targetId === undefined) {
      const duplicateOf = first.cancellation?.mergedInto;
      const why =
        duplicateOf === undefined
          ? 'it is not merged into another incident.'
          : `it was canceled as a duplicate of ${duplicateOf}, not merged: nothing moved, so nothing can move back.`;
      // Refused as every command is: an InvalidTransitionError naming the incident and its state.
      await prepared(await load(sourceId), actor, { type: 'UNMERGE', from: duplicateOf ?? sourceId, status: 'triage', alerts: [], alertCount: 0, unresolvedAlertCount: 0 }, why);
    }
    if (targetId === undefined) throw new TypeError('A refused unmerge was decided.');
    const [, source] = await write('unmerge', [targetId, sourceId], async (target, back) => {
      await core.authorize(actor, 'unmerge', back.incident, rest);
      await core.authorize(actor, 'unmerge', target.incident, rest);
      const rows = await allAlerts(targetId);
      const returning = rows.filter((row) => row.mergedFrom === sourceId).map(({ mergedFrom: _mergedFrom, ...row }) => row);
      const staying = rows.filter((row) => row.mergedFrom !== sourceId);
      const unresolved = returning.filter((row) => row.status !== 'resolved').length;
      const status = back.incident.cancellation?.previousStatus ?? 'triage';
      const backCommit = await prepared(back, actor, {
        type: 'UNMERGE',
        from: targetId,
        status,
        alerts: windowOf(returning),
        alertCount: returning.length,
        unresolvedAlertCount: unresolved,
      }, mergedInto(back.incident) === targetId ? undefined : 'it is not merged into another incident.');
      const targetCommit = await prepared(target, actor, {
        type: 'UNMERGE_FROM',
        from: sourceId,
        alerts: windowOf(staying),
        alertCount: returning.length,
        unresolvedAlertCount: unresolved,
      }, isOpen(target.incident) ? undefined : `the merge of ${sourceId} into it can only be undone while it is open.`);
      return [targetCommit, backCommit];
    });
    return source;
  }

  return { merge, unmerge };
}
