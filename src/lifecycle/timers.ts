import type { EscalationPolicy, EscalationState, EscalationTarget, Incident, TargetName } from '../model/incident.js';

/** The ids of the durable timers the machine sets; one row per `(tenant, incident, timer id)`. */
export const TIMER_IDS = {
  escalation: 'escalation',
  reminder: (kind: string): string => `reminder:${kind}`,
  target: (target: TargetName): string => `target:${target}`,
} as const;

/** Every response target, in the order they are expected to be met. */
export const TARGET_NAMES: readonly TargetName[] = ['acknowledge', 'mitigate', 'resolve'];

const MINUTE = 60_000;

/** The next escalation a policy calls for, and how long after the previous one. */
export interface NextEscalation {
  readonly level: number;
  readonly cycle: number;
  readonly delayMs: number;
  readonly targets: readonly EscalationTarget[];
}

/**
 * The escalation that follows `current` under `policy` (the first one when `current` is
 * undefined), skipping empty levels marked `skipIfEmpty` (their wait still counts).
 */
export function nextEscalation(
  policy: EscalationPolicy | undefined,
  current: Pick<EscalationState, 'level' | 'cycle'> | undefined,
): NextEscalation | undefined {
  const levels = policy?.levels ?? [];
  if (levels.length === 0) return undefined;
  const repeat = policy?.repeat ?? 0;
  let level = current?.level ?? 0;
  let cycle = current?.cycle ?? 0;
  let delayMs = 0;
  // Bounded: every level of every cycle is visited at most once.
  for (let guard = 0; guard <= levels.length * (repeat + 1); guard += 1) {
    if (level < levels.length) {
      level += 1;
    } else if (cycle < repeat) {
      level = 1;
      cycle += 1;
    } else {
      return undefined;
    }
    const step = levels[level - 1];
    if (step === undefined) return undefined;
    delayMs += step.afterMinutes * MINUTE;
    if (step.targets.length > 0 || step.skipIfEmpty !== true) {
      return { level, cycle, delayMs, targets: [...step.targets] };
    }
  }
  return undefined;
}

/** Whether a response target has been met. */
export function targetMet(incident: Pick<Incident, 'acknowledgedAt' | 'mitigatedAt' | 'resolvedAt'>, target: TargetName): boolean {
  switch (target) {
    case 'acknowledge':
      return incident.acknowledgedAt !== undefined || incident.mitigatedAt !== undefined || incident.resolvedAt !== undefined;
    case 'mitigate':
      return incident.mitigatedAt !== undefined || incident.resolvedAt !== undefined;
    case 'resolve':
      return incident.resolvedAt !== undefined;
  }
}

/** When each unmet, unbreached response target of the incident's severity is due. */
export function pendingTargets(
  incident: Pick<Incident, 'severity' | 'detectedAt' | 'acknowledgedAt' | 'mitigatedAt' | 'resolvedAt' | 'breaches' | 'policy'>,
): Partial<Record<TargetName, string>> {
  const targets = incident.policy.targets?.[incident.severity];
  const pending: Partial<Record<TargetName, string>> = {};
  if (targets === undefined) return pending;
  const minutes: Record<TargetName, number | undefined> = {
    acknowledge: targets.acknowledgeWithinMinutes,
    mitigate: targets.mitigateWithinMinutes,
    resolve: targets.resolveWithinMinutes,
  };
  for (const target of TARGET_NAMES) {
    const within = minutes[target];
    if (within === undefined || targetMet(incident, target) || incident.breaches.some((b) => b.target === target)) continue;
    pending[target] = new Date(Date.parse(incident.detectedAt) + within * MINUTE).toISOString();
  }
  return pending;
}

/** The reminder interval (minutes) that applies to the incident's current severity, per reminder kind. */
export function activeReminders(incident: Pick<Incident, 'severity' | 'policy'>): Partial<Record<'status_update', number>> {
  const active: Partial<Record<'status_update', number>> = {};
  for (const reminder of incident.policy.reminders ?? []) {
    if (active[reminder.kind] === undefined && reminder.severities.includes(incident.severity)) {
      active[reminder.kind] = reminder.everyMinutes;
    }
  }
  return active;
}
