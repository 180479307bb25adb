/**
 * The pieces the default notification templates in `render.ts` are written with: reading event
 * data, naming actors and reports, and joining sentences into paragraphs.
 */
import type { Actor } from '../../model/actor.js';
import type { StoredEvent } from '../../model/event.js';
import type { Incident } from '../../model/incident.js';
import { clockFor } from '../../lifecycle/describeEvent.js';
import { formatDuration, formatTime } from '../../kernel/timeFormat.js';

export function str(data: StoredEvent['data'], key: string): string | undefined {
  const value = data[key];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

export function num(data: StoredEvent['data'], key: string): number | undefined {
  const value = data[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function strings(data: StoredEvent['data'], key: string): string[] {
  const value = data[key];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string' && item !== '') : [];
}

/** `Alice`, or the actor's id when it has no name. */
export function actorName(actor: Actor): string {
  if (actor.name !== undefined && actor.name !== '') return actor.name;
  return actor.kind === 'system' ? 'incidentkit' : actor.id;
}

/** A status label's display title from the incident's labels, else the label itself. */
export function labelTitle(incident: Incident, label: string): string {
  return incident.policy.statusLabels?.labels.find((l) => l.name === label)?.title ?? label;
}

/**
 * The facts line: `Severity SEV1 · Service checkout-api · Status responding`, with the custom
 * status label when there is one (`Status responding (Investigating)`). Never custom fields.
 */
export function factsLine(incident: Incident): string {
  const parts = [`Severity ${incident.severity}`];
  if (incident.service !== undefined) parts.push(`Service ${incident.service}`);
  parts.push(`Status ${incident.status}${incident.statusLabel === undefined ? '' : ` (${labelTitle(incident, incident.statusLabel)})`}`);
  return parts.join(' · ');
}

export function paragraphs(...parts: readonly (string | undefined | false)[]): string {
  return parts.filter((part): part is string => typeof part === 'string' && part !== '').join('\n\n');
}

export function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** The configured minutes of a response target (`acknowledge`, `mitigate`, `resolve`) for the incident's severity. */
export function targetMinutes(incident: Incident, target: string): number | undefined {
  const targets = incident.policy.targets?.[incident.severity] as Readonly<Record<string, unknown>> | undefined;
  const minutes = targets?.[`${target}WithinMinutes`];
  return typeof minutes === 'number' ? minutes : undefined;
}

/** The regulatory clock and report phase an event is about, with readable names that fall back to the ids. */
export function reportOf(incident: Incident, event: StoredEvent) {
  const regime = str(event.data, 'regime');
  const phaseId = str(event.data, 'phase');
  const clock = clockFor(event.data, incident, regime);
  const phase = phaseId === undefined ? undefined : clock?.phases.find((p) => p.phase === phaseId);
  const reference = phase?.reference === undefined || phase.reference === '' ? undefined : phase.reference;
  return {
    clock,
    phase,
    /** `Early warning`, else the ids (`nis2 earlyWarning`) when the clock does not know the phase. */
    report: phase?.title ?? (phaseId === undefined ? undefined : [regime, phaseId].filter((x) => x !== undefined).join(' ')),
    /** `NIS2 significant incident reporting`, else the regime id; left out when `report` already names it by id. */
    regime: phaseId !== undefined && phase === undefined ? undefined : (clock?.title ?? regime),
    /** The report's legal reference, e.g. `NIS2 Art. 23(4)(a)`. */
    reference,
  };
}

/** `Next report due: Incident notification (NIS2 Art. 23(4)(b)) at 2026-03-30 15:00 UTC.`, when a report is pending. */
export function nextDue(clock: ReturnType<typeof reportOf>['clock']): string | undefined {
  const next = clock?.phases.find((p) => p.status === 'pending' && p.dueAt !== undefined && p.dueAt === clock.nextDueAt);
  if (next?.dueAt === undefined) return undefined;
  return `Next report due: ${next.title}${next.reference === '' ? '' : ` (${next.reference})`} at ${formatTime(next.dueAt)}.`;
}

export function openFor(incident: Incident, event: StoredEvent): string | undefined {
  const from = Date.parse(incident.startedAt);
  const to = Date.parse(event.at);
  if (Number.isNaN(from) || Number.isNaN(to) || to < from) return undefined;
  return formatDuration(to - from);
}
