/**
 * The engine's observable behaviour on the memory store: milestones, reopen, the review policy,
 * cancel and merge, action items, reads and paging, tenant scoping, dedup keys, subscribers,
 * tamper detection, and time that never runs backwards.
 */
import { describe, expect, it, vi } from 'vitest';
import { hashEvent } from '../../src/lifecycle/eventChain.js';
import type { IncidentEventPayload } from '../../src/engine/emitter.js';
import {
  DuplicateIncidentError,
  InvalidTransitionError,
  NotFoundError,
  ValidationError,
  isIncidentKitError,
} from '../../src/errors.js';
import type { StoredEvent } from '../../src/model/event.js';
import { memoryStore } from '../../src/storage/memory.js';
import { createManualClock } from '../../src/testing/manualClock.js';
import { sequentialIds } from '../../src/testing/sequentialIds.js';
import {
  ALICE,
  ALICE_STORED,
  T0,
  declareIncident,
  expectChronologicalMilestones,
  expectWellFormedTimeline,
  makeEngine,
  storedState,
  thrown,
  wrapStore,
} from '../helpers.js';

const MINUTE = 60_000;

describe('milestones', () => {
  it('declare sets detectedAt to now, startedAt defaults to it, and the incident starts in triage', async () => {
    const { engine, clock } = makeEngine();
    clock.set('2026-03-04T05:06:07.089Z');
    const incident = await declareIncident(engine, { severity: 'SEV2', summary: 'Checkout returns 502.' });
    expect(incident).toMatchObject({
      id: 'inc_1',
      tenantId: 'default',
      title: 'Checkout is down',
      status: 'triage',
      severity: 'SEV2',
      service: 'checkout',
      summary: 'Checkout returns 502.',
      version: 1,
      detectedAt: '2026-03-04T05:06:07.089Z',
      startedAt: '2026-03-04T05:06:07.089Z',
      updatedAt: '2026-03-04T05:06:07.089Z',
      createdBy: ALICE_STORED,
      roles: {},
      actionItems: [],
      labels: {},
      fields: {},
      reopenCount: 0,
    });
    for (const milestone of ['acknowledgedAt', 'mitigatedAt', 'diagnosedAt', 'resolvedAt', 'reviewStartedAt', 'closedAt', 'canceledAt'] as const) {
      expect(incident[milestone], milestone).toBeUndefined();
    }
    expect(await engine.get(incident.id)).toEqual(incident);
  });

  it('declare keeps an earlier startedAt, normalised to UTC, whether given as a Date or an ISO string with an offset', async () => {
    const { engine, clock } = makeEngine();
    clock.set('2026-01-01T12:00:00.000Z');
    const fromOffset = await declareIncident(engine, { startedAt: '2026-01-01T13:30:00+02:00' });
    expect(fromOffset.startedAt).toBe('2026-01-01T11:30:00.000Z');
    expect(fromOffset.detectedAt).toBe('2026-01-01T12:00:00.000Z');
    const fromDate = await declareIncident(engine, { startedAt: new Date('2026-01-01T11:00:00Z') });
    expect(fromDate.startedAt).toBe('2026-01-01T11:00:00.000Z');
  });

  it('every command sets its milestone to the time it ran; diagnosedAt only the first time', async () => {
    const { engine, clock } = makeEngine();
    const { id } = await declareIncident(engine, { severity: 'SEV1' });
    const at = (): string => clock.advance(MINUTE).toISOString();

    const ackAt = at();
    expect((await engine.acknowledge(id, { actor: ALICE })).acknowledgedAt).toBe(ackAt);
    const mitigatedAt = at();
    const mitigated = await engine.mitigate(id, { summary: 'Failed over.', actor: ALICE });
    expect(mitigated).toMatchObject({ status: 'mitigated', mitigatedAt, mitigation: { summary: 'Failed over.' } });

    const diagnosedAt = at();
    const diagnosed = await engine.recordRootCause(id, { summary: 'Bad config push.', actor: ALICE });
    expect(diagnosed.diagnosedAt).toBe(diagnosedAt);
    expect(diagnosed.rootCause).toEqual({ summary: 'Bad config push.', contributingFactors: [], recordedAt: diagnosedAt, recordedBy: ALICE_STORED });
    const revisedAt = at();
    const revised = await engine.recordRootCause(id, {
      summary: 'Config push without canary.',
      contributingFactors: ['no canary', 'no alert'],
      actor: { id: 'u_bob' },
    });
    expect(revised.diagnosedAt).toBe(diagnosedAt);
    expect(revised.rootCause).toEqual({
      summary: 'Config push without canary.',
      contributingFactors: ['no canary', 'no alert'],
      recordedAt: revisedAt,
      recordedBy: { kind: 'user', id: 'u_bob' },
    });

    const resolvedAt = at();
    expect(await engine.resolve(id, { summary: 'Rolled back.', actor: ALICE })).toMatchObject({
      status: 'resolved',
      resolvedAt,
      resolution: { summary: 'Rolled back.' },
    });
    const reviewStartedAt = at();
    expect(await engine.startReview(id, { owner: 'u_carol', actor: ALICE })).toMatchObject({
      status: 'postIncident',
      reviewStartedAt,
      review: { owner: 'u_carol', startedAt: reviewStartedAt },
    });
    const completedAt = at();
    const reviewed = await engine.completeReview(id, { summary: 'Add canaries.', actor: ALICE });
    expect(reviewed.status).toBe('postIncident');
    expect(reviewed.review).toEqual({ owner: 'u_carol', startedAt: reviewStartedAt, completedAt, summary: 'Add canaries.' });
    const closedAt = at();
    const closed = await engine.close(id, { actor: ALICE });
    expect(closed).toMatchObject({ status: 'closed', closedAt, updatedAt: closedAt, version: 9 });
    expect(closed.canceledAt).toBeUndefined();
    expectChronologicalMilestones(closed);
    expectWellFormedTimeline(await engine.timeline(id), closed);
  });

  it('cancel sets canceledAt and the reason', async () => {
    const { engine, clock } = makeEngine();
    const { id } = await declareIncident(engine);
    const canceledAt = clock.advance(MINUTE).toISOString();
    const canceled = await engine.cancel(id, { reason: 'false_positive', actor: ALICE });
    expect(canceled).toMatchObject({ status: 'canceled', canceledAt, cancellation: { reason: 'false_positive' } });
    expect(canceled.cancellation?.mergedInto).toBeUndefined();
  });

  it('records roles, severity changes, notes and updates on the timeline', async () => {
    const { engine, clock } = makeEngine();
    const { id } = await declareIncident(engine, { severity: 'SEV3' });
    clock.advance(MINUTE);
    const assigned = await engine.assignRole(id, { role: 'commander', assignee: 'u_bob', actor: ALICE });
    expect(assigned.roles).toEqual({
      commander: { assignee: { id: 'u_bob' }, assignedAt: clock.now().toISOString(), assignedBy: ALICE_STORED },
    });
    const custom = await engine.assignRole(id, { role: 'pharmacist-on-call', assignee: { id: 'u_pat', name: 'Pat' }, actor: ALICE });
    expect(custom.roles['pharmacist-on-call']?.assignee).toEqual({ id: 'u_pat', name: 'Pat' });
    const reassigned = await engine.assignRole(id, { role: 'commander', assignee: 'u_carol', actor: ALICE });
    expect(reassigned.roles.commander?.assignee).toEqual({ id: 'u_carol' });

    const raised = await engine.setSeverity(id, { severity: 'SEV1', reason: 'All regions affected.', actor: ALICE });
    expect(raised.severity).toBe('SEV1');
    await engine.addNote(id, { text: 'Paging the database team.', actor: ALICE });
    const posted = await engine.postUpdate(id, { audience: 'public', message: 'We are investigating.', actor: ALICE });
    expect(posted.status).toBe('triage');

    const timeline = await engine.timeline(id);
    expect(timeline.map((event) => event.type)).toEqual([
      'DECLARED',
      'ROLE_ASSIGNED',
      'ROLE_ASSIGNED',
      'ROLE_ASSIGNED',
      'SEVERITY_CHANGED',
      'NOTE_ADDED',
      'UPDATE_POSTED',
    ]);
    expect(timeline[4]?.data).toMatchObject({ severity: 'SEV1', previous: 'SEV3', reason: 'All regions affected.' });
    expect(timeline[5]?.data).toMatchObject({ text: 'Paging the database team.' });
    expect(timeline[6]?.data).toMatchObject({ audience: 'public', message: 'We are investigating.' });
    expect(timeline.every((event) => event.actor.id === 'u_alice')).toBe(true);
  });
});

