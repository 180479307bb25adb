import type { Actor } from '../model/actor.js';
import type { AlertStatus, IncidentPolicySnapshot } from '../model/incident.js';
import type { JsonValue } from '../model/primitives.js';

import type { IncidentContext } from '../model/snapshot.js';

export type { IncidentContext } from '../model/snapshot.js';

/**
 * What starts an incident: the validated `declare` input with its time, actor and frozen policy.
 *
 * @remarks The engine builds it; it is stored as the `DECLARED` event's data so that a replay
 * starts the machine from exactly the same input.
 */
export interface IncidentMachineInput {
  readonly id: string;
  readonly tenantId: string;
  readonly at: string;
  readonly actor: Actor;
  readonly title: string;
  readonly severity: string;
  readonly service?: string;
  readonly summary?: string;
  readonly dedupKey?: string;
  readonly startedAt?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly fields?: Readonly<Record<string, JsonValue>>;
  readonly services?: readonly string[];
  /** The incident type's name (`declare({ type })`). */
  readonly type?: string;
  /** Recorded after the fact (`engine.importIncident`). */
  readonly imported?: boolean;
  readonly policy: IncidentPolicySnapshot;
  /** The alert that raised a signal-born incident. */
  readonly alert?: {
    readonly fingerprint: string;
    readonly dedupKey: string;
    readonly source: string;
    readonly status: AlertStatus;
    readonly summary: string;
    /** The ids of the routing rules that routed the alert, when any matched. */
    readonly rules?: readonly string[];
  };
  /** A drill (`declare({ drill: true })`); absent for real incidents (and on events stored before drills existed). */
  readonly drill?: boolean;
  /** The data subject of the incident's sensitive fields (`declare({ subjectId })`). */
  readonly subjectId?: string;
}

/** `T` with properties that may be `undefined` made optional instead. */
export type Compact<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};

/** Drops `undefined` properties, so projections hold only what happened (and JSON round-trips exactly). */
export function withoutUndefined<T extends object>(value: T): Compact<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Compact<T>;
}

/** The context a declared incident starts with, built from the machine's input. */
export function initialContext(input: IncidentMachineInput): IncidentContext {
  return withoutUndefined({
    id: input.id,
    tenantId: input.tenantId,
    title: input.title,
    severity: input.severity,
    service: input.service,
    summary: input.summary,
    dedupKey: input.dedupKey,
    services: input.services === undefined ? undefined : [...input.services],
    type: input.type,
    imported: input.imported,
    startedAt: input.startedAt ?? input.at,
    detectedAt: input.at,
    updatedAt: input.at,
    createdBy: input.actor,
    roles: {},
    actionItems: [],
    labels: { ...input.labels },
    fields: { ...input.fields },
    reopenCount: 0,
    breaches: [],
    alerts: input.alert === undefined ? [] : [{ ...input.alert, firstSeenAt: input.at, statusChangedAt: input.at }],
    alertCount: input.alert === undefined ? 0 : 1,
    unresolvedAlertCount: input.alert === undefined || input.alert.status === 'resolved' ? 0 : 1,
    policy: input.policy,
    tasks: [],
    drill: input.drill === true ? true : undefined,
    subjectId: input.subjectId,
  });
}
