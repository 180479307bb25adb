import { AdapterError, isIncidentKitError, ValidationError } from '../errors.js';
import type { Actor } from '../model/actor.js';
import { holdsDedupKeys, type AlertSummary, type Incident, type IncidentPolicySnapshot } from '../model/incident.js';
import { parseConfig, parseInput } from '../kernel/parse.js';
import { isSealedSignal, signalSchema, type Signal } from '../model/signal.js';
import type { SignalCount } from '../storage/types.js';
import type { EngineCore } from './core.js';
import type { SignalRoute } from './feature.js';
import { ingestOptionsSchema, rejectionOf, windowCovers, type IngestCallOptions, type IngestOptions, type IngestOutcome, type IngestResult } from './ingestOptions.js';
import { logTo } from './telemetry.js';

export type { IngestCallOptions, IngestOptions, IngestOutcome, IngestRejection, IngestResult, MaintenanceWindow } from './ingestOptions.js';

const MINUTE = 60_000;
const ACTIVE = new Set(['triage', 'responding', 'mitigated']);

const MAX_SIGNALS = 10_000;

/** How often one signal looks again after losing a race (a create, or a re-fire whose incident moved on). */
const ATTEMPTS = 5;

/**
 * Thrown by a command's builder when the incident moved on since ingest looked it up (another
 * signal reopened it, or a person closed it): ingest forgets what it looked up and decides again.
 */
class Moved extends Error {
  /** The recurrence another writer already named on the incident, if that is how it moved. */
  readonly recurrence: string | undefined;
  constructor(recurrence?: string) {
    super('The incident moved on; decide again.');
    this.recurrence = recurrence;
  }
}

/** The recurrence an incident names (its `recurredAs` link), if any. */
function recurrenceOf(incident: Incident): string | undefined {
  return incident.links?.find((link) => link.kind === 'recurredAs')?.incidentId;
}

/** The prefix of namespaced dedup keys; refused at the start of a key in the shared namespace, so none can be forged. */
const NAMESPACE_PREFIX = 'ns:';

function actorFor(signal: Signal): Actor {
  return { kind: 'integration', id: signal.integration ?? signal.source };
}

/**
 * `key` within the signal's dedup namespace: `ns:<namespace>:<key>`, or `key` itself in the
 * shared namespace (absent or `'shared'`), so keys stored before namespaces keep working.
 */
function scoped(signal: Signal, key: string): string {
  const namespace = signal.namespace;
  return namespace === undefined || namespace === 'shared' ? key : `${NAMESPACE_PREFIX}${namespace}:${key}`;
}

/**
 * The namespace of a drill's signals (`ingest(signals, { drill: true })`): `!drill` for the
 * shared namespace, `!drill.<namespace>` for another. A real signal's namespace cannot start
 * with `!`, so drill signals never deduplicate, group or resolve against live alerts.
 */
function drillSignal(signal: Signal): Signal {
  const namespace = signal.namespace === undefined || signal.namespace === 'shared' ? '!drill' : `!drill.${signal.namespace}`;
  return { ...signal, namespace };
}

/** The dedup key of a signal: `dedupKey ?? fingerprint`, within its namespace. */
function keyOf(signal: Signal): string {
  return scoped(signal, signal.dedupKey ?? signal.fingerprint);
}

/** Why a valid signal cannot be ingested anyway, or `undefined`. */
function reservedKeyIssue(signal: Signal): ValidationError | undefined {
  const shared = signal.namespace === undefined || signal.namespace === 'shared';
  if (!shared || !(signal.dedupKey ?? signal.fingerprint).startsWith(NAMESPACE_PREFIX)) return undefined;
  const path = signal.dedupKey === undefined ? 'fingerprint' : 'dedupKey';
  return new ValidationError('signal', [
    { code: 'custom', path: [path], message: `Keys starting with ${NAMESPACE_PREFIX} are reserved for namespaced signals; give the signal a namespace.` },
  ]);
}

function groupKeyOf(labels: Readonly<Record<string, string>>, groupBy: readonly string[]): string {
  return `group:${groupBy.map((name) => `${name}=${labels[name] ?? ''}`).join(',')}`;
}

/**
 * What ingest does with one signal besides deduplicating it: what routing (and the call's
 * options) decided. The rules are recorded on what the signal creates or attaches.
 */