describe('reopen', () => {
  it('returns to responding, clears mitigatedAt, resolvedAt and the review, and counts reopens', async () => {
    const { engine, clock } = makeEngine();
    const { id } = await declareIncident(engine, { severity: 'SEV3' });
    clock.advance(MINUTE);
    const acknowledged = await engine.acknowledge(id, { actor: ALICE });
    clock.advance(MINUTE);
    await engine.mitigate(id, { summary: 'Failed over.', actor: ALICE });
    clock.advance(MINUTE);
    const diagnosed = await engine.recordRootCause(id, { summary: 'Disk full.', actor: ALICE });
    clock.advance(MINUTE);
    await engine.resolve(id, { actor: ALICE });
    clock.advance(MINUTE);
    await engine.startReview(id, { actor: ALICE });
    clock.advance(MINUTE);
    await engine.completeReview(id, { actor: ALICE });
    clock.advance(MINUTE);

    const reopened = await engine.reopen(id, { reason: 'Errors are back.', actor: ALICE });
    expect(reopened.status).toBe('responding');
    expect(reopened.reopenCount).toBe(1);
    expect(reopened.acknowledgedAt).toBe(acknowledged.acknowledgedAt);
    expect(reopened.diagnosedAt).toBe(diagnosed.diagnosedAt);
    expect(reopened.mitigatedAt).toBeUndefined();
    expect(reopened.mitigation).toBeUndefined();
    expect(reopened.resolvedAt).toBeUndefined();
    expect(reopened.resolution).toBeUndefined();
    expect(reopened.reviewStartedAt).toBeUndefined();
    expect(reopened.review).toBeUndefined();
    expect((await engine.timeline(id)).at(-1)?.data).toMatchObject({ reason: 'Errors are back.' });

    clock.advance(MINUTE);
    await engine.resolve(id, { actor: ALICE });
    clock.advance(MINUTE);
    const again = await engine.reopen(id, { reason: 'Still flapping.', actor: ALICE });
    expect(again.reopenCount).toBe(2);
  });

  it('from mitigated: a new mitigation after the reopen keeps milestones chronological', async () => {
    const { engine, clock } = makeEngine();
    const { id } = await declareIncident(engine);
    clock.advance(MINUTE);
    await engine.mitigate(id, { summary: 'Restarted.', actor: ALICE });
    clock.advance(MINUTE);
    await engine.resolve(id, { actor: ALICE });
    clock.advance(MINUTE);
    await engine.reopen(id, { reason: 'Back again.', actor: ALICE });
    clock.advance(MINUTE);
    const mitigated = await engine.mitigate(id, { summary: 'Failed over.', actor: ALICE });
    expect(mitigated.status).toBe('mitigated');
    expect(mitigated.resolvedAt).toBeUndefined();
    expectChronologicalMilestones(mitigated);
  });

  it('a reopened SEV1 incident needs a new review before it can close again', async () => {
    const { engine } = makeEngine();
    const { id } = await declareIncident(engine, { severity: 'SEV1' });
    await engine.resolve(id, { actor: ALICE });
    await engine.startReview(id, { actor: ALICE });
    await engine.completeReview(id, { actor: ALICE });
    await engine.reopen(id, { reason: 'Regression.', actor: ALICE });
    await engine.resolve(id, { actor: ALICE });
    const before = await storedState(engine, id);
    const error = await thrown(engine.close(id, { actor: ALICE }));
    expect(isIncidentKitError(error, 'INVALID_TRANSITION')).toBe(true);
    expect(await storedState(engine, id)).toEqual(before);
  });
});

