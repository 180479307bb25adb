/** Playbooks and tasks against any store: the cases of playbooks.test.ts (memory, SQLite). */
import { expect, it } from 'vitest';
import { z } from 'zod';
import { createIncidentEngine } from '../../../src/createIncidentEngine.js';
import { defineIncidentType } from '../../../src/features/classification/defineIncidentType.js';
import { definePlaybook } from '../../../src/features/playbooks/definePlaybook.js';
import { medicationErrorPlaybook, websiteOutagePlaybook } from '../../../src/features/playbooks/shippedPlaybooks.js';
import { buildPostmortem } from '../../../src/features/review/buildPostmortem.js';
import { renderPostmortemMarkdown } from '../../../src/features/review/renderPostmortemMarkdown.js';
import { isIncidentKitError } from '../../../src/errors.js';
import { sevScale } from '../../../src/model/severity.js';
import type { IncidentEngineOptions } from '../../../src/incidentEngine.js';
import { replayTimeline } from '../../../src/lifecycle/projection.js';
import type { NotificationMessage } from '../../../src/model/notification.js';
import type { StorageAdapter } from '../../../src/storage/types.js';
import { createManualClock } from '../../../src/testing/manualClock.js';
import { thrown } from '../../helpers.js';

export const T0 = '2026-12-06T09:00:00.000Z';
export const ANA = { id: 'u_ana', name: 'Ana' };
const BO = { id: 'u_bo', name: 'Bo' };
const MINUTE = 60_000;

/** A web outage playbook for untyped incidents of service `web`. */
export const web = definePlaybook({ ...websiteOutagePlaybook, appliesTo: { services: ['web'] } });

/** Only for SEV1: attached when an incident becomes SEV1. */
const majorWeb = definePlaybook({
  id: 'major',
  appliesTo: { services: ['web'], severities: ['SEV1'] },
  tasks: [{ id: 'exec-brief', title: 'Brief the executives', phase: 'communication', requiredFor: 'resolve', assignTo: { kind: 'user', id: 'u_bo' }, due: { amount: 30, unit: 'minutes' } }],
});

const medicationError = defineIncidentType({ name: 'medication_error', title: 'Medication error', severityScale: sevScale, fields: z.object({ drug: z.string() }) });

export function engineOn(store: StorageAdapter, extra: Partial<IncidentEngineOptions> = {}, clock = createManualClock(T0)) {
  const sent: NotificationMessage[] = [];
  const engine = createIncidentEngine({
    store,
    clock,
    types: [medicationError],
    playbooks: [web, majorWeb, medicationErrorPlaybook],
    notifiers: { pager: { name: 'pager', send: (message) => Promise.resolve(void sent.push(message)) } },
    routes: [{ events: ['TASK_OVERDUE'], to: ['pager'], recipients: ['assignee'] }],
    contacts: (userId) => ({ pager: `pager:${userId}` }),
    ...extra,
  });
  return { engine, clock, sent };
}

const ids = (tasks: readonly { readonly id: string }[] | undefined): string[] => (tasks ?? []).map((task) => task.id);

