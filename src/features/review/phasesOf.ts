import { timeValueMs } from '../../kernel/toEpochMs.js';
import type { Incident } from '../../model/incident.js';
import type { PhaseName, PhaseSegment, PostmortemMilestone } from './types.js';

const iso = (ms: number): string => new Date(ms).toISOString();

/** How and when the impact ended: the first mitigation, resolution or cancellation of the last cycle. */
export type ImpactEnd = { readonly ms: number; readonly by: 'mitigated' | 'resolved' | 'canceled' };

/** Walks the lifecycle events in order and cuts the incident's life into phase segments and milestones. */
export function phasesOf(
  events: readonly { readonly type: string; readonly ms: number }[],
  startedMs: number,
  endMs: number,
): { phases: PhaseSegment[]; milestones: PostmortemMilestone[]; impactEnd?: ImpactEnd } {
  const phases: PhaseSegment[] = [];
  const milestones: PostmortemMilestone[] = [{ name: 'started', at: iso(startedMs) }];
  // One mutable record, so the helpers below and the loop share what is open right now.
  const open: {
    phase?: { readonly name: Exclude<PhaseName, 'impact'>; readonly start: number };
    impactStart?: number;
    impactEnd?: ImpactEnd;
  } = { impactStart: startedMs };
  const push = (phase: PhaseName, start: number, end: number, ongoing: boolean): void => {
    const e = Math.max(start, end);
    phases.push({ phase, start: iso(start), end: iso(e), durationMs: e - start, ongoing });
  };
  const enter = (ms: number, name?: Exclude<PhaseName, 'impact'>): void => {
    if (open.phase !== undefined) push(open.phase.name, open.phase.start, ms, false);
    if (name === undefined) delete open.phase;
    else open.phase = { name, start: ms };
  };
  const contain = (ms: number, by: ImpactEnd['by']): void => {
    if (open.impactStart === undefined) return;
    push('impact', open.impactStart, ms, false);
    open.impactEnd = { ms, by };
    delete open.impactStart;
  };
  const mark = (name: PostmortemMilestone['name'], ms: number): void => {
    milestones.push({ name, at: iso(ms) });
  };
  for (const { type, ms } of events) {
    switch (type) {
      case 'DECLARED':
        mark('detected', ms);
        enter(ms, 'triage');
        break;
      case 'ACKNOWLEDGED':
        mark('acknowledged', ms);
        enter(ms, 'responding');
        break;
      case 'MITIGATED':
        mark('mitigated', ms);
        enter(ms, 'mitigated');
        contain(ms, 'mitigated');
        break;
      case 'ROOT_CAUSE_RECORDED':
        if (!milestones.some((m) => m.name === 'diagnosed')) mark('diagnosed', ms);
        break;
      case 'RESOLVED':
        mark('resolved', ms);
        enter(ms);
        contain(ms, 'resolved');
        break;
      case 'REOPENED':
        // The fix or workaround failed: impact is back and people respond again.
        mark('reopened', ms);
        enter(ms, 'responding');
        open.impactStart = ms;
        delete open.impactEnd;
        break;
      case 'CANCELED':
        mark('canceled', ms);
        enter(ms);
        contain(ms, 'canceled');
        break;
      case 'CLOSED':
        mark('closed', ms);
        enter(ms);
        break;
      default:
        break;
    }
  }
  if (open.impactStart !== undefined) push('impact', open.impactStart, endMs, true);
  if (open.phase !== undefined) push(open.phase.name, open.phase.start, endMs, true);
  const order: readonly PhaseName[] = ['impact', 'triage', 'responding', 'mitigated'];
  phases.sort((a, b) => order.indexOf(a.phase) - order.indexOf(b.phase) || a.start.localeCompare(b.start));
  milestones.sort((a, b) => a.at.localeCompare(b.at));
  return open.impactEnd === undefined ? { phases, milestones } : { phases, milestones, impactEnd: open.impactEnd };
}

/** Lifecycle events rebuilt from the projection's milestones, for reviews built without a timeline. */
export function eventsFromMilestones(incident: Incident): { type: string; ms: number }[] {
  const pairs: [string, string | undefined][] = [
    ['DECLARED', incident.detectedAt],
    ['ACKNOWLEDGED', incident.acknowledgedAt],
    ['MITIGATED', incident.mitigatedAt],
    ['ROOT_CAUSE_RECORDED', incident.diagnosedAt],
    ['RESOLVED', incident.resolvedAt],
    ['CANCELED', incident.canceledAt],
    ['CLOSED', incident.closedAt],
  ];
  return pairs
    .filter((pair): pair is [string, string] => pair[1] !== undefined)
    .map(([type, at]) => ({ type, ms: timeValueMs(at) }))
    .sort((a, b) => a.ms - b.ms);
}