describe('the review policy', () => {
  it.each(['SEV1', 'SEV2'])('by default a %s incident cannot close before its review is completed, and the error says so', async (severity) => {
    const { engine } = makeEngine();
    const { id } = await declareIncident(engine, { severity });
    await engine.resolve(id, { actor: ALICE });
    const before = await storedState(engine, id);

    const error = await thrown(engine.close(id, { actor: ALICE }));
    expect(error).toBeInstanceOf(InvalidTransitionError);
    const refused = error as InvalidTransitionError;
    expect(refused.details).toMatchObject({ incidentId: id, state: 'resolved', event: 'CLOSE' });
    expect(refused.details.reason).toContain(severity);
    expect(refused.message).toContain(id);
    expect(refused.message).toContain('resolved');
    expect(refused.message).toMatch(/review/i);
    expect(await storedState(engine, id)).toEqual(before);

    await engine.startReview(id, { actor: ALICE });
    const inReview = await thrown(engine.close(id, { actor: ALICE }));
    expect((inReview as InvalidTransitionError).details).toMatchObject({ state: 'postIncident', event: 'CLOSE' });
    expect((inReview as InvalidTransitionError).message).toMatch(/completeReview/);

    await engine.completeReview(id, { summary: 'Done.', actor: ALICE });
    expect((await engine.close(id, { actor: ALICE })).status).toBe('closed');
  });

  it.each(['SEV3', 'SEV4', 'SEV5'])('by default a %s incident closes straight from resolved', async (severity) => {
    const { engine } = makeEngine();
    const { id } = await declareIncident(engine, { severity });
    await engine.resolve(id, { actor: ALICE });
    const closed = await engine.close(id, { actor: ALICE });
    expect(closed.status).toBe('closed');
    expect(closed.review).toBeUndefined();
  });

  it('is configurable with policies.review.requiredFor', async () => {
    const { engine } = makeEngine({ policies: { review: { requiredFor: ['SEV3'] } } });
    const sev3 = await declareIncident(engine, { severity: 'SEV3' });
    await engine.resolve(sev3.id, { actor: ALICE });
    expect(isIncidentKitError(await thrown(engine.close(sev3.id, { actor: ALICE })), 'INVALID_TRANSITION')).toBe(true);

    const sev1 = await declareIncident(engine, { severity: 'SEV1' });
    await engine.resolve(sev1.id, { actor: ALICE });
    expect((await engine.close(sev1.id, { actor: ALICE })).status).toBe('closed');

    const lenient = makeEngine({ policies: { review: { requiredFor: [] } } }).engine;
    const relaxed = await declareIncident(lenient, { severity: 'SEV1' });
    await lenient.resolve(relaxed.id, { actor: ALICE });
    expect((await lenient.close(relaxed.id, { actor: ALICE })).status).toBe('closed');
  });

  it('is frozen into the incident when it is declared', async () => {
    const store = memoryStore();
    const strict = makeEngine({ store }).engine;
    const { id, policy } = await declareIncident(strict, { severity: 'SEV1' });
    expect(policy.reviewRequiredFor).toEqual(['SEV1', 'SEV2']);
    await strict.resolve(id, { actor: ALICE });
    const lenient = makeEngine({ store, policies: { review: { requiredFor: [] } } }).engine;
    expect(isIncidentKitError(await thrown(lenient.close(id, { actor: ALICE })), 'INVALID_TRANSITION')).toBe(true);
  });

  it('follows the current severity: an incident raised to SEV1 after declare needs a review', async () => {
    const { engine } = makeEngine();
    const { id } = await declareIncident(engine, { severity: 'SEV4' });
    await engine.setSeverity(id, { severity: 'SEV1', actor: ALICE });
    await engine.resolve(id, { actor: ALICE });
    expect(isIncidentKitError(await thrown(engine.close(id, { actor: ALICE })), 'INVALID_TRANSITION')).toBe(true);
    await engine.setSeverity(id, { severity: 'SEV3', reason: 'Impact was smaller.', actor: ALICE });
    expect((await engine.close(id, { actor: ALICE })).status).toBe('closed');
  });
});

