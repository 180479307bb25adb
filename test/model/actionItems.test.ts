import { describe, expect, it } from 'vitest';
import { createIncidentEngine } from '../../src/createIncidentEngine.js';
import { isIncidentKitError } from '../../src/errors.js';
import {
  actionItemPolicyViolation,
  countActionItems,
  isActionItemOverdue,
  meetsStrength,
  overdueActionItems,
} from '../../src/model/actionItems.js';
import { memoryStore } from '../../src/storage/memory.js';
import { createManualClock } from '../../src/testing/manualClock.js';
import { sequentialIds } from '../../src/testing/sequentialIds.js';
import { thrown } from '../helpers.js';

const actor = { id: 'u_alice', name: 'Alice' } as const;

async function incidentWithItems() {
  const engine = createIncidentEngine({ store: memoryStore(), clock: createManualClock('2026-01-01T00:00:00Z'), ids: sequentialIds() });
  const { id } = await engine.declare({ title: 'Payment timeouts', severity: 'SEV2', actor });
  await engine.addActionItem(id, { title: 'Later one', dueAt: '2026-02-01T00:00:00Z', strength: 'weaker', actor });
  await engine.addActionItem(id, { title: 'Sooner one', dueAt: '2026-01-10T00:00:00Z', strength: 'weaker', actor });
  await engine.addActionItem(id, { title: 'No due date', actor });
  const done = await engine.addActionItem(id, { title: 'Finished', dueAt: '2026-01-05T00:00:00Z', actor });
  const finished = done.actionItems.find((a) => a.title === 'Finished')!;
  return engine.updateActionItem(id, { actionItemId: finished.id, status: 'done', actor });
}

describe('overdue action items', () => {
  it('lists open items past due, soonest first, and never done ones or ones without a due date', async () => {
    const incident = await incidentWithItems();
    expect(overdueActionItems(incident, '2026-01-20T00:00:00Z').map((a) => a.title)).toEqual(['Sooner one']);
    expect(overdueActionItems(incident, new Date('2026-03-01T00:00:00Z')).map((a) => a.title)).toEqual(['Sooner one', 'Later one']);
    expect(overdueActionItems(incident, Date.parse('2026-01-01T00:00:00Z'))).toEqual([]);
  });

  it('is not overdue at the exact due time', () => {
    expect(isActionItemOverdue({ status: 'in_progress', dueAt: '2026-01-10T00:00:00.000Z' }, '2026-01-10T00:00:00Z')).toBe(false);
    expect(isActionItemOverdue({ status: 'in_progress', dueAt: '2026-01-10T00:00:00.000Z' }, '2026-01-10T00:00:00.001Z')).toBe(true);
    expect(isActionItemOverdue({ status: 'wont_do', dueAt: '2026-01-10T00:00:00.000Z' }, '2027-01-01T00:00:00Z')).toBe(false);
  });

  it('refuses an invalid now with a ValidationError', () => {
    const caught = thrown(() => overdueActionItems({ actionItems: [] }, 'soon'));
    expect(isIncidentKitError(caught, 'VALIDATION_FAILED')).toBe(true);
  });

  it('counts items by status with completion and overdue', async () => {
    const incident = await incidentWithItems();
    expect(countActionItems(incident.actionItems, '2026-03-01T00:00:00Z')).toEqual({
      total: 4,
      open: 3,
      inProgress: 0,
      done: 1,
      wontDo: 0,
      completion: 0.25,
      overdue: 2,
    });
    expect(countActionItems([]).completion).toBeNull();
  });
});

describe('action item policy', () => {
  it('blocks SEV1 and SEV2 without an action item that is not weaker', async () => {
    const incident = await incidentWithItems();
    const reason = actionItemPolicyViolation(incident);
    expect(reason).toBe(
      "SEV2 incidents need at least one action item rated intermediate or stronger (not marked wont_do) before they can close, and none of its 4 action items qualifies; add one with addActionItem({ strength: 'stronger' or 'intermediate', … }).",
    );
    expect(actionItemPolicyViolation({ severity: 'SEV1', actionItems: [] })).toContain('and it has none');
  });

  it('passes with an intermediate or stronger item, and ignores other severities', () => {
    expect(actionItemPolicyViolation({ severity: 'SEV1', actionItems: [{ status: 'open', strength: 'intermediate' }] })).toBeUndefined();
    expect(actionItemPolicyViolation({ severity: 'SEV2', actionItems: [{ status: 'done', strength: 'stronger' }] })).toBeUndefined();
    expect(actionItemPolicyViolation({ severity: 'SEV3', actionItems: [] })).toBeUndefined();
  });

  it('does not count items marked wont_do, nor unrated items unless allowed', () => {
    expect(actionItemPolicyViolation({ severity: 'SEV1', actionItems: [{ status: 'wont_do', strength: 'stronger' }] })).toBeDefined();
    expect(actionItemPolicyViolation({ severity: 'SEV1', actionItems: [{ status: 'open' }] })).toBeDefined();
    expect(actionItemPolicyViolation({ severity: 'SEV1', actionItems: [{ status: 'open' }] }, { unratedQualifies: true })).toBeUndefined();
  });

  it('is configurable: severities, minimum strength and kinds', () => {
    const items = [{ status: 'open', strength: 'intermediate', kind: 'detect' }] as const;
    expect(actionItemPolicyViolation({ severity: 'P1', actionItems: [] }, { requiredFor: ['P1'] })).toMatch(/^P1 incidents need/);
    expect(actionItemPolicyViolation({ severity: 'SEV1', actionItems: items }, { minimumStrength: 'stronger' })).toContain('rated stronger');
    expect(actionItemPolicyViolation({ severity: 'SEV1', actionItems: items }, { kinds: ['prevent'] })).toContain('of kind prevent');
    expect(actionItemPolicyViolation({ severity: 'SEV1', actionItems: items }, { kinds: ['prevent', 'detect'] })).toBeUndefined();
  });

  it('refuses a malformed policy with a ConfigError', () => {
    const caught = thrown(() => actionItemPolicyViolation({ severity: 'SEV1', actionItems: [] }, { minimumStrength: 'strongest' } as never));
    expect(isIncidentKitError(caught, 'CONFIG_INVALID')).toBe(true);
    expect((caught as Error).message).toContain('minimumStrength');
  });

  it('orders strengths after the RCA² hierarchy', () => {
    expect(meetsStrength('stronger', 'intermediate')).toBe(true);
    expect(meetsStrength('intermediate', 'intermediate')).toBe(true);
    expect(meetsStrength('weaker', 'intermediate')).toBe(false);
    expect(meetsStrength('weaker', 'weaker')).toBe(true);
  });
});
