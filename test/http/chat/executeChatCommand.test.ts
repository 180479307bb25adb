import { describe, expect, it } from 'vitest';
import { createIncidentEngine } from '../../../src/createIncidentEngine.js';
import { memoryStore } from '../../../src/storage/memory.js';
import { createManualClock } from '../../../src/testing/manualClock.js';
import { parseChatCommand, type ChatCommand } from '../../../src/channels/chat/parseChatCommand.js';
import { executeChatCommand, type ChatCommandContext } from '../../../src/http/chat/executeChatCommand.js';

function parsed(text: string): ChatCommand {
  const result = parseChatCommand(text);
  if (!result.ok) throw new Error(result.error.message);
  return result.command;
}

function setup(authorize?: Parameters<typeof createIncidentEngine>[0]['authorize']) {
  const engine = createIncidentEngine({ store: memoryStore(), clock: createManualClock('2026-12-06T10:00:00Z'), ...(authorize === undefined ? {} : { authorize }) });
  const alice: ChatCommandContext = { actor: { id: 'u_alice', name: 'Alice' } };
  return { engine, alice, run: (text: string, context: ChatCommandContext = alice) => executeChatCommand(engine, parsed(text), context) };
}

describe('executeChatCommand', () => {
  it('runs the lifecycle from chat commands and says what happened', async () => {
    const { engine, run, alice } = setup();
    const declared = await run('declare Checkout is down sev2 service:payments');
    expect(declared).toMatchObject({ ok: true, visibility: 'channel', incident: { title: 'Checkout is down', severity: 'SEV2', service: 'payments', status: 'triage' } });
    const id = declared.incident?.id ?? '';
    expect(declared.text).toContain('Alice declared');

    const inChannel = { ...alice, incidentId: id };
    expect(await run('ack', inChannel)).toMatchObject({ ok: true, incident: { status: 'responding' } });
    expect(await run(`note #${id} the db is slow`)).toMatchObject({ ok: true });
    expect(await run('update Payments degraded', inChannel)).toMatchObject({ ok: true });
    expect(await run('role commander <@U024BE7LH>', { ...inChannel, resolveUser: (userId) => ({ id: `slack:${userId}`, name: 'Bob' }) })).toMatchObject({
      ok: true,
      incident: { commander: { id: 'slack:U024BE7LH', name: 'Bob' } },
    });
    expect(await run('mitigate rolled back', inChannel)).toMatchObject({ ok: true, incident: { status: 'mitigated' } });
    expect(await run('resolve', inChannel)).toMatchObject({ ok: true, incident: { status: 'resolved' } });
    const status = await run('status', inChannel);
    expect(status).toMatchObject({ ok: true, visibility: 'ephemeral' });
    expect(status.text).toContain('resolved');

    const timeline = await engine.timeline(id);
    expect(timeline.map((event) => event.type)).toEqual([
      'DECLARED',
      'ACKNOWLEDGED',
      'NOTE_ADDED',
      'UPDATE_POSTED',
      'ROLE_ASSIGNED',
      'MITIGATED',
      'RESOLVED',
    ]);
    expect(timeline.every((event) => event.actor.id === 'u_alice')).toBe(true);
  });

  it('declares at the least severe level by default and refuses an unknown severity', async () => {
    const { run } = setup();
    expect((await run('declare Slow search')).incident?.severity).toBe('SEV5');
    expect(await run('declare Slow search severity:huge')).toMatchObject({ ok: false, code: 'UNKNOWN_SEVERITY', visibility: 'ephemeral' });
  });

  it('finds an incident by a short reference and refuses an unknown, ambiguous or missing one', async () => {
    const { engine, run } = setup();
    const { id } = await engine.declare({ title: 'One', severity: 'SEV3', actor: { id: 'u_x' } });
    const short = id.slice(4, 12);
    expect(await run(`ack #${short}`)).toMatchObject({ ok: true, incident: { id, status: 'responding' } });
    expect(await run('ack #zzzz_nothing')).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(await run('ack')).toMatchObject({ ok: false, code: 'NO_INCIDENT' });
    await engine.declare({ title: 'Two', severity: 'SEV3', actor: { id: 'u_x' } });
    expect(await run('status #inc_')).toMatchObject({ ok: false, code: 'AMBIGUOUS_INCIDENT' });
  });

  it('answers a denied or invalid command ephemerally and writes nothing', async () => {
    const { engine, run } = setup(({ actor, action }) => action === 'read' || action === 'declare' || actor.id !== 'u_mallory');
    const { id } = await engine.declare({ title: 'One', severity: 'SEV3', actor: { id: 'u_x' } });
    const before = await engine.timeline(id);
    const mallory = { actor: { id: 'u_mallory' }, incidentId: id };
    expect(await run('resolve', mallory)).toMatchObject({ ok: false, visibility: 'ephemeral', code: 'FORBIDDEN' });
    expect(await run('mitigate done')).toMatchObject({ ok: false, code: 'NO_INCIDENT' });
    await run(`resolve #${id}`);
    expect(await run(`ack #${id}`)).toMatchObject({ ok: false, code: 'INVALID_TRANSITION', visibility: 'ephemeral' });
    expect(await run('note \u0000', { actor: { id: 'u_alice' }, incidentId: id })).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
    expect((await engine.timeline(id)).length).toBe(before.length + 1);
  });

  it('answers help without touching the engine', async () => {
    const { run } = setup();
    expect(await run('help declare')).toMatchObject({ ok: true, visibility: 'ephemeral', text: expect.stringContaining('/incident declare') as unknown });
  });
});