describe('cancel', () => {
  it('merges a duplicate into another incident of the tenant', async () => {
    const { engine } = makeEngine();
    const target = await declareIncident(engine, { title: 'Checkout is down' });
    const duplicate = await declareIncident(engine, { title: 'Payments fail' });
    const canceled = await engine.cancel(duplicate.id, { reason: 'duplicate', mergedInto: target.id, actor: ALICE });
    expect(canceled.cancellation).toEqual({ reason: 'duplicate', mergedInto: target.id });
    expect((await engine.get(target.id)).status).toBe('triage');
  });

  it('refuses an unknown merge target with NotFoundError and writes nothing', async () => {
    const { engine } = makeEngine();
    const { id } = await declareIncident(engine);
    const before = await storedState(engine, id);
    const error = await thrown(engine.cancel(id, { reason: 'duplicate', mergedInto: 'inc_missing', actor: ALICE }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).details).toMatchObject({ entity: 'incident', id: 'inc_missing', tenantId: 'default' });
    expect(await storedState(engine, id)).toEqual(before);
  });

  it('refuses merging an incident into itself with ValidationError and writes nothing', async () => {
    const { engine } = makeEngine();
    const { id } = await declareIncident(engine);
    const before = await storedState(engine, id);
    const error = await thrown(engine.cancel(id, { reason: 'duplicate', mergedInto: id, actor: ALICE }));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).details.issues[0]?.path).toEqual(['mergedInto']);
    expect(await storedState(engine, id)).toEqual(before);
  });
});

describe('action items', () => {
  it('are added with their details and updated, also after close', async () => {
    const { engine, clock } = makeEngine();
    const { id } = await declareIncident(engine, { severity: 'SEV4' });
    const createdAt = clock.advance(MINUTE).toISOString();
    const added = await engine.addActionItem(id, {
      title: 'Alert on disk usage',
      owner: 'u_dave',
      dueAt: '2026-02-01T00:00:00+01:00',
      kind: 'detect',
      strength: 'stronger',
      actor: ALICE,
    });
    expect(added.actionItems).toEqual([
      {
        id: 'act_1',
        title: 'Alert on disk usage',
        owner: 'u_dave',
        dueAt: '2026-01-31T23:00:00.000Z',
        kind: 'detect',
        strength: 'stronger',
        status: 'open',
        createdAt,
        updatedAt: createdAt,
      },
    ]);
    await engine.addActionItem(id, { title: 'Write a runbook', actor: ALICE });
    await engine.resolve(id, { actor: ALICE });
    await engine.close(id, { actor: ALICE });

    const updatedAt = clock.advance(MINUTE).toISOString();
    const updated = await engine.updateActionItem(id, { actionItemId: 'act_1', status: 'done', actor: ALICE });
    expect(updated.status).toBe('closed');
    expect(updated.actionItems.map((item) => [item.id, item.status])).toEqual([
      ['act_1', 'done'],
      ['act_2', 'open'],
    ]);
    expect(updated.actionItems[0]?.updatedAt).toBe(updatedAt);
    expect(updated.actionItems[0]?.createdAt).toBe(createdAt);
    expect((await engine.timeline(id)).at(-1)?.type).toBe('ACTION_ITEM_UPDATED');
  });

  it('an unknown action item id gives NotFoundError naming it and writes nothing', async () => {
    const { engine } = makeEngine();
    const { id } = await declareIncident(engine);
    await engine.addActionItem(id, { title: 'Write a runbook', actor: ALICE });
    const before = await storedState(engine, id);
    const error = await thrown(engine.updateActionItem(id, { actionItemId: 'act_404', status: 'done', actor: ALICE }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).details).toMatchObject({ id: 'act_404', incidentId: id });
    expect((error as NotFoundError).message).toContain('act_404');
    expect((error as NotFoundError).message).toContain(id);
    expect(await storedState(engine, id)).toEqual(before);
  });

  it('cannot be updated on a canceled incident', async () => {
    const { engine } = makeEngine();
    const { id } = await declareIncident(engine);
    await engine.addActionItem(id, { title: 'Write a runbook', actor: ALICE });
    await engine.cancel(id, { reason: 'declined', actor: ALICE });
    const error = await thrown(engine.updateActionItem(id, { actionItemId: 'act_1', status: 'done', actor: ALICE }));
    expect(error).toBeInstanceOf(InvalidTransitionError);
    expect((error as InvalidTransitionError).message).toContain('canceled');
  });
});