interface Plan {
  readonly rules: readonly string[];
  readonly type?: string | undefined;
  readonly policy?: string | undefined;
  readonly threshold?: { readonly count: number; readonly windowMinutes: number } | undefined;
  readonly group?: { readonly key: string; readonly windowMinutes?: number } | undefined;
  readonly reopenWindowMinutes?: number | undefined;
  /** The call's signals are a drill's: what they open is a drill. */
  readonly drill?: boolean | undefined;
}

const UNROUTED: Plan = /* @__PURE__ */ Object.freeze({ rules: [] });

/** The result with what routing did to the signal (matched rules, what suppressed it); built without spreads, as it runs per signal. */
function routed(result: IngestResult, route: SignalRoute | undefined): IngestResult {
  if (route === undefined) return result;
  const rules = route.rules.length > 0;
  const by = route.suppressed && route.suppressedBy !== undefined;
  if (!rules && !by) return result;
  const out: { -readonly [K in keyof IngestResult]: IngestResult[K] } = { outcome: result.outcome };
  if (result.incident !== undefined) out.incident = result.incident;
  if (result.error !== undefined) out.error = result.error;
  if (rules) out.rules = route.rules;
  if (by) out.suppressedBy = route.suppressedBy;
  return out;
}

/**
 * The ingest half of the engine: deduplicate, group, hold, suppress, open, acknowledge and
 * auto-resolve.
 *
 * @internal
 */
