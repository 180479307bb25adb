/**
 * The engine's `authorize` hook and `roleBasedPolicy`: every command and read asks it with the
 * method's name and the incident as it is; a denial is `ForbiddenError` and writes nothing;
 * lists and scans leave out what the reader may not see.
 */
import { describe, expect, it } from 'vitest';
import { createIncidentEngine } from '../../src/createIncidentEngine.js';
import { roleBasedPolicy, type RoleBasedPolicyOptions } from '../../src/engine/roleBasedPolicy.js';
import type { AuthorizationRequest, Authorize } from '../../src/engine/types.js';
import type { IncidentEngine } from '../../src/incidentEngine.js';
import { ForbiddenError, isIncidentKitError, NotifierError } from '../../src/errors.js';
import type { Notifier } from '../../src/model/notification.js';
import { parseSignal } from '../../src/model/signal.js';
import { memoryStore } from '../../src/storage/memory.js';
import { createManualClock } from '../../src/testing/manualClock.js';
import { sequentialIds } from '../../src/testing/sequentialIds.js';

const ada = { id: 'u_ada', name: 'Ada' };
const bob = { id: 'u_bob', name: 'Bob' };
const T0 = '2026-11-02T09:00:00.000Z';

function recording(decide: (request: AuthorizationRequest) => boolean | Promise<boolean>) {
  const calls: AuthorizationRequest[] = [];
  const authorize: Authorize = (request) => {
    calls.push(request);
    return decide(request);
  };
  const store = memoryStore();
  const engine = createIncidentEngine({ store, clock: createManualClock(T0), ids: sequentialIds(), authorize, policies: { review: { requiredFor: [] } } });
  return { engine, calls, store };
}

/** Every command of the engine with a valid input on an incident in a state that accepts it. */
const COMMANDS: readonly [string, (engine: IncidentEngine, id: string, actor: typeof ada) => Promise<unknown>][] = [
  ['acknowledge', (e, id, actor) => e.acknowledge(id, { actor })],
  ['assignRole', (e, id, actor) => e.assignRole(id, { role: 'commander', assignee: actor.id, actor })],
  ['setSeverity', (e, id, actor) => e.setSeverity(id, { severity: 'SEV2', actor })],
  ['addNote', (e, id, actor) => e.addNote(id, { text: 'Looking', actor })],
  ['postUpdate', (e, id, actor) => e.postUpdate(id, { audience: 'internal', message: 'Update', actor })],
  ['escalate', (e, id, actor) => e.escalate(id, { actor })],
  ['updateFields', (e, id, actor) => e.updateFields(id, { fields: { region: 'eu' }, actor })],
  ['startClock', (e, id, actor) => e.startClock(id, { regime: 'gdpr', trigger: 'awareness', actor })],
  ['fileReport', (e, id, actor) => e.fileReport(id, { regime: 'gdpr', phase: 'notification', actor })],
  ['recordRootCause', (e, id, actor) => e.recordRootCause(id, { summary: 'Disk', actor })],
  ['addActionItem', (e, id, actor) => e.addActionItem(id, { title: 'Replace disk', actor })],
  ['updateActionItem', async (e, id, actor) => e.updateActionItem(id, { actionItemId: (await e.get(id)).actionItems[0]?.id ?? '', status: 'done', actor })],
  ['mitigate', (e, id, actor) => e.mitigate(id, { summary: 'Failover', actor })],
  ['resolve', (e, id, actor) => e.resolve(id, { actor })],
  ['reopen', (e, id, actor) => e.reopen(id, { reason: 'Back', actor })],
  ['resolve', (e, id, actor) => e.resolve(id, { actor })],
  ['startReview', (e, id, actor) => e.startReview(id, { actor })],
  ['completeReview', (e, id, actor) => e.completeReview(id, { actor })],
  ['close', (e, id, actor) => e.close(id, { actor })],
];