describe('reads', () => {
  it('get, timeline and verifyTimeline of an unknown id throw NotFoundError', async () => {
    const { engine } = makeEngine();
    for (const read of [engine.get('inc_404'), engine.timeline('inc_404'), engine.verifyTimeline('inc_404')]) {
      const error = await thrown(read);
      expect(error).toBeInstanceOf(NotFoundError);
      expect((error as NotFoundError).code).toBe('NOT_FOUND');
      expect((error as NotFoundError).details).toEqual({ entity: 'incident', id: 'inc_404', tenantId: 'default' });
      expect((error as NotFoundError).message).toContain('inc_404');
    }
    const command = await thrown(engine.acknowledge('inc_404', { actor: ALICE }));
    expect(command).toBeInstanceOf(NotFoundError);
  });

  it('get returns a frozen incident on the memory store: mutating it throws and changes nothing', async () => {
    const { engine } = makeEngine();
    const { id } = await declareIncident(engine, { labels: { team: 'payments' } });
    const got = (await engine.get(id)) as { labels: Record<string, string>; title: string };
    expect(() => {
      got.labels.team = 'hacked';
    }).toThrow(TypeError);
    expect(() => {
      got.title = 'hacked';
    }).toThrow(TypeError);
    expect(await engine.get(id)).toMatchObject({ title: 'Checkout is down', labels: { team: 'payments' } });
  });

  it('list filters by status, severity, service and open', async () => {
    const { engine, clock } = makeEngine();
    const declare = async (severity: string, service: string, then?: (id: string) => Promise<unknown>): Promise<string> => {
      clock.advance(MINUTE);
      const { id } = await declareIncident(engine, { severity, service });
      if (then !== undefined) await then(id);
      return id;
    };
    const a = await declare('SEV1', 'checkout');
    const b = await declare('SEV2', 'search', (id) => engine.acknowledge(id, { actor: ALICE }));
    const c = await declare('SEV3', 'checkout', async (id) => {
      await engine.resolve(id, { actor: ALICE });
      await engine.close(id, { actor: ALICE });
    });
    const d = await declare('SEV3', 'search', (id) => engine.cancel(id, { reason: 'false_positive', actor: ALICE }));
    const e = await declare('SEV2', 'payments', (id) => engine.mitigate(id, { summary: 'Restarted.', actor: ALICE }));

    const ids = async (query: Parameters<typeof engine.list>[0]): Promise<string[]> =>
      (await engine.list(query)).items.map((incident) => incident.id);
    expect(await ids(undefined)).toEqual([e, d, c, b, a]);
    expect(await ids({})).toEqual([e, d, c, b, a]);
    expect(await ids({ status: 'triage' })).toEqual([a]);
    expect(await ids({ status: ['responding', 'mitigated'] })).toEqual([e, b]);
    expect(await ids({ severity: 'SEV3' })).toEqual([d, c]);
    expect(await ids({ severity: ['SEV1', 'SEV2'] })).toEqual([e, b, a]);
    expect(await ids({ service: 'checkout' })).toEqual([c, a]);
    expect(await ids({ service: ['search', 'payments'] })).toEqual([e, d, b]);
    expect(await ids({ open: true })).toEqual([e, b, a]);
    expect(await ids({ open: false })).toEqual([d, c]);
    expect(await ids({ open: true, service: 'search' })).toEqual([b]);
    expect(await ids({ status: 'closed', severity: 'SEV1' })).toEqual([]);
  });

  it('list pages with a cursor that stays stable while new incidents are declared', async () => {
    const { engine, clock } = makeEngine();
    const original: string[] = [];
    for (let i = 0; i < 23; i += 1) {
      // Some share a detectedAt, so the id breaks ties.
      if (i % 3 === 0) clock.advance(MINUTE);
      original.push((await declareIncident(engine, { title: `Incident ${String(i)}` })).id);
    }

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await engine.list({ limit: 5, ...(cursor === undefined ? {} : { cursor }) });
      seen.push(...page.items.map((incident) => incident.id));
      cursor = page.nextCursor;
      pages += 1;
      // Writers keep declaring, some at the same instant as existing incidents, some later.
      await declareIncident(engine, { title: `Newer ${String(pages)}` });
      clock.advance(pages % 2 === 0 ? MINUTE : 0);
    } while (cursor !== undefined);

    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(original));
    expect(pages).toBeGreaterThanOrEqual(5);
    // Newest first: detectedAt never increases along the pages.
    const all = await Promise.all(seen.map((id) => engine.get(id)));
    for (let i = 1; i < all.length; i += 1) expect(all[i - 1]!.detectedAt >= all[i]!.detectedAt).toBe(true);
  });

  it('list refuses a cursor it did not make', async () => {
    const { engine } = makeEngine();
    const error = await thrown(engine.list({ cursor: 'not-a-cursor' }));
    expect(isIncidentKitError(error, 'VALIDATION_FAILED')).toBe(true);
  });
});