export function createIngest(core: EngineCore, input: IngestOptions | undefined) {
  const options = parseConfig(ingestOptionsSchema, input, 'createIncidentEngine ingest');
  const { store, tenantId } = core;

  const noMaintenance = options.maintenanceWindows.length === 0;
  /** The first feature's router (the routing feature's, unless a host's own feature routes). */
  const routerOf = core.features.map((f) => f.parts.router).find((router) => router !== undefined);

  /** Incident policies with a named escalation policy in place, per base policy and name (each frozen once). */
  const withEscalation = new WeakMap<IncidentPolicySnapshot, Map<string, IncidentPolicySnapshot>>();
  /**
   * `base` with the escalation of the named policy; `base` itself when no policy of that name is
   * configured (a stored rule may outlive the configuration that named it: the incident still opens).
   */
  function policyWith(base: IncidentPolicySnapshot, name: string | undefined): IncidentPolicySnapshot {
    if (name === undefined) return base;
    const escalation = core.escalationPolicies.get(name);
    if (escalation === undefined) return base;
    let byName = withEscalation.get(base);
    if (byName === undefined) {
      byName = new Map();
      withEscalation.set(base, byName);
    }
    let policy = byName.get(name);
    if (policy === undefined) {
      policy = Object.freeze({ ...base, escalation });
      byName.set(name, policy);
    }
    return policy;
  }

  /** The group key of a signal: a rule's `group` key, else the engine's `groupBy` labels. */
  function groupKeyFor(signal: Signal, plan: Plan): string | undefined {
    if (plan.group !== undefined) return scoped(signal, `rgroup:${plan.group.key}`);
    return options.groupBy === undefined ? undefined : scoped(signal, groupKeyOf(signal.labels, options.groupBy));
  }

  function inMaintenance(signal: Signal, at: string): boolean {
    return options.maintenanceWindows.some((w) => windowCovers(w, signal, at));
  }

  /**
   * Applies a status change of one alert, then what it implies for the incident. The engine's
   * core takes the alert's previous status from the store, wherever the alert is.
   */
  async function changeStatus(incident: Incident, signal: Signal): Promise<IngestResult> {
    const actor = actorFor(signal);
    let current: Incident;
    try {
      current = await core.command(incident.id, actor, () => ({
        type: 'CHANGE_ALERT_STATUS',
        fingerprint: signal.fingerprint,
        status: signal.status,
      }), undefined);
    } catch (error) {
      if (!isIncidentKitError(error, 'INVALID_TRANSITION')) throw error;
      // A concurrent signal of the same alert (another engine, or a re-fire that reopened the
      // incident) already put it in this status: this one is a repeat.
      const now = (await core.load(incident.id)).incident;
      // Or the incident let go of its keys meanwhile (merged into another): decide again.
      if (!holdsDedupKeys(now)) throw new Moved();
      const alert = now.alerts.find((a) => a.fingerprint === signal.fingerprint) ?? (await store.findAlert(tenantId, now.id, signal.fingerprint));
      if (alert?.status !== signal.status) throw error;
      return { outcome: 'deduplicated', incident: now };
    }
    if (signal.status === 'acknowledged') {
      if (current.status === 'triage') current = await core.command(incident.id, actor, () => ({ type: 'ACKNOWLEDGE' }), undefined);
      return { outcome: 'acknowledged', incident: current };
    }
    if (signal.status === 'resolved') {
      // Counted by the machine: no alert list is read, however many alerts the incident has.
      if (options.autoResolve && current.unresolvedAlertCount === 0 && ACTIVE.has(current.status)) {
        current = await core.command(incident.id, actor, () => ({
          type: 'RESOLVE',
          summary: `All ${String(current.alertCount)} alert(s) resolved at the source (${signal.source}).`,
        }), undefined);
      }
      return { outcome: 'resolved', incident: current };
    }
    return { outcome: 'deduplicated', incident: current };
  }

  /** Whether a firing signal at `at` reopens `incident` (resolved, within the reopen window: a rule's, else the engine's) rather than opening a recurrence. */
  function reopens(incident: Incident, at: string, plan: Plan): boolean {
    const windowMs = (plan.reopenWindowMinutes ?? options.reopenWindowMinutes) * MINUTE;
    return incident.status === 'resolved' && incident.resolvedAt !== undefined && Date.parse(at) - Date.parse(incident.resolvedAt) <= windowMs;
  }

  /**
   * An alert fired again on an incident that holds its key but is no longer active (resolved or
   * in review): reopens it within the reopen window, else hands its keys to a new incident that
   * is its recurrence. `undefined` when the incident moved on meanwhile (decide again).
   */
  async function refire(held: Incident, signal: Signal, key: string, at: string, plan: Plan): Promise<IngestResult | undefined> {
    const actor = actorFor(signal);
    if (reopens(held, at, plan)) {
      const minutes = Math.round((Date.parse(at) - Date.parse(held.resolvedAt ?? at)) / MINUTE);
      let current: Incident;
      try {
        current = await core.command(held.id, actor, (stored) => {
          if (!holdsDedupKeys(stored.incident) || !reopens(stored.incident, at, plan)) throw new Moved();
          return { type: 'REOPEN', reason: `Alert ${signal.fingerprint} fired again at the source (${signal.source}) ${String(minutes)} min after the incident resolved.` };
        }, undefined);
      } catch (error) {
        if (error instanceof Moved) return undefined;
        throw error;
      }
      current = await refireAlert(current, signal, key, plan);
      return { outcome: 'reopened', incident: current };
    }
    // The recurrence is named before it exists, so that whoever links first decides its id, and
    // a writer that loses (or finds the link of one that stopped halfway) creates that very one.
    let recurrence = core.ids('incident');
    try {
      await core.command(held.id, actor, (stored) => {
        const named = recurrenceOf(stored.incident);
        if (named !== undefined) throw new Moved(named);
        if (!holdsDedupKeys(stored.incident) || ACTIVE.has(stored.incident.status) || reopens(stored.incident, at, plan)) throw new Moved();
        return { type: 'LINK_INCIDENT', kind: 'recurredAs', to: recurrence };
      }, undefined);
    } catch (error) {
      if (!(error instanceof Moved)) throw error;
      if (error.recurrence === undefined) return undefined;
      recurrence = error.recurrence;
    }
    return await openRecurrence(recurrence, held, signal, key, at, plan);
  }

  /** The re-fired alert on a reopened incident: firing again (attached if the incident never had it). */
  async function refireAlert(incident: Incident, signal: Signal, key: string, plan: Plan): Promise<Incident> {
    const alert = incident.alerts.find((a) => a.fingerprint === signal.fingerprint) ?? (await store.findAlert(tenantId, incident.id, signal.fingerprint));
    if (alert?.status === 'firing') return incident;
    try {
      return alert === undefined ? (await attach(incident, signal, key, 'reopened', plan)).incident ?? incident : await core.command(incident.id, actorFor(signal), () => ({
        type: 'CHANGE_ALERT_STATUS',
        fingerprint: signal.fingerprint,
        status: 'firing',
      }), undefined);
    } catch (error) {
      // Another signal of this alert got there first: it is firing (or attached) already.
      if (isIncidentKitError(error, 'INVALID_TRANSITION') || error instanceof Moved) return await core.load(incident.id).then((stored) => stored.incident);
      throw error;
    }
  }

  /**
   * Opens incident `id` as the recurrence of `previous` (the signal's key is free). `undefined`
   * when another writer opened it, or the key, first (decide again: the signal lands there).
   */
  async function openRecurrence(id: string, previous: Incident, signal: Signal, key: string, at: string, plan: Plan): Promise<IngestResult | undefined> {
    const groupKey = groupKeyFor(signal, plan);
    try {
      const created = await openIncident(signal, key, at, groupKey, plan, previous.id, id);
      return { outcome: 'created', incident: created };
    } catch (error) {
      if (isIncidentKitError(error, 'DUPLICATE_INCIDENT') || isIncidentKitError(error, 'VERSION_CONFLICT')) return undefined;
      throw error;
    }
  }

  /** Opens a new incident for a firing signal; linked as the recurrence of `recurs` when given. */
  async function openIncident(signal: Signal, key: string, at: string, groupKey: string | undefined, plan: Plan, recurs?: string, id?: string): Promise<Incident> {
    // The group key names the incident while it is free; after the window a new group incident takes the alert's key.
    const dedupKey = groupKey !== undefined && (await store.findOpenByDedupKey(tenantId, groupKey)) === undefined ? groupKey : key;
    const actor = actorFor(signal);
    const typed = plan.type === undefined ? undefined : await typedOf(plan.type, signal.severity);
    const scale = typed?.scale ?? core.severityScale;
    return await core.create(
      {
        ...(id === undefined ? {} : { id }),
        ...(typed === undefined ? {} : { type: typed.type, fields: typed.fields }),
        title: signal.summary,
        severity: scale.levels.includes(signal.severity) ? signal.severity : (scale.levels.at(-1) ?? signal.severity),
        service: signal.service,
        summary: signal.annotations.description ?? signal.annotations.summary,
        startedAt: signal.startsAt < at ? signal.startsAt : at,
        dedupKey,
        labels: signal.labels,
        actor,
        at,
        drill: plan.drill,
        alert: {
          fingerprint: signal.fingerprint,
          dedupKey: key,
          source: signal.source,
          status: 'firing',
          summary: signal.summary,
          ...(plan.rules.length === 0 ? {} : { rules: plan.rules }),
        },
      },
      recurs === undefined ? [] : [{ type: 'LINK_INCIDENT', kind: 'recurrenceOf', to: recurs, at, actor }],
      policyWith(typed?.policy ?? core.policy, plan.policy),
    );
  }

  /**
   * What a rule's incident type gives a new incident: its fields (none given: the type's
   * defaults) and policy, at the signal's severity or the type's lowest. `undefined` when the
   * type is no longer configured or needs fields an alert cannot give: the incident still opens, untyped.
   */
  async function typedOf(type: string, severity: string) {
    const scale = core.typeScale(type);
    if (scale === undefined) return undefined;
    const level = scale.levels.includes(severity) ? severity : (scale.levels.at(-1) ?? severity);
    try {
      const prepared = await core.prepareType({ type, severity: level, fields: {} });
      return { type, scale, fields: prepared.fields, policy: prepared.policy };
    } catch (error) {
      if (error instanceof ValidationError) return undefined;
      throw error;
    }
  }

  /**
   * The incident a firing signal with no holder recurs: the newest incident opened with its key,
   * when it is closed, or when it named a recurrence that a writer never opened (it stopped
   * halfway); `undefined` without one, or when the store cannot tell.
   */
  async function recurs(key: string): Promise<{ readonly previous: Incident; readonly id?: string } | undefined> {
    const latest = await store.findLatestByDedupKey?.(tenantId, key);
    if (latest === undefined) return undefined;
    const named = recurrenceOf(latest);
    if (named !== undefined) return (await store.load(tenantId, named)) === undefined ? { previous: latest, id: named } : undefined;
    return latest.status === 'closed' ? { previous: latest } : undefined;
  }

  async function attach(incident: Incident, signal: Signal, key: string, outcome: IngestOutcome, plan: Plan): Promise<IngestResult> {
    const updated = await core.command(incident.id, actorFor(signal), () => ({
      type: 'ATTACH_ALERT',
      fingerprint: signal.fingerprint,
      dedupKey: key,
      source: signal.source,
      status: signal.status,
      summary: signal.summary,
      ...(plan.rules.length === 0 ? {} : { rules: plan.rules }),
    }), undefined).catch(async (error: unknown) => {
      // Another signal attached the alert first, or the incident let go of its keys meanwhile
      // (merged into another): decide again.
      if (isIncidentKitError(error, 'INVALID_TRANSITION')) {
        const now = (await core.load(incident.id)).incident;
        // The alert is attached if the incident shows it (as the core decides) or its row says so.
        const attached = now.alerts.some((a) => a.fingerprint === signal.fingerprint) || (await store.findAlert(tenantId, now.id, signal.fingerprint)) !== undefined;
        if (!holdsDedupKeys(now) || attached) throw new Moved();
      }
      throw error;
    });
    return { outcome, incident: updated };
  }

  /**
   * Per-call lookups: an alert storm of one key costs one store read, not one per signal. Alerts
   * older than the newest 100 an incident carries are looked up in the store, once per call.
   */
  interface Lookups {
    /** Open incidents by dedup key. */
    readonly incidents: Map<string, Incident | undefined>;
    /** Alerts beyond an incident's window, by `incidentId + fingerprint`. */
    readonly alerts: Map<string, AlertSummary | undefined>;
  }
  function forget(lookups: Lookups): void {
    lookups.incidents.clear();
    lookups.alerts.clear();
  }
  const alertKey = (incidentId: string, fingerprint: string): string => `${incidentId}\u0000${fingerprint}`;

  /** The incident's alert with `fingerprint`: among those it carries, else (when it has more) in the store. */
  async function alertOf(incident: Incident, fingerprint: string, lookups: Lookups): Promise<AlertSummary | undefined> {
    const shown = incident.alerts.find((a) => a.fingerprint === fingerprint);
    if (shown !== undefined || !(incident.alertCount > incident.alerts.length)) return shown;
    const k = alertKey(incident.id, fingerprint);
    if (lookups.alerts.has(k)) return lookups.alerts.get(k);
    const found = await store.findAlert(tenantId, incident.id, fingerprint);
    lookups.alerts.set(k, found);
    return found;
  }

  /** Whether this call already knows the incident's alert `fingerprint` to be in `status` (no promise needed). */
  function knownInStatus(incident: Incident, fingerprint: string, status: Signal['status'], lookups: Lookups): boolean {
    return (
      incident.alerts.some((a) => a.fingerprint === fingerprint && a.status === status) ||
      lookups.alerts.get(alertKey(incident.id, fingerprint))?.status === status
    );
  }

  /**
   * Projections this engine read or wrote lately, by id: with a store that tells which version of
   * an incident holds a key, a repeat reuses the projection instead of reading and parsing it.
   * A version names one state of an incident, so a projection at the probed version is current
   * (only its repeat counters may lag, and a result never promised those).
   */
  const recent = new Map<string, Incident>();
  const RECENT_LIMIT = 1_000;
  function remember(incident: Incident | undefined): void {
    if (incident === undefined) return;
    recent.delete(incident.id);
    recent.set(incident.id, incident);
    if (recent.size <= RECENT_LIMIT) return;
    const oldest = recent.keys().next();
    if (oldest.done !== true) recent.delete(oldest.value);
  }

  async function readOpen(key: string): Promise<Incident | undefined> {
    if (store.findOpenVersionByDedupKey === undefined) return store.findOpenByDedupKey(tenantId, key);
    const head = await store.findOpenVersionByDedupKey(tenantId, key);
    if (head === undefined) return undefined;
    const known = recent.get(head.incidentId);
    if (known?.version === head.version) return known;
    const found = await store.findOpenByDedupKey(tenantId, key);
    remember(found);
    return found;
  }

  async function findOpen(key: string, lookups: Lookups): Promise<Incident | undefined> {
    if (lookups.incidents.has(key)) return lookups.incidents.get(key);
    const found = await readOpen(key);
    lookups.incidents.set(key, found);
    return found;
  }

  async function ingestOne(signal: Signal, plan: Plan, counts: SignalCount[], at: string, lookups: Lookups): Promise<IngestResult> {
    const result = await decide(signal, plan, counts, at, lookups);
    remember(result.incident);
    // Any write may have changed which incident holds which key: forget what this call looked up.
    if (result.outcome !== 'deduplicated' || result.incident === undefined || lookups.incidents.get(keyOf(signal)) !== result.incident) {
      forget(lookups);
    }
    return result;
  }

  async function decide(signal: Signal, plan: Plan, counts: SignalCount[], at: string, lookups: Lookups): Promise<IngestResult> {
    if (inMaintenance(signal, at)) return { outcome: 'suppressed' };
    const key = keyOf(signal);
    const firing = signal.status === 'firing';
    const count = (incident: Incident): void => {
      if (firing) counts.push({ incidentId: incident.id, fingerprint: signal.fingerprint, count: 1, lastSeenAt: at });
    };
    // Bounded retries: a lost create race means another writer opened the incident, and a
    // re-fire may find the incident it looked up moved on; look again.
    for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
      const open = await findOpen(key, lookups);
      if (open !== undefined && firing && !ACTIVE.has(open.status)) {
        const refired = await refire(open, signal, key, at, plan);
        if (refired?.incident !== undefined) count(refired.incident);
        if (refired !== undefined) return refired;
        forget(lookups);
        continue;
      }
      if (open !== undefined) {
        const counted = counts.length;
        try {
          const alert = await alertOf(open, signal.fingerprint, lookups);
          if (alert === undefined) {
            if (!firing) return { outcome: 'ignored' };
            const result = await attach(open, signal, key, 'deduplicated', plan);
            count(open);
            return result;
          }
          count(open);
          if (alert.status === signal.status) return { outcome: 'deduplicated', incident: open };
          return await changeStatus(open, signal);
        } catch (error) {
          // The incident was merged into another while this signal was on its way: look again.
          if (!(error instanceof Moved)) throw error;
          counts.length = counted;
          forget(lookups);
          continue;
        }
      }
      // PagerDuty drops a non-firing event for an unknown or closed key too.
      if (!firing) return { outcome: 'ignored' };

      const recurrence = await recurs(key);
      if (recurrence?.id !== undefined) {
        // A recurrence named but never opened: open that very one.
        const opened = await openRecurrence(recurrence.id, recurrence.previous, signal, key, at, plan);
        if (opened?.incident !== undefined) count(opened.incident);
        if (opened !== undefined) return opened;
        forget(lookups);
        continue;
      }
      const groupKey = groupKeyFor(signal, plan);
      if (groupKey !== undefined) {
        const group = await store.findOpenByDedupKey(tenantId, groupKey);
        const windowMinutes = plan.group?.windowMinutes ?? options.groupWindowMinutes;
        if (group !== undefined && Date.parse(at) - Date.parse(group.detectedAt) <= windowMinutes * MINUTE) {
          const result = await attach(group, signal, key, 'grouped', plan).catch((error: unknown) => {
            if (error instanceof Moved) return undefined;
            throw error;
          });
          // Merged meanwhile, or another signal attached the alert first: look again.
          if (result === undefined) {
            forget(lookups);
            continue;
          }
          count(group);
          return result;
        }
      }
      const threshold = plan.threshold ?? options.threshold;
      if (threshold !== undefined && attempt === 0) {
        const since = new Date(Date.parse(at) - threshold.windowMinutes * MINUTE).toISOString();
        const seen = await store.countFirings(tenantId, key, at, since);
        if (seen < threshold.count) return { outcome: 'held' };
      }
      try {
        const created = await openIncident(signal, key, at, groupKey, plan, recurrence?.previous.id);
        count(created);
        return { outcome: 'created', incident: created };
      } catch (error) {
        if (!isIncidentKitError(error, 'DUPLICATE_INCIDENT')) throw error;
        // Another writer opened it first: forget the cached miss and attach to the winner.
        forget(lookups);
      }
    }
    // The store refused the create as a duplicate again and again yet showed no open incident
    // for the key: its dedup index and its reads disagree.
    throw new AdapterError(
      { adapter: 'store', operation: 'findOpenByDedupKey' },
      `ingest could not settle the race for dedup key '${key}' after ${String(ATTEMPTS)} attempts: the store refuses a new incident as a duplicate but finds no open one with that key.`,
    );
  }

  /**
   * Ingests one signal or many, in order: one result per signal. A malformed signal is
   * `rejected` (with its `error`) and the others are ingested all the same.
   *
   * @throws ValidationError (`VALIDATION_FAILED`) for more than 10 000 signals; nothing is ingested then.
   */
  async function ingest(input: Signal | readonly Signal[], callOptions?: IngestCallOptions): Promise<IngestResult[]> {
    const list: readonly unknown[] = Array.isArray(input) ? input : [input];
    if (list.length > MAX_SIGNALS) {
      throw new ValidationError('ingest', [
        { code: 'too_big', path: [], message: `At most ${String(MAX_SIGNALS)} signals per call; split the batch.` },
      ]);
    }
    const defaults = callDefaults(callOptions);
    const drill = defaults?.drill === true;
    // Signals from parseSignal or a parser are sealed (valid and frozen); only others are parsed,
    // one by one, so a malformed signal costs only itself. A plain loop, not `every` or `map`:
    // those skip the holes of a sparse array, which must be rejected like any other non-signal.
    const signals: (Signal | IngestResult)[] = [];
    for (let i = 0; i < list.length; i += 1) {
      const item = list[i];
      let signal: Signal;
      try {
        signal = isSealedSignal(item) ? item : parseInput(signalSchema, item, Array.isArray(input) ? `signals[${String(i)}]` : 'signal');
        const reserved = reservedKeyIssue(signal);
        if (reserved !== undefined) throw reserved;
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        signals.push({ outcome: 'rejected', error: rejectionOf(error) });
        continue;
      }
      signals.push(signal);
    }
    const accepted = signals.filter((entry): entry is Signal => !('outcome' in entry));
    if (core.authorizes) {
      // Asked once per integration of this call: may it raise and update incidents?
      const integrations = new Map(accepted.map((signal) => [actorFor(signal).id, actorFor(signal)]));
      for (const actor of integrations.values()) await core.authorize(actor, 'ingest');
    }
    const at = core.now();
    // Asked once per call: the router may read the rules in force from the store.
    const asked = accepted.length === 0 ? undefined : routerOf?.();
    const router = asked instanceof Promise ? await asked : asked;
    const counts: SignalCount[] = [];
    const results: IngestResult[] = [];
    try {
      const lookups: Lookups = { incidents: new Map(), alerts: new Map() };
      for (const entry of signals) {
        if ('outcome' in entry) {
          results.push(entry);
          continue;
        }
        const route = router?.(entry, at);
        const signal = drill ? drillSignal(route?.signal ?? entry) : (route?.signal ?? entry);
        if (route?.suppressed === true) {
          results.push(routed({ outcome: 'suppressed' }, route));
          continue;
        }
        // A dedup key a rule rendered may not forge a namespaced one either.
        const reserved = signal === entry ? undefined : reservedKeyIssue(signal);
        if (reserved !== undefined) {
          results.push(routed({ outcome: 'rejected', error: rejectionOf(reserved) }, route));
          continue;
        }
        // The hot path of an alert storm, without a promise per signal: a repeat of an alert
        // whose open incident this call already looked up, in the status it already has.
        const key = keyOf(signal);
        const open = lookups.incidents.get(key);
        if (
          open !== undefined &&
          (signal.status !== 'firing' || ACTIVE.has(open.status)) &&
          (noMaintenance || !inMaintenance(signal, at)) &&
          knownInStatus(open, signal.fingerprint, signal.status, lookups)
        ) {
          if (signal.status === 'firing') counts.push({ incidentId: open.id, fingerprint: signal.fingerprint, count: 1, lastSeenAt: at });
          results.push(routed({ outcome: 'deduplicated', incident: open }, route));
          continue;
        }
        results.push(routed(await ingestOne(signal, planOf(route, defaults), counts, at, lookups), route));
      }
    } finally {
      // Repeats are counted in one write per window (or per call), not one per signal: an alert storm stays cheap.
      if (counts.length > 0) await pendingCounts.add(counts);
    }
    return results;
  }

  /** What ingest does with a signal besides deduplicating it: what routing decided, else the call's defaults. */
  function planOf(route: SignalRoute | undefined, defaults: IngestCallOptions | undefined): Plan {
    if (route === undefined && defaults === undefined) return UNROUTED;
    return {
      rules: route?.rules ?? [],
      type: route?.type ?? defaults?.type,
      policy: route?.policy ?? defaults?.policy,
      threshold: route?.threshold,
      group: route?.group,
      reopenWindowMinutes: route?.reopenWindowMinutes,
      drill: defaults?.drill,
    };
  }

  /**
   * The call's own defaults for what its signals open, checked against the engine.
   *
   * @throws ValidationError (`VALIDATION_FAILED`) for an unknown type or policy, or malformed options.
   */
  function callDefaults(callOptions: IngestCallOptions | undefined): IngestCallOptions | undefined {
    if (callOptions === undefined) return undefined;
    const issues: { code: string; path: string[]; message: string }[] = [];
    const raw: unknown = callOptions;
    if (typeof raw !== 'object' || raw === null) {
      issues.push({ code: 'invalid_type', path: [], message: 'ingest options must be an object: { type?, policy?, drill? }.' });
    } else {
      const { type, policy, drill, ...rest } = callOptions;
      for (const name of Object.keys(rest)) issues.push({ code: 'unrecognized_keys', path: [name], message: `Unknown ingest option '${name}'; ingest takes type, policy and drill.` });
      if (drill !== undefined && typeof drill !== 'boolean') issues.push({ code: 'invalid_type', path: ['drill'], message: 'drill must be true or false.' });
      if (type !== undefined && (typeof type !== 'string' || core.typeScale(type) === undefined)) {
        issues.push({ code: 'unknown_type', path: ['type'], message: `Unknown incident type ${JSON.stringify(type)}: pass it as createIncidentEngine({ types }).` });
      }
      if (policy !== undefined && (typeof policy !== 'string' || !core.escalationPolicies.has(policy))) {
        issues.push({
          code: 'unknown_policy',
          path: ['policy'],
          message: `Unknown escalation policy ${JSON.stringify(policy)}: name one of policies.escalationPolicies (${[...core.escalationPolicies.keys()].join(', ') || 'none configured'}).`,
        });
      }
    }
    if (issues.length > 0) throw new ValidationError('ingest options', issues);
    return callOptions.type === undefined && callOptions.policy === undefined && callOptions.drill !== true ? undefined : callOptions;
  }

  const { logger } = core;
  const pendingCounts = createCountBuffer(
    (merged) => store.recordSignals(tenantId, merged),
    options.countWindowMs,
    logger === undefined
      ? undefined
      : (error) => {
          logTo(logger, 'warn', { err: error, tenantId, component: 'ingest' }, 'Writing repeat counts failed; they stay pending and are retried (engine.flush() reports the error).');
        },
  );

  return { ingest, flush: pendingCounts.flush };
}