describe('authorize', () => {
  it('is asked by every command with its name, the actor and the incident as it is, and a denial writes nothing', async () => {
    let deny: string | undefined;
    const { engine, calls } = recording((request) => request.action !== deny);
    const incident = await engine.declare({ title: 'Checkout down', severity: 'SEV3', actor: ada });
    expect(calls.at(-1)).toEqual({ actor: { kind: 'user', ...ada }, action: 'declare', tenantId: 'default', input: { title: 'Checkout down', severity: 'SEV3' } });
    for (const [action, run] of COMMANDS) {
      const before = await engine.get(incident.id);
      const timeline = await engine.timeline(incident.id);
      deny = action;
      const error = await run(engine, incident.id, bob).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, action).toBeInstanceOf(ForbiddenError);
      expect((error as ForbiddenError).details).toEqual({ action, actorId: 'u_bob', tenantId: 'default', incidentId: incident.id });
      deny = undefined;
      expect(await engine.get(incident.id)).toEqual(before);
      expect(await engine.timeline(incident.id)).toEqual(timeline);
      await run(engine, incident.id, ada);
      const asked = calls.filter((c) => c.action === action).at(-1);
      expect(asked?.actor.id, action).toBe('u_ada');
      expect(asked?.incident?.id, action).toBe(incident.id);
      expect(asked?.input, action).toBeTypeOf('object');
      expect(asked?.input, action).not.toHaveProperty('actor');
    }
    expect((await engine.get(incident.id)).status).toBe('closed');
  });

  it('refuses a declaration before checking anything else, and lets ingest through only for allowed sources', async () => {
    const { engine } = recording((request) => request.actor.id !== 'u_bob' && request.actor.id !== 'pagerduty');
    await expect(engine.declare({ title: 'x', severity: 'SEV3', actor: bob })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const signal = (source: string) => parseSignal({ source, fingerprint: `fp-${source}`, status: 'firing', severity: 'SEV2', summary: 'Disk full', startsAt: T0 });
    await expect(engine.ingest(signal('pagerduty'))).rejects.toMatchObject({ code: 'FORBIDDEN', details: { action: 'ingest', actorId: 'pagerduty' } });
    expect((await engine.list()).items).toEqual([]);
    const [result] = await engine.ingest(signal('alertmanager'));
    expect(result?.outcome).toBe('created');
  });

  it('denies anything but an explicit true, and waits for asynchronous answers', async () => {
    for (const answer of [false, undefined, 'yes', 1, null] as unknown[]) {
      const { engine } = recording(() => answer as boolean);
      const error = await engine.declare({ title: 'x', severity: 'SEV3', actor: ada }).catch((e: unknown) => e);
      expect(isIncidentKitError(error, 'FORBIDDEN'), String(answer)).toBe(true);
      expect((error as Error).message).toBe("Actor 'u_ada' may not declare; ask an administrator for access.");
    }
    const { engine } = recording(async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return true;
    });
    expect((await engine.declare({ title: 'x', severity: 'SEV3', actor: ada })).title).toBe('x');
  });

  it('guards reads: get, timeline and verifyTimeline refuse; list and scan leave out what the reader may not see', async () => {
    const { engine, calls } = recording((request) => request.action !== 'read' || request.actor.id !== 'u_bob' || request.incident?.severity !== 'SEV1');
    const secret = await engine.declare({ title: 'Breach', severity: 'SEV1', actor: ada });
    const open = await engine.declare({ title: 'Slow page', severity: 'SEV4', actor: ada });
    for (const read of [() => engine.get(secret.id, { actor: bob }), () => engine.timeline(secret.id, { actor: bob }), () => engine.verifyTimeline(secret.id, { actor: bob })]) {
      await expect(read()).rejects.toMatchObject({ code: 'FORBIDDEN', details: { action: 'read', actorId: 'u_bob', incidentId: secret.id } });
    }
    expect((await engine.get(open.id, { actor: bob })).id).toBe(open.id);
    expect((await engine.list({}, { actor: bob })).items.map((i) => i.id)).toEqual([open.id]);
    const scanned: string[] = [];
    for await (const incident of engine.scan({}, { actor: bob })) scanned.push(incident.id);
    expect(scanned).toEqual([open.id]);
    expect((await engine.list({}, { actor: ada })).items).toHaveLength(2);
    // A read without an actor is the system's, and the policy is still asked.
    await engine.get(secret.id);
    expect(calls.at(-1)?.actor).toEqual({ kind: 'system', id: 'incidentkit' });
  });

  it('stores similar-incident links as ids only, and shows a linked title only to readers of that incident', async () => {
    const hidden = (incident: { labels: Readonly<Record<string, string>> } | undefined) => incident?.labels.team === 'security';
    const engine = createIncidentEngine({
      store: memoryStore(),
      clock: createManualClock(T0),
      policies: { similar: { minScore: 0.1 } },
      authorize: ({ actor, action, incident }) => !(action === 'read' && actor.id === 'u_bob' && hidden(incident)),
    });
    const secret = await engine.declare({ title: 'Checkout database breach by insider', severity: 'SEV1', service: 'checkout-db', labels: { team: 'security' }, actor: ada });
    // Ada may read the secret incident, so it is linked on her new one, which Bob may read.
    const linked = await engine.declare({ title: 'Checkout database slow', severity: 'SEV2', service: 'checkout-db', actor: ada });
    expect(linked.similarIncidents?.map((s) => s.id)).toEqual([secret.id]);
    // Nothing stored carries the title: not the timeline, not the projection.
    expect(JSON.stringify(await engine.timeline(linked.id, { actor: bob }))).not.toContain('insider');
    expect(linked.similarIncidents?.[0]?.title).toBeUndefined();
    // Read through authorize: Ada sees the title, Bob sees the link without it, in get and list.
    expect((await engine.get(linked.id, { actor: ada })).similarIncidents?.[0]?.title).toBe('Checkout database breach by insider');
    expect((await engine.get(linked.id, { actor: bob })).similarIncidents?.[0]).toEqual({ id: secret.id, score: expect.any(Number) as unknown, reasons: expect.any(Array) as unknown });
    const listedByBob = (await engine.list({}, { actor: bob })).items.find((i) => i.id === linked.id);
    expect(JSON.stringify(listedByBob)).not.toContain('insider');
    const listedByAda = (await engine.list({}, { actor: ada })).items.find((i) => i.id === linked.id);
    expect(listedByAda?.similarIncidents?.[0]?.title).toBe('Checkout database breach by insider');
  });

  it('links only similar incidents the declaring actor may read, and merges only into readable ones', async () => {
    const hidden = (incident: { labels: Readonly<Record<string, string>> } | undefined) => incident?.labels.team === 'security';
    const engine = createIncidentEngine({
      store: memoryStore(),
      clock: createManualClock(T0),
      policies: { similar: { minScore: 0.1 } },
      authorize: ({ actor, action, incident }) => !(action === 'read' && actor.id === 'u_bob' && hidden(incident)),
    });
    const secret = await engine.declare({ title: 'Checkout database breach by insider', severity: 'SEV1', service: 'checkout-db', labels: { team: 'security' }, actor: ada });
    const seenByAda = await engine.declare({ title: 'Checkout database slow', severity: 'SEV2', service: 'checkout-db', actor: ada });
    expect(seenByAda.similarIncidents?.map((s) => s.id)).toContain(secret.id);
    const seenByBob = await engine.declare({ title: 'Checkout database slow again', severity: 'SEV2', service: 'checkout-db', actor: bob });
    expect(seenByBob.similarIncidents?.map((s) => s.id) ?? []).not.toContain(secret.id);
    expect(JSON.stringify(await engine.timeline(seenByBob.id))).not.toContain('insider');

    await expect(engine.cancel(seenByBob.id, { reason: 'duplicate', mergedInto: secret.id, actor: bob })).rejects.toMatchObject({ code: 'FORBIDDEN', details: { action: 'read' } });
    expect((await engine.get(seenByBob.id)).status).toBe('triage');
    expect((await engine.cancel(seenByBob.id, { reason: 'duplicate', mergedInto: seenByAda.id, actor: bob })).cancellation?.mergedInto).toBe(seenByAda.id);
  });

  it('guards dead letters: the list leaves out unreadable incidents, redeliver asks with the message incident', async () => {
    const refusing: Notifier = {
      name: 'pager',
      send: () => Promise.reject(new NotifierError({ notifier: 'pager', retryable: false, status: 400 }, 'rejected')),
    };
    const engine = createIncidentEngine({
      store: memoryStore(),
      clock: createManualClock(T0),
      notifiers: { pager: refusing },
      authorize: ({ actor, action, incident }) => actor.id !== 'u_bob' || ((action === 'read' || action === 'redeliver') && incident?.severity !== 'SEV1'),
    });
    const secret = await engine.declare({ title: 'Breach', severity: 'SEV1', actor: ada });
    const open = await engine.declare({ title: 'Slow page', severity: 'SEV4', actor: ada });
    await engine.dispatch();
    const all = await engine.deadLetters({ actor: ada });
    expect(all.map((l) => l.incidentId).sort()).toEqual([secret.id, open.id].sort());
    expect((await engine.deadLetters({ actor: bob })).map((l) => l.incidentId)).toEqual([open.id]);
    const secretLetter = all.find((l) => l.incidentId === secret.id);
    await expect(engine.redeliver(secretLetter?.id ?? '', { actor: bob })).rejects.toMatchObject({ code: 'FORBIDDEN', details: { action: 'redeliver' } });
    expect(await engine.deadLetters({ actor: ada })).toHaveLength(2);
    await engine.redeliver(all.find((l) => l.incidentId === open.id)?.id ?? '', { actor: bob });
    expect((await engine.deadLetters({ actor: ada })).map((l) => l.incidentId)).toEqual([secret.id]);
  });

  it('is not asked for what the engine does on its own (timers)', async () => {
    const store = memoryStore();
    const clock = createManualClock(T0);
    const engine = createIncidentEngine({
      store,
      clock,
      authorize: ({ actor }) => actor.kind !== 'system',
      policies: { escalation: { levels: [{ afterMinutes: 5, targets: ['lead'] }] } },
    });
    const incident = await engine.declare({ title: 'x', severity: 'SEV2', actor: ada });
    clock.advance(5 * 60_000);
    expect((await engine.tick()).map((t) => t.outcome)).toEqual(['applied']);
    expect((await engine.get(incident.id, { actor: ada })).escalation?.level).toBe(1);
  });
});