describe('tenant scoping', () => {
  it('two engines on one store never see or change each other’s incidents', async () => {
    const store = memoryStore();
    const acme = makeEngine({ store, tenantId: 'acme', ids: sequentialIds('acme_') }).engine;
    const globex = makeEngine({ store, tenantId: 'globex', ids: sequentialIds('globex_') }).engine;
    const mine = await declareIncident(acme, { dedupKey: 'disk-full' });
    const theirs = await declareIncident(globex, { dedupKey: 'disk-full' });
    expect(mine.tenantId).toBe('acme');
    expect(theirs.tenantId).toBe('globex');

    expect(isIncidentKitError(await thrown(globex.get(mine.id)), 'NOT_FOUND')).toBe(true);
    expect(isIncidentKitError(await thrown(globex.timeline(mine.id)), 'NOT_FOUND')).toBe(true);
    expect(isIncidentKitError(await thrown(globex.acknowledge(mine.id, { actor: ALICE })), 'NOT_FOUND')).toBe(true);
    expect(isIncidentKitError(await thrown(globex.addNote(mine.id, { text: 'x', actor: ALICE })), 'NOT_FOUND')).toBe(true);
    expect(
      isIncidentKitError(await thrown(globex.cancel(theirs.id, { reason: 'duplicate', mergedInto: mine.id, actor: ALICE })), 'NOT_FOUND'),
    ).toBe(true);
    expect((await acme.list()).items.map((incident) => incident.id)).toEqual([mine.id]);
    expect((await globex.list()).items.map((incident) => incident.id)).toEqual([theirs.id]);
    expect(await acme.get(mine.id)).toEqual(mine);
    expect(await acme.timeline(mine.id)).toHaveLength(1);
  });

  it('the same incident id in two tenants names two different incidents', async () => {
    const store = memoryStore();
    const acme = makeEngine({ store, tenantId: 'acme' }).engine;
    const globex = makeEngine({ store, tenantId: 'globex' }).engine;
    const a = await declareIncident(acme, { title: 'Acme outage' });
    const b = await declareIncident(globex, { title: 'Globex outage' });
    expect(a.id).toBe(b.id);
    await globex.acknowledge(b.id, { actor: ALICE });
    expect(await acme.get(a.id)).toEqual(a);
    expect((await globex.get(b.id)).status).toBe('responding');
    expect((await acme.timeline(a.id)).every((event) => event.tenantId === 'acme')).toBe(true);
    expect(await acme.verifyTimeline(a.id)).toEqual({ ok: true });
    expect(await globex.verifyTimeline(b.id)).toEqual({ ok: true });
  });
});

describe('dedup keys', () => {
  it('a second open incident with the same dedupKey gives DuplicateIncidentError; allowed again once the first is closed or canceled', async () => {
    const { engine } = makeEngine();
    const first = await declareIncident(engine, { dedupKey: 'db-primary-down' });
    const error = await thrown(declareIncident(engine, { dedupKey: 'db-primary-down' }));
    expect(error).toBeInstanceOf(DuplicateIncidentError);
    expect((error as DuplicateIncidentError).code).toBe('DUPLICATE_INCIDENT');
    expect((error as DuplicateIncidentError).details).toEqual({
      tenantId: 'default',
      dedupKey: 'db-primary-down',
      existingIncidentId: first.id,
    });
    expect((error as DuplicateIncidentError).message).toContain(first.id);
    expect((await engine.list()).items).toHaveLength(1);

    await engine.resolve(first.id, { actor: ALICE });
    expect(isIncidentKitError(await thrown(declareIncident(engine, { dedupKey: 'db-primary-down' })), 'DUPLICATE_INCIDENT')).toBe(true);
    await engine.close(first.id, { actor: ALICE });
    const second = await declareIncident(engine, { dedupKey: 'db-primary-down' });
    expect(second.dedupKey).toBe('db-primary-down');

    await engine.cancel(second.id, { reason: 'false_positive', actor: ALICE });
    const third = await declareIncident(engine, { dedupKey: 'db-primary-down' });
    expect(third.status).toBe('triage');
    expect((await engine.list({ open: true })).items.map((incident) => incident.id)).toEqual([third.id]);
  });

  it('different dedup keys and incidents without one never collide', async () => {
    const { engine } = makeEngine();
    await declareIncident(engine, { dedupKey: 'a' });
    await declareIncident(engine, { dedupKey: 'b' });
    await declareIncident(engine);
    await declareIncident(engine);
    expect((await engine.list()).items).toHaveLength(4);
  });
});