/** The cases, over fresh stores from `makeStore`. */
export function playbookCases(makeStore: () => StorageAdapter | Promise<StorageAdapter>): void {
  it('attaches the tasks of matching playbooks at declare, in one TASKS_ATTACHED event; other incidents get none', async () => {
    const { engine } = engineOn(await makeStore());
    const incident = await engine.declare({ title: 'Homepage 503', severity: 'SEV2', service: 'web', actor: ANA });
    expect(ids(incident.tasks)).toEqual(['website-outage:declare', 'website-outage:page-oncall', 'website-outage:status-page', 'website-outage:failover', 'website-outage:verify', 'website-outage:customer-update']);
    expect(incident.tasks?.[2]).toMatchObject({ title: 'Status page updated', phase: 'communication', status: 'open', playbookId: 'website-outage', assignee: { kind: 'role', role: 'communications' }, dueAt: '2026-12-06T09:15:00.000Z', requiredFor: 'mitigate', evidence: 'link' });
    const timeline = await engine.timeline(incident.id);
    expect(timeline.map((e) => e.type)).toEqual(['DECLARED', 'TASKS_ATTACHED']);
    expect(timeline[1]?.data).toMatchObject({ playbookIds: ['website-outage'] });
    expect(await engine.get(incident.id)).toEqual(incident);
    const other = await engine.declare({ title: 'Billing slow', severity: 'SEV2', service: 'billing', actor: ANA });
    expect(other.tasks).toEqual([]);
  });

  it('adds the tasks a severity change makes match in the same commit, and removes none when it no longer matches', async () => {
    const { engine } = engineOn(await makeStore());
    const incident = await engine.declare({ title: 'Homepage 503', severity: 'SEV2', service: 'web', actor: ANA });
    const raised = await engine.setSeverity(incident.id, { severity: 'SEV1', actor: ANA });
    expect(ids(raised.tasks)).toContain('major:exec-brief');
    expect(raised.version).toBe(incident.version + 2);
    const timeline = await engine.timeline(incident.id);
    expect(timeline.slice(-2).map((e) => [e.type, e.actor.kind])).toEqual([['SEVERITY_CHANGED', 'user'], ['TASKS_ATTACHED', 'system']]);
    const lowered = await engine.setSeverity(incident.id, { severity: 'SEV3', actor: ANA });
    expect(ids(lowered.tasks)).toEqual(ids(raised.tasks));
    const again = await engine.setSeverity(incident.id, { severity: 'SEV1', actor: ANA });
    expect(again.version).toBe(lowered.version + 1);
  });

  it('blocks mitigate, resolve and close while a required task is open, listing the open tasks; done or skipped lets it through', async () => {
    const { engine } = engineOn(await makeStore());
    // SEV3: closes without a review, so only the tasks stand in the way.
    const incident = await engine.declare({ title: 'Homepage 503', severity: 'SEV3', service: 'web', actor: ANA });
    const error = await thrown(engine.mitigate(incident.id, { summary: 'Failed over', actor: ANA }));
    expect(isIncidentKitError(error, 'INVALID_TRANSITION') && error.message).toBe(
      `Incident ${incident.id} is in state 'triage' and cannot mitigate: 2 tasks required before it can mitigate are still open: "Status page updated" (website-outage:status-page), "Failed over (or the bad change rolled back)" (website-outage:failover); complete them with completeTask, or skip them with skipTask and a reason.`,
    );
    await engine.completeTask(incident.id, { taskId: 'website-outage:status-page', evidence: 'https://status.example.com/incidents/1', actor: ANA });
    await engine.skipTask(incident.id, { taskId: 'website-outage:failover', reason: 'Rolled back the deploy instead', actor: ANA });
    await engine.mitigate(incident.id, { summary: 'Rolled back', actor: ANA });
    const blocked = await thrown(engine.resolve(incident.id, { actor: ANA }));
    expect(isIncidentKitError(blocked, 'INVALID_TRANSITION') && blocked.message).toContain('"Recovery verified from outside" (website-outage:verify)');
    await engine.completeTask(incident.id, { taskId: 'website-outage:verify', evidence: 'Synthetic checks green from 3 regions', actor: ANA });
    await engine.resolve(incident.id, { actor: ANA });
    const closing = await thrown(engine.close(incident.id, { actor: ANA }));
    expect(isIncidentKitError(closing, 'INVALID_TRANSITION') && closing.message).toContain('cannot close: a task required before it can close is still open: "Customers told it is resolved" (website-outage:customer-update)');
    await engine.completeTask(incident.id, { taskId: 'website-outage:customer-update', actor: ANA });
    const closed = await engine.close(incident.id, { actor: ANA });
    expect(closed.status).toBe('closed');
    expect(closed.tasks?.filter((t) => t.status === 'open').map((t) => t.id)).toEqual(['website-outage:declare', 'website-outage:page-oncall']);
  });

  it('asks for the evidence a task names, and refuses settled and unknown tasks', async () => {
    const { engine } = engineOn(await makeStore());
    const incident = await engine.declare({ title: 'Homepage 503', severity: 'SEV2', service: 'web', actor: ANA });
    const noLink = await thrown(engine.completeTask(incident.id, { taskId: 'website-outage:status-page', actor: ANA }));
    expect(isIncidentKitError(noLink, 'VALIDATION_FAILED') && noLink.message).toContain('asks for a link as evidence');
    const notLink = await thrown(engine.completeTask(incident.id, { taskId: 'website-outage:status-page', evidence: 'posted it', actor: ANA }));
    expect(isIncidentKitError(notLink, 'VALIDATION_FAILED') && notLink.message).toContain('an absolute http(s) URL');
    const noNote = await thrown(engine.completeTask(incident.id, { taskId: 'website-outage:verify', actor: ANA }));
    expect(isIncidentKitError(noNote, 'VALIDATION_FAILED')).toBe(true);
    const noReason = await thrown(engine.skipTask(incident.id, { taskId: 'website-outage:verify', actor: ANA } as never));
    expect(isIncidentKitError(noReason, 'VALIDATION_FAILED')).toBe(true);
    expect(isIncidentKitError(await thrown(engine.completeTask(incident.id, { taskId: 'nope', actor: ANA })), 'NOT_FOUND')).toBe(true);
    await engine.completeTask(incident.id, { taskId: 'website-outage:declare', actor: ANA });
    const twice = await thrown(engine.skipTask(incident.id, { taskId: 'website-outage:declare', reason: 'x', actor: ANA }));
    expect(isIncidentKitError(twice, 'INVALID_TRANSITION') && twice.message).toContain("its task 'website-outage:declare' is done already");
    expect((await engine.timeline(incident.id)).at(-1)?.type).toBe('TASK_COMPLETED');
  });

  it('adds and reassigns tasks by hand; an added required task blocks like a playbook one', async () => {
    const { engine } = engineOn(await makeStore());
    const incident = await engine.declare({ title: 'Billing slow', severity: 'SEV3', service: 'billing', actor: ANA });
    const added = await engine.addTask(incident.id, { title: 'Capture a heap dump', phase: 'investigation', requiredFor: 'resolve', actor: ANA });
    const task = added.tasks?.[0];
    expect(task).toMatchObject({ title: 'Capture a heap dump', phase: 'investigation', status: 'open', requiredFor: 'resolve' });
    const taskId = task?.id ?? '';
    const reassigned = await engine.reassignTask(incident.id, { taskId, assignee: { kind: 'user', id: 'u_bo' }, actor: ANA });
    expect(reassigned.tasks?.[0]?.assignee).toEqual({ kind: 'user', id: 'u_bo' });
    expect(isIncidentKitError(await thrown(engine.resolve(incident.id, { actor: ANA })), 'INVALID_TRANSITION')).toBe(true);
    await engine.completeTask(incident.id, { taskId, actor: BO });
    const resolved = await engine.resolve(incident.id, { actor: ANA });
    expect(resolved.tasks?.[0]).toMatchObject({ status: 'done', completedBy: 'u_bo' });
    expect((await engine.timeline(incident.id)).map((e) => e.type)).toEqual(['DECLARED', 'TASK_ADDED', 'TASK_REASSIGNED', 'TASK_COMPLETED', 'RESOLVED']);
  });

  it('records an open task overdue at its due time and notifies its assignee (a role: whoever holds it); a task done in time never is', async () => {
    const { engine, clock, sent } = engineOn(await makeStore());
    const incident = await engine.declare({ title: 'Homepage 503', severity: 'SEV1', service: 'web', actor: ANA });
    await engine.assignRole(incident.id, { role: 'communications', assignee: { id: 'u_cy', name: 'Cy' }, actor: ANA });
    await engine.completeTask(incident.id, { taskId: 'website-outage:declare', actor: ANA });
    clock.advance(15 * MINUTE);
    await engine.tick();
    const after = await engine.get(incident.id);
    expect(after.tasks?.filter((t) => t.overdueAt !== undefined).map((t) => t.id)).toEqual(['website-outage:page-oncall', 'website-outage:status-page']);
    clock.advance(15 * MINUTE);
    await engine.tick();
    const overdue = (await engine.timeline(incident.id)).filter((e) => e.type === 'TASK_OVERDUE');
    expect(overdue.map((e) => [e.data.taskId, e.data.assignees])).toEqual([
      ['website-outage:page-oncall', []],
      ['website-outage:status-page', ['u_cy']],
      ['major:exec-brief', ['u_bo']],
    ]);
    await engine.dispatch();
    expect(sent.map((m) => [m.recipient?.userId, m.title])).toEqual([
      ['u_cy', 'Task overdue: Status page updated: Homepage 503'],
      ['u_bo', 'Task overdue: Brief the executives: Homepage 503'],
    ]);
    // A second tick finds nothing more to record.
    clock.advance(60 * MINUTE);
    await engine.tick();
    expect((await engine.timeline(incident.id)).filter((e) => e.type === 'TASK_OVERDUE')).toHaveLength(3);
  });

  it('counts a due time from a milestone once it is reached', async () => {
    const { engine, clock } = engineOn(await makeStore());
    const incident = await engine.declare({ title: 'Homepage 503', severity: 'SEV2', service: 'web', actor: ANA });
    for (const taskId of ['website-outage:status-page', 'website-outage:failover', 'website-outage:verify']) {
      await engine.skipTask(incident.id, { taskId, reason: 'Drill', actor: ANA });
    }
    expect(incident.tasks?.find((t) => t.id === 'website-outage:customer-update')?.dueAt).toBeUndefined();
    clock.advance(10 * MINUTE);
    const resolved = await engine.resolve(incident.id, { actor: ANA });
    expect(resolved.tasks?.find((t) => t.id === 'website-outage:customer-update')?.dueAt).toBe('2026-12-06T10:10:00.000Z');
    clock.advance(60 * MINUTE);
    await engine.tick();
    expect((await engine.timeline(incident.id)).at(-1)).toMatchObject({ type: 'TASK_OVERDUE', data: { taskId: 'website-outage:customer-update' } });
  });

  it('replays to the projection with every task event in the log, and the timeline verifies', async () => {
    const { engine, clock } = engineOn(await makeStore());
    const incident = await engine.declare({ title: 'Tenfold heparin dose', severity: 'SEV2', type: 'medication_error', fields: { drug: 'heparin' }, actor: ANA });
    await engine.assignRole(incident.id, { role: 'commander', assignee: { id: 'u_ana' }, actor: ANA });
    await engine.completeTask(incident.id, { taskId: 'medication-error:patient-assessed', evidence: 'Vitals stable; aPTT ordered', actor: ANA });
    await engine.skipTask(incident.id, { taskId: 'medication-error:device-sequestered', reason: 'No device involved: a manual syringe', actor: ANA });
    await engine.reassignTask(incident.id, { taskId: 'medication-error:pharmacy-informed', assignee: { kind: 'user', id: 'u_bo' }, actor: ANA });
    await engine.addTask(incident.id, { title: 'Incident report filed', phase: 'review', due: { amount: 1, unit: 'days' }, actor: ANA });
    await engine.mitigate(incident.id, { summary: 'Protamine given', actor: ANA });
    clock.advance(2 * 60 * MINUTE);
    await engine.tick();
    const current = await engine.get(incident.id);
    const timeline = await engine.timeline(incident.id);
    expect(timeline.map((e) => e.type)).toEqual(
      expect.arrayContaining(['TASKS_ATTACHED', 'TASK_COMPLETED', 'TASK_SKIPPED', 'TASK_REASSIGNED', 'TASK_ADDED', 'TASK_OVERDUE']),
    );
    expect(replayTimeline(timeline)).toEqual(current);
    expect(await engine.verifyTimeline(incident.id)).toEqual({ ok: true });
  });

  it('shows the tasks with their completion times in the postmortem', async () => {
    const { engine, clock } = engineOn(await makeStore());
    const incident = await engine.declare({ title: 'Tenfold heparin dose', severity: 'SEV2', type: 'medication_error', fields: { drug: 'heparin' }, actor: ANA });
    clock.advance(7 * MINUTE);
    await engine.completeTask(incident.id, { taskId: 'medication-error:patient-assessed', evidence: 'Vitals stable', actor: ANA });
    clock.advance(5 * MINUTE);
    await engine.skipTask(incident.id, { taskId: 'medication-error:device-sequestered', reason: 'No device involved', actor: ANA });
    const review = buildPostmortem(await engine.get(incident.id), await engine.timeline(incident.id));
    expect(review.tasks?.slice(0, 1)).toEqual([
      { id: 'medication-error:patient-assessed', title: 'Patient assessed and stabilised', phase: 'response', status: 'done', dueAt: '2026-12-06T09:15:00.000Z', completedAt: '2026-12-06T09:07:00.000Z', completedBy: 'Ana', evidence: 'Vitals stable', requiredFor: 'mitigate', assignee: 'role commander', settledAfterMs: 7 * MINUTE },
    ]);
    const withTaskEvents = buildPostmortem(await engine.get(incident.id), await engine.timeline(incident.id), { keyEventTypes: ['TASKS_ATTACHED', 'TASK_COMPLETED', 'TASK_SKIPPED'] });
    expect(withTaskEvents.keyTimeline.map((entry) => entry.text)).toEqual([
      '5 tasks attached from playbook medication-error',
      'Task "Patient assessed and stabilised" done by Ana: Vitals stable',
      'Task "Device sequestered (equipment malfunctions)" skipped by Ana: No device involved',
    ]);
    const markdown = renderPostmortemMarkdown(review);
    expect(markdown).toContain('## Tasks');
    expect(markdown).toContain('| Patient assessed and stabilised | response | done: Vitals stable | 2026-12-06 09:15:00 UTC | 2026-12-06 09:07:00 UTC (+7m) | Ana |');
    expect(markdown).toContain('| Device sequestered (equipment malfunctions) | containment | skipped: No device involved | 2026-12-06 10:00:00 UTC | 2026-12-06 09:12:00 UTC (+12m) | Ana |');
  });
}
