/** Playbooks and tasks on the memory and SQLite stores; definePlaybook's validation and the engine's playbooks option. */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createIncidentEngine } from '../../../src/createIncidentEngine.js';
import { definePlaybook, type PlaybookInput } from '../../../src/features/playbooks/definePlaybook.js';
import { medicationErrorPlaybook, websiteOutagePlaybook } from '../../../src/features/playbooks/shippedPlaybooks.js';
import { isIncidentKitError } from '../../../src/errors.js';
import { memoryStore } from '../../../src/storage/memory.js';
import { sqliteStore } from '../../../src/storage/sqlite.js';
import { thrown } from '../../helpers.js';
import { playbookCases } from './playbooksSuite.js';

describe('playbooks on memoryStore', () => {
  playbookCases(() => memoryStore());
});

describe('playbooks on sqliteStore', () => {
  playbookCases(() => sqliteStore(new Database(':memory:')));
});

describe('definePlaybook', () => {
  const base: PlaybookInput = { id: 'db', tasks: [{ id: 'failover', title: 'Fail over', phase: 'containment' }] };

  it('returns a frozen playbook with defaults filled in', () => {
    const playbook = definePlaybook({ ...base, tasks: [{ id: 'a', title: 'A', phase: 'response', due: { amount: 5, unit: 'minutes' } }] });
    expect(Object.isFrozen(playbook)).toBe(true);
    expect(playbook).toEqual({ id: 'db', appliesTo: {}, tasks: [{ id: 'a', title: 'A', phase: 'response', due: { amount: 5, unit: 'minutes', from: 'declared' } }] });
  });

  it.each([
    ['id', { id: 'has space' }, ['id']],
    ['no tasks', { tasks: [] }, ['tasks']],
    ['repeated task id', { tasks: [{ id: 'a', title: 'A', phase: 'response' }, { id: 'a', title: 'B', phase: 'response' }] }, ['tasks', 1, 'id']],
    ['phase', { tasks: [{ id: 'a', title: 'A', phase: 'lunch' }] }, ['tasks', 0, 'phase']],
    ['requiredFor', { tasks: [{ id: 'a', title: 'A', phase: 'response', requiredFor: 'acknowledge' }] }, ['tasks', 0, 'requiredFor']],
    ['due amount', { tasks: [{ id: 'a', title: 'A', phase: 'response', due: { amount: 0, unit: 'minutes' } }] }, ['tasks', 0, 'due', 'amount']],
    ['due from', { tasks: [{ id: 'a', title: 'A', phase: 'response', due: { amount: 1, unit: 'hours', from: 'closed' } }] }, ['tasks', 0, 'due', 'from']],
    ['assignTo', { tasks: [{ id: 'a', title: 'A', phase: 'response', assignTo: 'commander' }] }, ['tasks', 0, 'assignTo']],
    ['empty filter', { appliesTo: { severities: [] } }, ['appliesTo', 'severities']],
  ])('refuses a bad %s with a ConfigError naming the field', (_name, change, path) => {
    const error = thrown(() => definePlaybook({ ...base, ...change } as never));
    expect(isIncidentKitError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as { details: { issues: { path: unknown[] }[] } }).details.issues.map((issue) => issue.path)).toContainEqual(path);
  });

  it('ships a medication error and a website outage playbook', () => {
    expect(medicationErrorPlaybook.tasks.map((t) => t.id)).toEqual(['patient-assessed', 'prescriber-informed', 'pharmacy-informed', 'disclosure', 'device-sequestered']);
    expect(websiteOutagePlaybook.tasks.map((t) => t.id)).toEqual(['declare', 'page-oncall', 'status-page', 'failover', 'verify', 'customer-update']);
  });

  it('refuses two playbooks with one id in createIncidentEngine', () => {
    const error = thrown(() => createIncidentEngine({ store: memoryStore(), playbooks: [websiteOutagePlaybook, websiteOutagePlaybook] }));
    expect(isIncidentKitError(error, 'CONFIG_INVALID') && error.message).toContain("Two playbooks have the id 'website-outage'");
  });

  it('asks authorize about each task command by its name', async () => {
    const asked: string[] = [];
    const engine = createIncidentEngine({
      store: memoryStore(),
      playbooks: [definePlaybook({ ...websiteOutagePlaybook, appliesTo: {} })],
      authorize: ({ action }) => {
        asked.push(action);
        return action !== 'skipTask';
      },
    });
    const actor = { id: 'u_ana' };
    const incident = await engine.declare({ title: 'Down', severity: 'SEV2', actor });
    await engine.completeTask(incident.id, { taskId: 'website-outage:declare', actor });
    await engine.reassignTask(incident.id, { taskId: 'website-outage:verify', assignee: { kind: 'user', id: 'u_bo' }, actor });
    await engine.addTask(incident.id, { title: 'Extra', phase: 'review', actor });
    expect(isIncidentKitError(await thrown(engine.skipTask(incident.id, { taskId: 'website-outage:verify', reason: 'x', actor })), 'FORBIDDEN')).toBe(true);
    expect(asked).toEqual(['declare', 'completeTask', 'reassignTask', 'addTask', 'skipTask']);
  });
});