describe('subscribers', () => {
  it('incident.<type> handlers run after the commit with the incident and the stored event', async () => {
    const { engine, store } = makeEngine();
    const seen: { payload: IncidentEventPayload; storedVersion: Promise<number | undefined> }[] = [];
    engine.on('incident.declared', (payload) => {
      seen.push({ payload, storedVersion: store.load('default', payload.incident.id).then((s) => s?.incident.version) });
    });
    engine.on('incident.acknowledged', (payload) => {
      seen.push({ payload, storedVersion: store.load('default', payload.incident.id).then((s) => s?.incident.version) });
    });
    const declared = await declareIncident(engine);
    const acknowledged = await engine.acknowledge(declared.id, { actor: ALICE });

    expect(seen.map((entry) => entry.payload.event.type)).toEqual(['DECLARED', 'ACKNOWLEDGED']);
    expect(seen[0]?.payload.incident).toEqual(declared);
    expect(seen[1]?.payload.incident).toEqual(acknowledged);
    expect(seen[1]?.payload.event).toEqual((await engine.timeline(declared.id))[1]);
    // The store already held the new version when each handler ran.
    expect(await Promise.all(seen.map((entry) => entry.storedVersion))).toEqual([1, 2]);
  });

  it("'*' receives every event with its name; off unsubscribes", async () => {
    const { engine } = makeEngine();
    const names: string[] = [];
    const all = (name: string, payload: IncidentEventPayload | object): void => {
      if ('event' in payload) names.push(`${name}:${String(payload.event.seq)}`);
    };
    const notes = vi.fn();
    engine.on('*', all);
    engine.on('incident.note_added', notes);
    const { id } = await declareIncident(engine);
    await engine.assignRole(id, { role: 'scribe', assignee: 'u_bob', actor: ALICE });
    await engine.addNote(id, { text: 'one', actor: ALICE });
    engine.off('*', all);
    engine.off('incident.note_added', notes);
    await engine.addNote(id, { text: 'two', actor: ALICE });
    expect(names).toEqual(['incident.declared:1', 'incident.role_assigned:2', 'incident.note_added:3']);
    expect(notes).toHaveBeenCalledTimes(1);
  });

  it('a throwing or rejecting handler does not break the command and is reported to onHandlerError', async () => {
    const onHandlerError = vi.fn();
    const { engine } = makeEngine({ onHandlerError });
    const boom = new Error('handler bug');
    const later = new Error('async handler bug');
    const others = vi.fn();
    engine.on('incident.declared', () => {
      throw boom;
    });
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- a rejecting async handler is what this test is about
    engine.on('incident.declared', () => Promise.reject(later));
    engine.on('incident.declared', others);
    engine.on('*', () => {
      throw boom;
    });

    const incident = await declareIncident(engine);
    expect(await engine.get(incident.id)).toEqual(incident);
    expect(others).toHaveBeenCalledTimes(1);
    await vi.waitFor(() => {
      expect(onHandlerError).toHaveBeenCalledTimes(3);
    });
    expect(onHandlerError).toHaveBeenCalledWith(boom, 'incident.declared');
    expect(onHandlerError).toHaveBeenCalledWith(later, 'incident.declared');
  });

  it('no event is emitted for a rejected command', async () => {
    const { engine } = makeEngine();
    const { id } = await declareIncident(engine);
    const all = vi.fn();
    engine.on('*', all);
    await thrown(engine.close(id, { actor: ALICE }));
    await thrown(() => engine.addNote(id, { text: '', actor: ALICE }));
    await thrown(engine.addNote('inc_404', { text: 'x', actor: ALICE }));
    expect(all).not.toHaveBeenCalled();
  });
});

