/**
 * Incident channels of the Slack notifier, through the engine's outbox and dispatcher, against a
 * local HTTP server that plays Slack's Web API: a channel per incident, its topic and invites,
 * the live incident message updated in place, archiving, and retries that never make a second
 * channel. Time is a manual clock; retries are due when the clock says so.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isIncidentKitError } from '../../src/errors.js';
import { incidentChannelName, incidentChannelOf, incidentOfChannel, renderIncidentMessage, slackNotifier, type SlackIncidentChannelOptions, type SlackThreadStore } from '../../src/channels/index.js';
import { createIncidentEngine, defineIncidentType, DEFAULT_NOTIFIED_EVENTS, sevScale, memoryStore, recordThreadStore, type Incident, type IncidentEngineOptions, type StorageAdapter } from '../../src/index.js';
import { createManualClock, sequentialIds, type ManualClock } from '../../src/testing/index.js';
import { CHANNEL, TOKEN, startFakeSlack, type FakeChannel, type FakeSlack } from '../fixtures/notify/fakeSlack.js';
import { blockKitProblems } from '../fixtures/notify/slackSpec.js';

const ANA = { id: 'ana', name: 'Ana' };
const DIRECTORY: Record<string, Record<string, string>> = {
  ana: { slack: 'U0ANA0001' },
  ben: { slack: 'U0BEN0002' },
  cleo: { slack: 'U0CLEO003' },
};

let clock: ManualClock;
let slack: FakeSlack;
beforeAll(async () => {
  slack = await startFakeSlack(() => clock.now());
});
afterAll(async () => {
  await slack.close();
});
beforeEach(() => {
  clock = createManualClock('2026-03-02T09:00:00.000Z');
  slack.posts.length = 0;
  slack.fail(undefined);
  slack.channels.reset();
});

/** A thread store that outlives notifiers and engines, as a table would. */
function durableThreads(): SlackThreadStore & { readonly data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    get: (key) => Promise.resolve(data.get(key)),
    set: (key, value) => Promise.resolve(void data.set(key, value)),
  };
}

function setup(
  incidentChannels: SlackIncidentChannelOptions = { contacts: (id) => DIRECTORY[id] },
  extra: { store?: StorageAdapter; threads?: SlackThreadStore; engine?: Partial<IncidentEngineOptions> } = {},
) {
  const threads = extra.threads ?? durableThreads();
  const engine = createIncidentEngine({
    store: extra.store ?? memoryStore(),
    clock,
    ids: sequentialIds(),
    random: () => 0,
    notifiers: { slack: slackNotifier({ token: TOKEN, channel: CHANNEL, apiBaseUrl: slack.apiBaseUrl, threadStore: threads, incidentChannels }) },
    routes: [{ events: [...DEFAULT_NOTIFIED_EVENTS, 'ROLE_ASSIGNED', 'SEVERITY_CHANGED'], to: ['slack'] }],
    delivery: { maxAttempts: 10, backoff: { baseMs: 1_000, maxMs: 60_000 }, timeoutMs: 2_000 },
    ...extra.engine,
  });
  return { engine, threads };
}

function only<T>(items: readonly T[]): T {
  expect(items).toHaveLength(1);
  return items[0] as T;
}

function theChannel(): FakeChannel {
  return only([...slack.channels.byId.values()]);
}

/** The incident message as the channel shows it now. */
function shown(channel: FakeChannel): { text: string; blocks: Record<string, unknown>[] } {
  const message = only([...channel.messages.values()]);
  return { text: String(message.text), blocks: message.blocks as Record<string, unknown>[] };
}

function buttons(blocks: readonly Record<string, unknown>[]): { action_id: string; value: string }[] {
  const actions = blocks.find((b) => b.type === 'actions');
  return ((actions?.elements ?? []) as { action_id: string; value: string }[]).map(({ action_id, value }) => ({ action_id, value }));
}

function allProblems(): string[] {
  return [...slack.channels.calls.flatMap((c) => c.problems.map((p) => `${c.method}: ${p}`)), ...slack.posts.flatMap((p) => p.problems)];
}

