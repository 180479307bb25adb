/** Problems against any store: the cases of problems.test.ts (memory, SQLite) and problems.int.test.ts (PostgreSQL). */
import { expect, it } from 'vitest';
import { createIncidentEngine } from '../../../src/createIncidentEngine.js';
import type { IncidentEngineOptions } from '../../../src/incidentEngine.js';
import { buildPostmortem } from '../../../src/features/review/buildPostmortem.js';
import { renderPostmortemMarkdown } from '../../../src/features/review/renderPostmortemMarkdown.js';
import { replayTimeline } from '../../../src/lifecycle/projection.js';
import type { NotificationMessage, Notifier } from '../../../src/model/notification.js';
import type { StorageAdapter } from '../../../src/storage/types.js';
import { createManualClock } from '../../../src/testing/manualClock.js';

export const T0 = '2026-12-07T09:00:00.000Z';
export const ADA = { id: 'u_ada', name: 'Ada' };

export function engineOn(store: StorageAdapter, extra: Partial<IncidentEngineOptions> = {}, clock = createManualClock(T0)) {
  const engine = createIncidentEngine({ store, clock, ...extra });
  return { engine, clock };
}

/** A notifier that keeps what it is sent. */
export function capturing(): { readonly notifier: Notifier; readonly sent: NotificationMessage[] } {
  const sent: NotificationMessage[] = [];
  return { notifier: { name: 'chat', send: (message) => Promise.resolve(void sent.push(message)) }, sent };
}

