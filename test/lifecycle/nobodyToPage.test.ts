/**
 * `NOBODY_TO_PAGE` (stored as `NOBODY_PAGED`): what the engine records right after an escalation
 * that reached nobody with no level left. The machine accepts it only right after such an
 * escalation, so a replayed timeline cannot claim it anywhere else.
 */
import { describe, expect, it } from 'vitest';
import { followingEvents, STORED_TYPE_OF, type LifecycleEvent } from '../../src/lifecycle/events.js';
import { startMachine, stepMachine, statusOf, type IncidentSnapshot } from '../../src/lifecycle/projection.js';

const SYSTEM = { kind: 'system', id: 'incidentkit' } as const;
const AT = '2026-03-09T09:00:00.000Z';
const ROLE = { kind: 'role', role: 'commander' } as const;

function declared(): IncidentSnapshot {
  const [snapshot] = startMachine({
    id: 'inc_1',
    tenantId: 'default',
    at: '2026-03-09T08:55:00.000Z',
    actor: { kind: 'user', id: 'u_ana' },
    title: 'Pharmacy fridge alarm',
    severity: 'SEV2',
    policy: { reviewRequiredFor: [], escalation: { levels: [{ afterMinutes: 5, targets: [ROLE] }] } },
  });
  return snapshot;
}

const escalate = (extra: Partial<Extract<LifecycleEvent, { type: 'ESCALATE' }>> = {}): Extract<LifecycleEvent, { type: 'ESCALATE' }> => ({
  type: 'ESCALATE',
  trigger: 'timer',
  step: 1,
  level: 1,
  cycle: 0,
  targets: [ROLE],
  paged: [],
  resolved: [{ target: ROLE, userIds: [] }],
  nobody: true,
  exhausted: true,
  at: AT,
  actor: SYSTEM,
  ...extra,
});

/** An escalation that paged `ana`. */
function pagedAna(): LifecycleEvent {
  const { nobody: _nobody, exhausted: _exhausted, ...reached } = escalate({ paged: ['ana'], resolved: [{ target: ROLE, userIds: ['ana'] }] });
  return reached;
}

describe('NOBODY_TO_PAGE', () => {
  it('follows an escalation that reached nobody with no level left, and is stored as NOBODY_PAGED', () => {
    const last = escalate();
    expect(followingEvents(last)).toEqual([
      { type: 'NOBODY_TO_PAGE', at: AT, actor: SYSTEM, step: 1, level: 1, cycle: 0, targets: [ROLE] },
    ]);
    expect(STORED_TYPE_OF.NOBODY_TO_PAGE).toBe('NOBODY_PAGED');
    // A gap with a level after it, or a level that paged someone, is followed by nothing.
    const { exhausted: _exhausted, ...skipped } = last;
    expect(followingEvents(skipped)).toEqual([]);
    expect(followingEvents(pagedAna())).toEqual([]);
  });

  it('is accepted only right after the escalation that paged nobody', () => {
    const [after] = stepMachine(declared(), escalate());
    const nobody = followingEvents(escalate())[0] as Extract<LifecycleEvent, { type: 'NOBODY_TO_PAGE' }>;
    const [recorded] = stepMachine(after, nobody);
    expect(recorded).not.toBe(after);
    expect(statusOf(recorded)).toBe('triage');
    expect(recorded.context.updatedAt).toBe(AT);

    // Before any escalation, for another step, or after a level that paged someone: refused.
    expect(declared().can(nobody)).toBe(false);
    expect(after.can({ ...nobody, step: 2 })).toBe(false);
    const [paged] = stepMachine(declared(), pagedAna());
    expect(paged.can(nobody)).toBe(false);
    // Only while nobody has taken the incident.
    const [acked] = stepMachine(after, { type: 'ACKNOWLEDGE', at: AT, actor: { kind: 'user', id: 'u_ana' } });
    expect(acked.can(nobody)).toBe(false);
  });
});