/**
 * Write-behind repeat counters: counts added within `windowMs` of the first pending one are
 * merged and written together. Nothing is dropped: a failed write puts its counts back (the
 * next window or `flush` retries, and `flush` reports the failure).
 */
function createCountBuffer(write: (counts: SignalCount[]) => Promise<void>, windowMs: number, onBackgroundFailure?: (error: unknown) => void) {
  let pending: SignalCount[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let writing: Promise<void> = Promise.resolve();
  /** Background writes that failed in a row: retries back off, and stop holding the process open. */
  let failures = 0;

  function flush(): Promise<void> {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    // One write at a time, in order: a flush waits for the write in flight, then writes the rest.
    writing = writing.then(
      () => writeNow(),
      () => writeNow(),
    );
    return writing;
  }

  async function writeNow(): Promise<void> {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    try {
      await write(mergeCounts(batch));
      failures = 0;
    } catch (error) {
      pending = [...batch, ...pending];
      failures += 1;
      schedule();
      throw error;
    }
  }

  function schedule(): void {
    if (timer !== undefined) return;
    // Backs off after failures (up to a minute), so a store that is gone is not hammered.
    const delay = failures === 0 ? windowMs : Math.min(60_000, Math.max(windowMs, 100) * 2 ** Math.min(failures, 10));
    timer = setTimeout(() => {
      timer = undefined;
      flush().catch((error: unknown) => {
        if (failures !== 1) return;
        if (onBackgroundFailure === undefined) console.error('[incidentkit] writing repeat counts failed; they stay pending and are retried (engine.flush() reports the error).', error);
        else onBackgroundFailure(error);
      });
    }, delay);
    // The first write keeps Node's event loop alive, so a process that ends right after an alert
    // storm writes its counts first. A retry does not: a process whose store is gone (closed
    // database) must still be able to exit; its counts stay pending for an explicit flush().
    if (failures > 0 && typeof timer === 'object' && 'unref' in timer) timer.unref();
  }

  async function add(counts: readonly SignalCount[]): Promise<void> {
    pending.push(...counts);
    if (windowMs === 0) return flush();
    schedule();
  }

  return { add, flush };
}

type MutableCount = { -readonly [K in keyof SignalCount]: SignalCount[K] };

function mergeCounts(counts: readonly SignalCount[]): SignalCount[] {
  const merged = new Map<string, Map<string, MutableCount>>();
  for (const c of counts) {
    let byFingerprint = merged.get(c.incidentId);
    if (byFingerprint === undefined) {
      byFingerprint = new Map<string, MutableCount>();
      merged.set(c.incidentId, byFingerprint);
    }
    const previous = byFingerprint.get(c.fingerprint);
    if (previous === undefined) byFingerprint.set(c.fingerprint, { ...c });
    else {
      previous.count += c.count;
      if (c.lastSeenAt > previous.lastSeenAt) previous.lastSeenAt = c.lastSeenAt;
    }
  }
  return [...merged.values()].flatMap((byFingerprint) => [...byFingerprint.values()]);
}