describe('incident channels', () => {
  it('creates a channel on declare, sets its topic, invites the commander and posts the incident message with its buttons', async () => {
    const { engine } = setup();
    const incident = await engine.declare({ title: 'Checkout API returns 502 errors', severity: 'SEV1', service: 'checkout', actor: ANA });
    await engine.assignRole(incident.id, { role: 'commander', assignee: 'ana', actor: ANA });
    expect(await engine.dispatch()).toMatchObject({ delivered: 2, retried: 0, deadLettered: 0 });

    const channel = theChannel();
    expect(channel.name).toBe('inc-20260302-checkout-api-returns-502-errors');
    expect(only(slack.channels.calledWith('conversations.create')).body).toEqual({ name: channel.name, is_private: false });
    expect(channel.topic).toBe(`[SEV1] Checkout API returns 502 errors · incident ${incident.id}`);
    expect(channel.members).toContain('U0ANA0001');
    const message = shown(channel);
    expect(message.text).toContain('Checkout API returns 502 errors');
    expect(JSON.stringify(message.blocks)).toContain('<@U0ANA0001>');
    expect(buttons(message.blocks)).toEqual([
      { action_id: 'incidentkit.acknowledge', value: incident.id },
      { action_id: 'incidentkit.mitigate', value: incident.id },
      { action_id: 'incidentkit.resolve', value: incident.id },
      { action_id: 'incidentkit.note', value: incident.id },
    ]);
    // The thread in the team channel goes on as before.
    expect(slack.posts.filter((p) => p.body.channel === CHANNEL)).toHaveLength(2);
    expect(allProblems()).toEqual([]);
  });

  it('updates the incident message in place on every change, so the channel shows the truth', async () => {
    const { engine, threads } = setup();
    const incident = await engine.declare({ title: 'Checkout down', severity: 'SEV3', actor: ANA });
    await engine.dispatch();
    const channel = theChannel();
    const [ts] = [...channel.messages.keys()];

    await engine.acknowledge(incident.id, { actor: ANA });
    await engine.dispatch();
    expect(shown(channel).text).toContain('Responding');
    expect(buttons(shown(channel).blocks).map((b) => b.action_id)).toEqual(['incidentkit.mitigate', 'incidentkit.resolve', 'incidentkit.note']);

    await engine.mitigate(incident.id, { summary: 'Failed over to the standby.', actor: ANA });
    await engine.resolve(incident.id, { actor: ANA });
    await engine.dispatch();
    const last = shown(channel);
    expect(last.text).toContain('Resolved');
    expect(JSON.stringify(last.blocks)).toContain('Mitigation: Failed over to the standby.');
    expect(buttons(last.blocks).map((b) => b.action_id)).toEqual(['incidentkit.note']);

    // One channel, one message, edited with chat.update at its ts.
    expect(slack.channels.calledWith('conversations.create')).toHaveLength(1);
    const updates = slack.channels.calledWith('chat.update');
    expect(updates.length).toBeGreaterThanOrEqual(2);
    for (const update of updates) expect(update.body).toMatchObject({ channel: channel.id, ts });
    expect(allProblems()).toEqual([]);
    expect(await incidentOfChannel(threads, channel.id)).toEqual({ tenantId: 'default', incidentId: incident.id });
    expect(await incidentChannelOf(threads, 'default', incident.id)).toMatchObject({ channel: channel.id, name: channel.name, ts });
  });

  it('updates the topic when the severity or title changes, and only then', async () => {
    const { engine } = setup();
    const incident = await engine.declare({ title: 'Checkout down', severity: 'SEV3', actor: ANA });
    await engine.dispatch();
    const channel = theChannel();
    expect(channel.topic).toBe(`[SEV3] Checkout down · incident ${incident.id}`);
    await engine.acknowledge(incident.id, { actor: ANA });
    await engine.dispatch();
    expect(slack.channels.calledWith('conversations.setTopic')).toHaveLength(1);
    await engine.setSeverity(incident.id, { severity: 'SEV1', actor: ANA });
    await engine.dispatch();
    expect(channel.topic).toBe(`[SEV1] Checkout down · incident ${incident.id}`);
    expect(slack.channels.calledWith('conversations.setTopic')).toHaveLength(2);
    expect(allProblems()).toEqual([]);
  });

  it('never replaces the message with an older state when retries reorder messages', async () => {
    const { engine } = setup();
    const incident = await engine.declare({ title: 'Checkout down', severity: 'SEV3', actor: ANA });
    await engine.dispatch();
    await engine.acknowledge(incident.id, { actor: ANA });
    await engine.mitigate(incident.id, { summary: 'Failed over.', actor: ANA });
    slack.channels.failMethod('chat.update', { status: 429, error: 'ratelimited', retryAfter: '10' });
    expect(await engine.dispatch()).toMatchObject({ retried: 1, delivered: 1 }); // the acknowledgement waits; the mitigation is shown
    expect(shown(theChannel()).text).toContain('Mitigated');
    clock.advance(10_000);
    expect(await engine.dispatch()).toMatchObject({ delivered: 1 });
    expect(shown(theChannel()).text).toContain('Mitigated');
    expect(slack.channels.calledWith('chat.update').map((c) => c.error ?? 'ok')).toEqual(['ratelimited', 'ok']);
  });

  it('posts the incident message again when someone deleted it, and carries on without a channel someone archived', async () => {
    const { engine, threads } = setup();
    const incident = await engine.declare({ title: 'Checkout down', severity: 'SEV3', actor: ANA });
    await engine.dispatch();
    const channel = theChannel();
    channel.messages.clear(); // deleted by hand
    await engine.acknowledge(incident.id, { actor: ANA });
    expect(await engine.dispatch()).toMatchObject({ delivered: 1 });
    expect(shown(channel).text).toContain('Responding');

    channel.archived = true; // archived by hand
    await engine.resolve(incident.id, { actor: ANA });
    expect(await engine.dispatch()).toMatchObject({ delivered: 1, deadLettered: 0 });
    expect(slack.posts.filter((p) => p.body.channel === CHANNEL)).toHaveLength(3); // the team channel's thread goes on
    expect(await incidentChannelOf(threads, 'default', incident.id)).toMatchObject({ gone: true, archived: true });
    const calls = slack.channels.calls.length;
    await engine.close(incident.id, { actor: ANA });
    await engine.dispatch();
    expect(slack.channels.calls).toHaveLength(calls); // left alone from then on
  });

  it('creates channels only for incidents the policy names', async () => {
    const { engine } = setup({ when: { severities: ['SEV1', 'SEV2'] } });
    await engine.declare({ title: 'Slow search', severity: 'SEV4', actor: ANA });
    await engine.dispatch();
    expect(slack.channels.byId.size).toBe(0);
    await engine.declare({ title: 'Payments down', severity: 'SEV1', actor: ANA });
    await engine.dispatch();
    expect(theChannel().name).toBe('inc-20260302-payments-down');

    slack.channels.reset();
    const byType = setup({ when: (incident: Incident) => incident.fields.type === 'security' });
    await byType.engine.declare({ title: 'Phishing wave', severity: 'SEV3', actor: ANA });
    await byType.engine.dispatch();
    expect(slack.channels.byId.size).toBe(0);

    const security = defineIncidentType({ name: 'security', severityScale: sevScale, fields: z.strictObject({}) });
    const typed = setup({ when: { types: ['security'] } }, { engine: { types: [security] } });
    await typed.engine.declare({ title: 'Disk full', severity: 'SEV2', actor: ANA });
    await typed.engine.declare({ type: 'security', title: 'Credential leak', severity: 'SEV2', fields: {}, actor: ANA });
    await typed.engine.dispatch();
    expect([...slack.channels.byId.values()].map((c) => c.name)).toEqual(['inc-20260302-credential-leak']);
  });

  it('appends -2, -3 … when a name is taken', async () => {
    slack.channels.takeName('inc-20260302-checkout-down');
    slack.channels.takeName('inc-20260302-checkout-down-2');
    const { engine } = setup();
    await engine.declare({ title: 'Checkout down', severity: 'SEV2', actor: ANA });
    expect(await engine.dispatch()).toMatchObject({ delivered: 1 });
    expect(theChannel().name).toBe('inc-20260302-checkout-down-3');
    expect(slack.channels.calledWith('conversations.create').map((c) => c.error ?? 'ok')).toEqual(['name_taken', 'name_taken', 'ok']);
  });

  it('retries at the time of Slack’s Retry-After when rate limited, without a second channel', async () => {
    const { engine } = setup();
    const incident = await engine.declare({ title: 'Checkout down', severity: 'SEV2', actor: ANA });
    await engine.assignRole(incident.id, { role: 'commander', assignee: 'ben', actor: ANA });
    slack.channels.failMethod('conversations.invite', { status: 429, error: 'ratelimited', retryAfter: '30' });
    const failures: string[] = [];
    engine.on('notification.failed', (info) => failures.push(info.retryAt));

    const first = await engine.dispatch();
    expect(first.retried).toBeGreaterThanOrEqual(1);
    expect(failures[0]).toBe('2026-03-02T09:00:30.000Z');
    clock.advance(29_000);
    expect(await engine.dispatch()).toMatchObject({ claimed: 0 });
    clock.advance(1_000);
    const second = await engine.dispatch();
    expect(second.deadLettered).toBe(0);
    expect(await engine.dispatch()).toMatchObject({ claimed: 0 });

    expect(slack.channels.calledWith('conversations.create')).toHaveLength(1);
    expect(theChannel().members).toContain('U0BEN0002');
    expect(slack.channels.calledWith('conversations.setTopic')).toHaveLength(1); // not set again on the retry
    expect(theChannel().messages.size).toBe(1);
  });

  it('loses nothing in a Slack outage: every step is retried until Slack is back', async () => {
    const { engine } = setup();
    await engine.declare({ title: 'Checkout down', severity: 'SEV2', actor: ANA });
    slack.fail({ status: 503, error: 'service_unavailable' }); // the team channel's thread
    slack.channels.failMethod('conversations.create', { status: 503, error: 'service_unavailable', times: 3 });
    let delivered = 0;
    for (let round = 0; round < 8 && delivered === 0; round += 1) {
      if (round === 4) slack.fail(undefined);
      delivered += (await engine.dispatch()).delivered;
      clock.advance(60_000);
    }
    expect(delivered).toBe(1);
    expect(slack.channels.calledWith('conversations.create').map((c) => c.error ?? 'ok')).toEqual(['service_unavailable', 'service_unavailable', 'service_unavailable', 'ok']);
    expect(theChannel().messages.size).toBe(1);
    expect(await engine.deadLetters()).toEqual([]);
  });

  it('finds the channel a create with a lost answer made instead of making a second one', async () => {
    const { engine } = setup();
    await engine.declare({ title: 'Checkout down', severity: 'SEV2', actor: ANA });
    slack.channels.failMethod('conversations.create', { drop: true });
    expect(await engine.dispatch()).toMatchObject({ retried: 1 });
    clock.advance(60_000);
    expect(await engine.dispatch()).toMatchObject({ delivered: 1 });
    expect(theChannel().name).toBe('inc-20260302-checkout-down');
    expect(slack.channels.calledWith('conversations.create').map((c) => c.error ?? 'ok')).toEqual(['dropped', 'name_taken']);
    expect(slack.channels.calledWith('conversations.list')).toHaveLength(1);
    expect(theChannel().messages.size).toBe(1);
  });

  it('continues after a restart and on another engine: the channel and message are kept in the thread store', async () => {
    const store = memoryStore();
    const threads = recordThreadStore(store, { clock }); // kept in the engine's own store
    const first = setup(undefined, { store, threads });
    const incident = await first.engine.declare({ title: 'Checkout down', severity: 'SEV2', actor: ANA });
    await first.engine.dispatch();
    // A new process: a new engine and notifier on the same database and thread store.
    const second = setup(undefined, { store, threads });
    await second.engine.acknowledge(incident.id, { actor: ANA });
    await second.engine.dispatch();
    expect(slack.channels.calledWith('conversations.create')).toHaveLength(1);
    expect(slack.channels.calledWith('chat.update')).toHaveLength(1);
    expect(shown(theChannel()).text).toContain('Responding');
  });

  it('invites whoever the escalation paged; a person Slack does not know is skipped, the rest still invited', async () => {
    slack.channels.unknownUsers.add('U0CLEO003');
    const { engine } = setup(
      { contacts: (id) => DIRECTORY[id], alwaysInvite: ['U0MGR0009'] },
      { engine: { policies: { escalation: { levels: [{ afterMinutes: 5, targets: [{ kind: 'user', id: 'cleo' }, { kind: 'user', id: 'ben' }, { kind: 'user', id: 'nobody' }] }] } } } },
    );
    await engine.declare({ title: 'Checkout down', severity: 'SEV2', actor: ANA });
    await engine.dispatch();
    clock.advance(5 * 60_000);
    await engine.tick();
    expect(await engine.dispatch()).toMatchObject({ deadLettered: 0 });
    expect(theChannel().members.sort()).toEqual(['U0BEN0002', 'U0BOT00000', 'U0MGR0009']);
    expect(slack.channels.calledWith('conversations.invite').map((c) => [c.body.users, c.error ?? 'ok'])).toEqual([
      ['U0MGR0009', 'ok'],
      ['U0CLEO003', 'user_not_found'],
      ['U0BEN0002', 'ok'],
    ]);
    expect(allProblems()).toEqual([]);
  });

  it('archives the channel after close when configured, with the final state shown', async () => {
    const { engine } = setup({ archiveOnClose: true });
    const incident = await engine.declare({ title: 'Checkout down', severity: 'SEV3', actor: ANA });
    await engine.resolve(incident.id, { actor: ANA });
    await engine.dispatch();
    expect(theChannel().archived).toBe(false);
    await engine.close(incident.id, { actor: ANA });
    await engine.dispatch();
    expect(theChannel().archived).toBe(true);
    expect(shown(theChannel()).text).toContain('Closed');
    expect(buttons(shown(theChannel()).blocks)).toEqual([]);
    expect(only(slack.channels.calledWith('conversations.archive')).body).toEqual({ channel: theChannel().id });
  });

  it('does not archive without archiveOnClose', async () => {
    const { engine } = setup();
    const incident = await engine.declare({ title: 'Checkout down', severity: 'SEV3', actor: ANA });
    await engine.cancel(incident.id, { reason: 'false_positive', actor: ANA });
    await engine.dispatch();
    expect(theChannel().archived).toBe(false);
    expect(slack.channels.calledWith('conversations.archive')).toEqual([]);
  });
});