describe('roleBasedPolicy', () => {
  const directory: Record<string, string[]> = { u_ada: ['admin'], u_bob: ['responder'], u_cy: ['viewer'] };
  function engine() {
    return createIncidentEngine({
      store: memoryStore(),
      clock: createManualClock(T0),
      policies: { review: { requiredFor: [] } },
      authorize: roleBasedPolicy({
        roles: (actor) => directory[actor.id] ?? [],
        grants: {
          admin: '*',
          responder: ['declare', 'acknowledge', 'assignRole', 'addNote', 'mitigate', 'resolve', 'read'],
          viewer: ['read'],
          commander: ['close'],
        },
      }),
    });
  }
  const cy = { id: 'u_cy' };
  const eve = { id: 'u_eve' };

  it('lets only the commander or an admin close, viewers read, and strangers nothing', async () => {
    const e = engine();
    const incident = await e.declare({ title: 'API down', severity: 'SEV2', actor: bob });
    await e.resolve(incident.id, { actor: bob });
    await expect(e.close(incident.id, { actor: bob })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(e.addNote(incident.id, { text: 'x', actor: cy })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await e.get(incident.id, { actor: cy })).status).toBe('resolved');
    await expect(e.get(incident.id, { actor: eve })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // A responder cannot make themselves commander to gain `close`; an admin can.
    await expect(e.assignRole(incident.id, { role: 'commander', assignee: 'u_bob', actor: bob })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await e.assignRole(incident.id, { role: 'scribe', assignee: 'u_bob', actor: bob })).roles.scribe?.assignee.id).toBe('u_bob');
    await e.assignRole(incident.id, { role: 'commander', assignee: 'u_bob', actor: ada });
    expect((await e.close(incident.id, { actor: bob })).status).toBe('closed');

    const other = await e.declare({ title: 'Queue backlog', severity: 'SEV3', actor: bob });
    await e.resolve(other.id, { actor: bob });
    expect((await e.close(other.id, { actor: ada })).status).toBe('closed');
  });

  it("cannot be passed by a caller claiming the engine's own system actor", async () => {
    const e = engine();
    const impostor = { kind: 'system', id: 'incidentkit' } as const;
    await expect(e.declare({ title: 'x', severity: 'SEV3', actor: impostor })).rejects.toThrow(/reserved for the engine's own work/);
    const incident = await e.declare({ title: 'x', severity: 'SEV3', actor: bob });
    await expect(e.get(incident.id, { actor: impostor })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(e.addNote(incident.id, { text: 'x', actor: impostor })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((await e.timeline(incident.id)).map((event) => event.type)).toEqual(['DECLARED']);
  });

  it('refuses grants that name unknown actions', () => {
    const grants = JSON.parse('{ "viewer": ["read", "delete"] }') as RoleBasedPolicyOptions['grants'];
    expect(() => roleBasedPolicy({ roles: () => [], grants })).toThrow(/grants.viewer: Grant '\*' or a list of actions; unknown actions are refused/);
  });
});