/** The cases, over fresh stores from `makeStore`. */
export function problemCases(makeStore: () => StorageAdapter | Promise<StorageAdapter>): void {
  it('takes a problem through its lifecycle, one version per command, with its history', async () => {
    const { engine, clock } = engineOn(await makeStore());
    const first = await engine.declare({ title: 'Checkout 502s', severity: 'SEV2', service: 'checkout', actor: ADA });
    const second = await engine.declare({ title: 'Checkout 503s', severity: 'SEV2', service: 'checkout', actor: ADA });
    const opened = await engine.problems.open({ title: 'Connection pool exhaustion', incidents: [first.id], actor: ADA });
    expect(opened).toMatchObject({ version: 1, change: { type: 'OPEN', incidents: [first.id] }, problem: { title: 'Connection pool exhaustion', status: 'investigating', openedAt: T0, incidents: [{ incidentId: first.id, linkedAt: T0 }] } });
    const id = opened.problem.id;
    expect(id).toMatch(/^prb_/);

    clock.advance(60_000);
    await engine.problems.link(id, { incidentId: second.id, actor: ADA });
    const withItem = await engine.addActionItem(second.id, { title: 'Add a pool timeout', dueAt: '2026-12-20T00:00:00.000Z', actor: ADA });
    await engine.problems.linkActionItem(id, { incidentId: second.id, actionItemId: withItem.actionItems[0]?.id ?? '', actor: ADA });
    await engine.problems.recordRootCause(id, { rootCause: 'Connections leak on client timeouts', actor: ADA });
    await engine.problems.recordWorkaround(id, { workaround: 'Restart the checkout pods', actor: ADA });
    clock.advance(60_000);
    const known = await engine.problems.markKnownError(id, { actor: ADA });
    expect(known.problem).toMatchObject({ status: 'knownError', knownErrorAt: '2026-12-07T09:02:00.000Z', workaround: 'Restart the checkout pods', rootCause: 'Connections leak on client timeouts' });
    await engine.problems.resolve(id, { actor: ADA });
    const closed = await engine.problems.close(id, { actor: ADA });
    expect(closed).toMatchObject({ version: 8, change: { type: 'CLOSE' }, problem: { status: 'closed', closedAt: '2026-12-07T09:02:00.000Z' } });

    expect(await engine.problems.get(id)).toEqual(closed);
    const history = await engine.problems.history(id);
    expect(history.map((v) => v.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(history.map((v) => v.change.type)).toEqual(['OPEN', 'LINK_INCIDENT', 'LINK_ACTION_ITEM', 'RECORD_ROOT_CAUSE', 'RECORD_WORKAROUND', 'MARK_KNOWN_ERROR', 'RESOLVE', 'CLOSE']);
    expect(history[1]?.problem.status).toBe('investigating');
    expect(history[1]?.change.actor).toEqual({ kind: 'user', ...ADA });
  });

  it('lists problems by status and by linked incident', async () => {
    const { engine } = engineOn(await makeStore());
    const incident = await engine.declare({ title: 'Search is slow', severity: 'SEV3', actor: ADA });
    const a = await engine.problems.open({ title: 'Index bloat', incidents: [incident.id], actor: ADA });
    const b = await engine.problems.open({ title: 'Cold caches', actor: ADA });
    await engine.problems.resolve(b.problem.id, { actor: ADA });
    expect((await engine.problems.list()).map((p) => p.problem.id).sort()).toEqual([a.problem.id, b.problem.id].sort());
    expect((await engine.problems.list({ status: 'resolved' })).map((p) => p.problem.id)).toEqual([b.problem.id]);
    expect((await engine.problems.list({ status: ['investigating', 'knownError'] })).map((p) => p.problem.id)).toEqual([a.problem.id]);
    expect((await engine.problems.list({ incidentId: incident.id })).map((p) => p.problem.id)).toEqual([a.problem.id]);
  });

  it('refuses bad commands with typed errors and writes nothing', async () => {
    const { engine } = engineOn(await makeStore());
    const incident = await engine.declare({ title: 'Login fails', severity: 'SEV2', actor: ADA });
    const { problem } = await engine.problems.open({ title: 'Token expiry', incidents: [incident.id], actor: ADA });
    await expect(engine.problems.markKnownError(problem.id, { actor: ADA })).rejects.toMatchObject({
      code: 'INVALID_TRANSITION',
      message: `Problem ${problem.id} is in state 'investigating' and cannot markKnownError: a known error needs a workaround: call problems.recordWorkaround first.`,
    });
    await expect(engine.problems.close(problem.id, { actor: ADA })).rejects.toMatchObject({ code: 'INVALID_TRANSITION', details: { entity: 'problem', state: 'investigating', command: 'close' } });
    await expect(engine.problems.link(problem.id, { incidentId: incident.id, actor: ADA })).rejects.toMatchObject({ code: 'INVALID_TRANSITION', details: { reason: `incident ${incident.id} is linked already.` } });
    await expect(engine.problems.link(problem.id, { incidentId: 'inc_nope', actor: ADA })).rejects.toMatchObject({ code: 'NOT_FOUND', details: { entity: 'incident', id: 'inc_nope' } });
    await expect(engine.problems.linkActionItem(problem.id, { incidentId: incident.id, actionItemId: 'act_nope', actor: ADA })).rejects.toMatchObject({ code: 'NOT_FOUND', details: { entity: 'action item' } });
    await expect(engine.problems.open({ title: 'x', incidents: ['inc_nope'], actor: ADA })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(engine.problems.open({ title: '  ', actor: ADA })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(engine.problems.get('prb_nope')).rejects.toMatchObject({ code: 'NOT_FOUND', details: { entity: 'problem' } });
    await expect(engine.problems.resolve('prb_nope', { actor: ADA })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await engine.problems.history(problem.id)).toHaveLength(1);
    expect(await engine.problems.list()).toHaveLength(1);
  });

  it('keeps problems per tenant', async () => {
    const store = await makeStore();
    const { engine: a } = engineOn(store, { tenantId: 'acme' });
    const { engine: b } = engineOn(store, { tenantId: 'globex' });
    const { problem } = await a.problems.open({ title: 'Disk fills up', actor: ADA });
    expect(await b.problems.list()).toEqual([]);
    await expect(b.problems.get(problem.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(b.problems.resolve(problem.id, { actor: ADA })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('shows a new incident similar to a known error its workaround at once, on its timeline and in a notification', async () => {
    const chat = capturing();
    const { engine } = engineOn(await makeStore(), { notifiers: { chat: chat.notifier } });
    const past = await engine.declare({ title: 'Checkout API timeouts', severity: 'SEV2', service: 'checkout', actor: ADA });
    const { problem } = await engine.problems.open({ title: 'Pool exhaustion', incidents: [past.id], actor: ADA });
    await engine.problems.recordWorkaround(problem.id, { workaround: 'Restart the checkout pods', actor: ADA });
    // Not yet a known error: nothing is shown.
    const early = await engine.declare({ title: 'Timeouts on the checkout API', severity: 'SEV2', service: 'checkout', actor: ADA });
    expect(early.knownError).toBeUndefined();
    await engine.problems.markKnownError(problem.id, { actor: ADA });

    const recurrence = await engine.declare({ title: 'checkout api timeout', severity: 'SEV2', service: 'checkout', actor: ADA });
    expect(recurrence.knownError).toMatchObject({ problemId: problem.id, title: 'Pool exhaustion', workaround: 'Restart the checkout pods', incidentId: past.id, matchedAt: T0 });
    expect(recurrence.knownError?.score).toBeGreaterThan(0.6);
    const timeline = await engine.timeline(recurrence.id);
    expect(timeline.map((e) => e.type)).toEqual(['DECLARED', 'KNOWN_ERROR_MATCHED']);
    expect(timeline[1]).toMatchObject({ actor: { kind: 'system' }, data: { problemId: problem.id, workaround: 'Restart the checkout pods' } });
    expect(replayTimeline(timeline)).toEqual(await engine.get(recurrence.id));
    expect(await engine.verifyTimeline(recurrence.id)).toMatchObject({ ok: true });

    const unrelated = await engine.declare({ title: 'Login page slow', severity: 'SEV3', service: 'auth', actor: ADA });
    expect(unrelated.knownError).toBeUndefined();

    await engine.dispatch();
    const notice = chat.sent.find((m) => m.event.type === 'KNOWN_ERROR_MATCHED');
    expect(notice).toMatchObject({ incident: { id: recurrence.id }, title: 'Known error: checkout api timeout' });
    expect(notice?.text).toContain('Workaround: Restart the checkout pods');
  });

  it('proposes a problem when an incident recurs, once, and not for incidents a problem covers', async () => {
    const chat = capturing();
    const { engine, clock } = engineOn(await makeStore(), { notifiers: { chat: chat.notifier }, problems: { recurrence: { threshold: 3, windowDays: 7 } } });
    const declare = async (title: string, service = 'payments') => {
      clock.advance(3_600_000);
      return engine.declare({ title, severity: 'SEV2', service, actor: ADA });
    };
    const one = await declare('Payments queue backlog');
    const two = await declare('Payments queue backlog growing');
    expect(two.problemProposal).toBeUndefined();
    await declare('Email bounces', 'email');
    const three = await declare('payments queue backlog');
    // Most similar first: the same title, then a longer one.
    expect(three.problemProposal).toEqual({ similar: [one.id, two.id], windowDays: 7, proposedAt: clock.now().toISOString() });
    const timeline = await engine.timeline(three.id);
    expect(timeline.map((e) => e.type)).toEqual(['DECLARED', 'PROBLEM_PROPOSED']);
    expect(replayTimeline(timeline)).toEqual(await engine.get(three.id));

    // The recurrence was proposed already: the next one is not proposed again.
    const four = await declare('Payments queue backlog again');
    expect(four.problemProposal).toBeUndefined();

    await engine.dispatch();
    expect(chat.sent.filter((m) => m.event.type === 'PROBLEM_PROPOSED').map((m) => m.incident.id)).toEqual([three.id]);
  });

  it('does not propose a problem for a recurrence a problem already covers, nor beyond the window', async () => {
    const { engine, clock } = engineOn(await makeStore(), { problems: { recurrence: { threshold: 2, windowDays: 1 } } });
    const old = await engine.declare({ title: 'Cache stampede', severity: 'SEV3', service: 'cdn', actor: ADA });
    clock.advance(2 * 86_400_000);
    const fresh = await engine.declare({ title: 'Cache stampede', severity: 'SEV3', service: 'cdn', actor: ADA });
    expect(fresh.problemProposal).toBeUndefined(); // the old one is outside the window
    await engine.problems.open({ title: 'Stampedes', incidents: [fresh.id, old.id], actor: ADA });
    clock.advance(60_000);
    const again = await engine.declare({ title: 'Cache stampede', severity: 'SEV3', service: 'cdn', actor: ADA });
    expect(again.problemProposal).toBeUndefined();
  });
}

/** The postmortem shows linked problems and a matched known error (memory store: pure data). */
export function postmortemCases(makeStore: () => StorageAdapter | Promise<StorageAdapter>): void {
  it('shows the problems behind an incident in the review, structured and in Markdown', async () => {
    const { engine } = engineOn(await makeStore());
    const past = await engine.declare({ title: 'Checkout API timeouts', severity: 'SEV2', service: 'checkout', actor: ADA });
    const { problem } = await engine.problems.open({ title: 'Pool exhaustion', incidents: [past.id], actor: ADA });
    await engine.problems.recordWorkaround(problem.id, { workaround: 'Restart the checkout pods', actor: ADA });
    await engine.problems.recordRootCause(problem.id, { rootCause: 'Leaked connections', actor: ADA });
    await engine.problems.markKnownError(problem.id, { actor: ADA });
    const again = await engine.declare({ title: 'Checkout API timeouts', severity: 'SEV2', service: 'checkout', actor: ADA });

    // Not linked yet: the review shows the known error it matched.
    const matched = buildPostmortem(again, await engine.timeline(again.id));
    expect(matched.problems).toEqual([{ id: problem.id, title: 'Pool exhaustion', workaround: 'Restart the checkout pods', relation: 'knownErrorMatch' }]);

    await engine.problems.link(problem.id, { incidentId: again.id, actor: ADA });
    const linked = (await engine.problems.list({ incidentId: again.id })).map((s) => s.problem);
    const review = buildPostmortem(again, await engine.timeline(again.id), { problems: linked });
    expect(review.problems).toEqual([{ id: problem.id, title: 'Pool exhaustion', status: 'knownError', workaround: 'Restart the checkout pods', rootCause: 'Leaked connections', relation: 'linked' }]);
    const markdown = renderPostmortemMarkdown(review);
    expect(markdown).toContain(`## Linked problems\n\n- ${problem.id.replaceAll('_', '\\_')}: Pool exhaustion (knownError). Root cause: Leaked connections. Workaround: Restart the checkout pods\n`);
    expect(review.keyTimeline.map((e) => e.text)).toContain(`Resembles known error ${problem.id} "Pool exhaustion" (like ${past.id}); workaround: Restart the checkout pods`);
    expect(renderPostmortemMarkdown(buildPostmortem(past))).not.toContain('Linked problems');
  });
}