describe('incidentChannelName', () => {
  const base = { id: 'inc_7', title: 'Checkout', severity: 'SEV1', detectedAt: '2026-03-02T09:00:00.000Z' } as unknown as Incident;

  it('keeps to Slack’s rules: lowercase letters, digits, hyphens and underscores, at most 80 characters', () => {
    const names = [
      incidentChannelName('inc-{yyyymmdd}-{slug}', { ...base, title: 'Ärger mit der Kasse: 50% Fehler!!' }),
      incidentChannelName('inc-{yyyymmdd}-{slug}', { ...base, title: 'x'.repeat(300) }),
      incidentChannelName('inc-{yyyymmdd}-{slug}', { ...base, title: 'y'.repeat(300) }, 11),
      incidentChannelName('{severity}_{id}_{service}', base),
      incidentChannelName('{slug}', { ...base, title: '🔥🔥' }),
      incidentChannelName('INC {SLUG}', base),
    ];
    for (const name of names) expect(name).toMatch(/^[a-z0-9_-]{1,80}$/);
    expect(names[0]).toBe('inc-20260302-arger-mit-der-kasse-50-fehler');
    expect(names[2]?.endsWith('-12')).toBe(true);
    expect(names[3]).toBe('sev1_inc_7_');
    expect(names[4]).toBe('inc-inc_7');
  });
});

