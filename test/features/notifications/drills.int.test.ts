/**
 * Drills and notifications, against real HTTP receivers on 127.0.0.1: a drill's messages reach
 * only `drillSafe` notifiers (marked `[DRILL]`); for the others nothing is sent, and what would
 * have gone is readable with `engine.wouldHaveSent(id)`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consoleNotifier, createIncidentEngine, defineNotifier, memoryStore, parseSignal, webhookNotifier, type IncidentEngineOptions } from '../../../src/index.js';
import { createManualClock, sequentialIds } from '../../../src/testing/index.js';
import { startHttpReceiver, type HttpReceiver } from '../../fixtures/notify/httpReceiver.js';

const ANA = { id: 'u_ana', name: 'Ana' };
let live: HttpReceiver;
let practice: HttpReceiver;

beforeEach(async () => {
  live = await startHttpReceiver();
  practice = await startHttpReceiver();
});
afterEach(async () => {
  await live.close();
  await practice.close();
});

interface Body {
  data: { title: string; text: string; event: { type: string }; incident: { id: string; drill?: boolean }; recipient?: { userId: string } };
}

function bodies(receiver: HttpReceiver): Body[] {
  return receiver.requests.map((request) => JSON.parse(request.body) as Body);
}

function setup(extra: Partial<IncidentEngineOptions> = {}) {
  const clock = createManualClock('2026-03-09T09:00:00.000Z');
  const engine = createIncidentEngine({
    store: memoryStore(),
    clock,
    ids: sequentialIds(),
    policies: { escalation: { levels: [{ afterMinutes: 5, targets: [{ kind: 'user', id: 'ben' }] }] } },
    notifiers: {
      pager: webhookNotifier({ name: 'pager', url: `${live.origin}/pages` }),
      practice: webhookNotifier({ name: 'practice', url: `${practice.origin}/drills`, drillSafe: true }),
    },
    routes: [
      { events: ['DECLARED', 'RESOLVED'], to: ['pager', 'practice'] },
      { events: ['ESCALATED'], to: ['pager', 'practice'], recipients: ['paged'] },
    ],
    contacts: (userId) => ({ pager: `${userId}@pager`, practice: `${userId}@practice` }),
    ...extra,
  });
  return { clock, engine };
}

describe('drill notifications', () => {
  it('reach only drill-safe channels, marked as a drill; the others receive nothing and the messages are kept as would-have-sent', async () => {
    const { clock, engine } = setup();
    const drill = await engine.declare({ title: 'Checkout is down', severity: 'SEV1', drill: true, actor: ANA });
    expect(drill.drill).toBe(true);
    clock.advance(5 * 60_000); // the escalation timer runs as for a real incident
    await engine.tick();
    await engine.resolve(drill.id, { summary: 'Practice over.', actor: ANA });
    expect(await engine.dispatch()).toMatchObject({ claimed: 6, deadLettered: 0 });

    expect(live.requests).toEqual([]);
    const sent = bodies(practice);
    expect(sent.map((b) => b.data.event.type).sort()).toEqual(['DECLARED', 'ESCALATED', 'RESOLVED']);
    for (const body of sent) {
      expect(body.data.title).toMatch(/^\[DRILL\] /);
      expect(body.data.text).toMatch(/^This is a drill: a practice incident, not a real one\./);
      expect(body.data.incident.drill).toBe(true);
    }
    expect(sent.find((b) => b.data.event.type === 'ESCALATED')?.data.recipient).toEqual({ userId: 'ben', address: 'ben@practice' });

    // Recorded as dispatch delivered them (concurrently): in any order.
    const kept = [...(await engine.wouldHaveSent(drill.id))].sort((a, b) => a.eventType.localeCompare(b.eventType));
    expect(kept.map((m) => [m.notifier, m.eventType, m.recipient])).toEqual([
      ['pager', 'DECLARED', undefined],
      ['pager', 'ESCALATED', 'ben'],
      ['pager', 'RESOLVED', undefined],
    ]);
    expect(kept[0]).toMatchObject({ incidentId: drill.id, audience: 'internal', severity: 'SEV1', title: '[DRILL] Incident declared: Checkout is down' });
    expect(kept[1]?.title).toMatch(/^\[DRILL\] Escalated to level 1: Checkout is down/);
    expect(kept[2]?.text).toContain('Practice over.');
    expect(await engine.dispatch()).toMatchObject({ claimed: 0 }); // recorded messages never come back
    expect(live.requests).toEqual([]);
  });

  it('a real incident beside a drill is sent everywhere, unmarked, and has nothing kept', async () => {
    const { engine } = setup();
    const real = await engine.declare({ title: 'Search is slow', severity: 'SEV3', actor: ANA });
    expect(real.drill).toBeUndefined();
    await engine.dispatch();
    expect(bodies(live).map((b) => b.data.title)).toEqual(['Incident declared: Search is slow']);
    expect(bodies(practice).map((b) => b.data.title)).toEqual(['Incident declared: Search is slow']);
    expect(await engine.wouldHaveSent(real.id)).toEqual([]);
  });

  it('a drill engine (a drill tenant) makes every incident a drill: declared, imported or raised by a signal', async () => {
    const { engine } = setup({ tenantId: 'drills', drill: true });
    const declared = await engine.declare({ title: 'Game day: database failover', severity: 'SEV2', actor: ANA });
    const [raised] = await engine.ingest(parseSignal({ source: 'generic', fingerprint: 'db-primary-down', status: 'firing', severity: 'SEV2', summary: 'Primary database down', startsAt: '2026-03-09T08:59:00.000Z' }));
    expect([declared.drill, raised?.incident?.drill]).toEqual([true, true]);
    await engine.dispatch();
    expect(live.requests).toEqual([]);
    expect(bodies(practice).map((b) => b.data.title).sort()).toEqual(['[DRILL] Incident declared: Game day: database failover', '[DRILL] Incident declared: Primary database down']);
    expect((await engine.wouldHaveSent(declared.id)).map((m) => m.notifier)).toEqual(['pager']);
  });

  it('a custom notifier is drill-safe only when it says so; templates cannot drop the mark', async () => {
    const seen: string[] = [];
    const lines: string[] = [];
    const { engine } = setup({
      notifiers: {
        own: defineNotifier({ name: 'own', drillSafe: true, send: (message) => Promise.resolve(void seen.push(message.title)) }),
        other: defineNotifier({ name: 'other', send: (message) => Promise.resolve(void seen.push(`other: ${message.title}`)) }),
        console: consoleNotifier({ log: (line) => lines.push(line) }),
      },
      routes: [{ events: ['DECLARED'], to: ['own', 'other', 'console'], template: () => ({ title: 'Custom title', text: 'Custom text' }) }],
    });
    const drill = await engine.declare({ title: 'Tabletop exercise', severity: 'SEV4', drill: true, actor: ANA });
    await engine.dispatch();
    expect(seen).toEqual(['[DRILL] Custom title']);
    expect(lines).toEqual([]);
    expect((await engine.wouldHaveSent(drill.id)).map((m) => [m.notifier, m.title, m.text]).sort()).toEqual([
      ['console', '[DRILL] Custom title', 'This is a drill: a practice incident, not a real one.\n\nCustom text'],
      ['other', '[DRILL] Custom title', 'This is a drill: a practice incident, not a real one.\n\nCustom text'],
    ]);
  });
});