describe('verifyTimeline', () => {
  type Tamper = (events: StoredEvent[]) => StoredEvent[];

  async function tamperedEngine(): Promise<{
    readonly original: readonly StoredEvent[];
    readonly setTamper: (tamper: Tamper) => void;
    readonly verify: () => Promise<unknown>;
  }> {
    let tamper: Tamper = (events) => events;
    const store = wrapStore(memoryStore(), {
      events: async (tenantId, incidentId, inner) => tamper([...(await inner.events(tenantId, incidentId))]),
    });
    const { engine } = makeEngine({ store });
    const { id } = await declareIncident(engine, { severity: 'SEV4' });
    await engine.acknowledge(id, { actor: ALICE });
    await engine.addNote(id, { text: 'first note', actor: ALICE });
    await engine.addNote(id, { text: 'second note', actor: ALICE });
    await engine.resolve(id, { actor: ALICE });
    expect(await engine.verifyTimeline(id)).toEqual({ ok: true });
    return {
      original: await engine.timeline(id),
      setTamper: (next) => {
        tamper = next;
      },
      verify: () => engine.verifyTimeline(id),
    };
  }

  const edit = (seq: number, change: (event: StoredEvent) => StoredEvent): Tamper => (events) =>
    events.map((event) => (event.seq === seq ? change(event) : event));

  it.each<[string, Tamper, number]>([
    ['changed data', edit(3, (e) => ({ ...e, data: { text: 'nothing happened' } })), 3],
    ['changed time', edit(2, (e) => ({ ...e, at: '2025-12-31T23:59:00.000Z' })), 2],
    ['changed actor', edit(5, (e) => ({ ...e, actor: { kind: 'user', id: 'u_mallory' } })), 5],
    ['changed type', edit(4, (e) => ({ ...e, type: 'UPDATE_POSTED' })), 4],
    ['changed first event', edit(1, (e) => ({ ...e, data: { ...e.data, severity: 'SEV5' } })), 1],
    ['changed hash', edit(5, (e) => ({ ...e, hash: e.hash.replace(/^./, (c) => (c === '0' ? '1' : '0')) })), 5],
    ['removed event', (events) => events.filter((e) => e.seq !== 2), 2],
    ['removed last event', (events) => events.slice(0, -1), 5],
    ['reordered events', (events) => [events[0]!, events[2]!, events[1]!, ...events.slice(3)], 2],
    ['renumbered after a removal', (events) => events.filter((e) => e.seq !== 3).map((e, i) => ({ ...e, seq: i + 1 })), 3],
  ])('detects %s', async (name, tamper, brokenAt) => {
    const { setTamper, verify } = await tamperedEngine();
    setTamper(tamper);
    // Losing the newest event leaves a valid chain that stops short of the projection.
    expect(await verify()).toEqual({ ok: false, brokenAt, reason: name === 'removed last event' ? 'truncated' : 'chain' });
  });

  it('detects an edit even when every later hash was recomputed to match', async () => {
    const { setTamper, verify, original } = await tamperedEngine();
    // An attacker with write access to the log edits seq 3 and re-chains everything after it.
    const rewritten: StoredEvent[] = [...original];
    for (let i = 2; i < rewritten.length; i += 1) {
      const { hash: _hash, ...unsigned } = rewritten[i]!;
      const changed = unsigned.seq === 3 ? { ...unsigned, data: { text: 'nothing happened' } } : unsigned;
      rewritten[i] = { ...changed, hash: await hashEvent(rewritten[i - 1]!.hash, changed) };
    }
    setTamper(() => rewritten);
    // The chain itself verifies, but it no longer ends in the hash the projection holds.
    expect(await verify()).toEqual({ ok: false, brokenAt: 5, reason: 'truncated' });
  });
});

describe('time', () => {
  it('a clock that goes backwards never makes event times or milestones go backwards', async () => {
    const clock = createManualClock('2026-05-01T10:00:00.000Z');
    const { engine } = makeEngine({ clock });
    const { id, detectedAt } = await declareIncident(engine);
    clock.set('2026-05-01T09:00:00.000Z');
    const acknowledged = await engine.acknowledge(id, { actor: ALICE });
    expect(acknowledged.acknowledgedAt).toBe(detectedAt);
    clock.set('2026-05-01T10:05:00.000Z');
    const mitigated = await engine.mitigate(id, { summary: 'Failed over.', actor: ALICE });
    expect(mitigated.mitigatedAt).toBe('2026-05-01T10:05:00.000Z');
    clock.set('2026-04-30T00:00:00.000Z');
    const resolved = await engine.resolve(id, { actor: ALICE });
    expect(resolved.resolvedAt).toBe('2026-05-01T10:05:00.000Z');
    expectChronologicalMilestones(resolved);
    expectWellFormedTimeline(await engine.timeline(id), resolved);
  });

  it('uses the injected clock and ids only', async () => {
    const { engine } = makeEngine({ clock: createManualClock(T0) });
    const incident = await declareIncident(engine);
    expect(incident.id).toBe('inc_1');
    expect(incident.detectedAt).toBe(T0);
    expect((await engine.timeline(incident.id))[0]).toMatchObject({ id: 'evt_1', seq: 1, at: T0, type: 'DECLARED' });
  });
});