describe('incidentChannelName (property)', () => {
  it('always gives a valid Slack name for any title, template and suffix', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 120 }), fc.integer({ min: 0, max: 60 }), (title, template, taken) => {
        const incident = { id: 'inc_01HZ', title, severity: 'SEV2', detectedAt: '2026-03-02T09:00:00.000Z' } as unknown as Incident;
        const name = incidentChannelName(template, incident, taken);
        expect(name).toMatch(/^[a-z0-9_-]{1,80}$/);
        if (taken > 0) expect(name.endsWith(`-${String(taken + 1)}`)).toBe(true);
      }),
    );
  });
});

describe('incidentChannels options', () => {
  it('refuses malformed options with a ConfigError naming the option', () => {
    const make = (incidentChannels: unknown) => () => slackNotifier({ token: TOKEN, channel: CHANNEL, incidentChannels: incidentChannels as SlackIncidentChannelOptions });
    for (const [bad, path] of [
      [{ when: 'some' }, 'when'],
      [{ when: { severities: 'SEV1' } }, 'severities'],
      [{ when: { types: [7] } }, 'types'],
      [{ name: '  ' }, 'name'],
      [{ alwaysInvite: ['<!channel>'] }, 'alwaysInvite'],
      [{ archiveOnClose: 'yes' }, 'archiveOnClose'],
      [{ contacts: {} }, 'contacts'],
      [null, 'incidentChannels'],
    ] as const) {
      let error: unknown;
      try {
        make(bad)();
      } catch (caught) {
        error = caught;
      }
      expect(isIncidentKitError(error, 'CONFIG_INVALID'), JSON.stringify(bad)).toBe(true);
      expect((error as Error).message).toContain(path);
    }
    expect(make({})).not.toThrow();
    // No team channel: allowed with incident channels only.
    expect(() => slackNotifier({ token: TOKEN, incidentChannels: {} })).not.toThrow();
    expect(() => slackNotifier({ token: TOKEN })).toThrow(/a channel \(or incidentChannels\)/);
  });

  it('posts to the incident channels alone when no team channel is given', async () => {
    const engine = createIncidentEngine({
      store: memoryStore(),
      clock,
      ids: sequentialIds(),
      notifiers: { slack: slackNotifier({ token: TOKEN, apiBaseUrl: slack.apiBaseUrl, incidentChannels: {} }) },
    });
    const incident = await engine.declare({ title: 'Checkout down', severity: 'SEV3', actor: ANA });
    await engine.acknowledge(incident.id, { actor: ANA });
    expect(await engine.dispatch()).toMatchObject({ delivered: 2, deadLettered: 0 });
    expect(slack.posts.map((p) => p.body.channel)).toEqual([theChannel().id]);
    expect(shown(theChannel()).text).toContain('Responding');
  });
});

describe('renderIncidentMessage', () => {
  it('renders valid Block Kit whose mrkdwn cannot mention @channel', () => {
    const incident = { id: 'inc_7', title: 'Fix <!channel> now', summary: 'Ping <!here>', severity: 'SEV1', status: 'triage', roles: {}, updatedAt: '2026-03-02T09:00:00.000Z' } as unknown as Incident;
    const { text, blocks } = renderIncidentMessage(incident);
    expect(blockKitProblems(blocks)).toEqual([]);
    expect(text).not.toContain('<!channel>');
    // The header is plain_text (never parsed for mentions); every mrkdwn text is escaped.
    const mrkdwn = JSON.stringify(blocks.slice(1));
    expect(mrkdwn).not.toContain('<!channel>');
  });
});
