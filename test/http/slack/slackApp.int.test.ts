/**
 * slackApp behind a real node:http server on 127.0.0.1 (createIncidentHandler + toNodeListener),
 * with requests built exactly as Slack sends them (form encoding, headers, v0 signature), and a
 * fake Slack on 127.0.0.1 receiving `views.open` calls and `response_url` posts.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIncidentEngine } from '../../../src/createIncidentEngine.js';
import type { Authorize } from '../../../src/engine/types.js';
import type { IncidentEngine } from '../../../src/incidentEngine.js';
import { memoryStore } from '../../../src/storage/memory.js';
import { AdapterError } from '../../../src/errors.js';
import { wrapStore } from '../../helpers.js';
import { createManualClock, type ManualClock } from '../../../src/testing/manualClock.js';
import { createIncidentHandler } from '../../../src/http/createIncidentHandler.js';
import { slackApp, type SlackApp, type SlackAppOptions } from '../../../src/http/slack/slackApp.js';
import { slackSignature, verifySlackSignature } from '../../../src/channels/slack/signature.js';
import { startFakeSlack, TOKEN, type FakeSlack } from '../../fixtures/notify/fakeSlack.js';
import { startServer, type TestServer } from '../server.js';

const SECRET = 'e6b19c573432dcc6b075501d51b51bb8';
const NOW = '2026-12-06T10:00:00.000Z';

let fake: FakeSlack;
let server: TestServer | undefined;
let clock: ManualClock;

beforeEach(async () => {
  fake = await startFakeSlack();
  clock = createManualClock(NOW);
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await fake.close();
});

interface Setup {
  readonly app: SlackApp;
  readonly engine: IncidentEngine;
  readonly url: string;
}

async function setup(options: { authorize?: Authorize; app?: Partial<SlackAppOptions>; basePath?: string } = {}): Promise<Setup> {
  const app = slackApp({ signingSecret: SECRET, botToken: TOKEN, channel: 'C0123456789', apiUrl: fake.apiBaseUrl, clock, onError: () => undefined, ...options.app });
  const engine = createIncidentEngine({ store: memoryStore(), clock, notifiers: { slack: app.notifier }, ...(options.authorize === undefined ? {} : { authorize: options.authorize }) });
  server = await startServer(createIncidentHandler(engine, { slack: app, ...(options.basePath === undefined ? {} : { basePath: options.basePath }) }));
  return { app, engine, url: `${server.url}${options.basePath ?? ''}/slack` };
}

function seconds(): string {
  return String(Math.floor(clock.now().getTime() / 1000));
}

/** Posts a body as Slack does: signed with the secret, with Slack's headers. */
async function slackPost(url: string, body: string, options: { contentType?: string; secret?: string; timestamp?: string; signature?: string | null; headers?: Record<string, string> } = {}): Promise<Response> {
  const timestamp = options.timestamp ?? seconds();
  const signature = options.signature === undefined ? await slackSignature(options.secret ?? SECRET, timestamp, body) : options.signature;
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': options.contentType ?? 'application/x-www-form-urlencoded',
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      'x-slack-request-timestamp': timestamp,
      ...(signature === null ? {} : { 'x-slack-signature': signature }),
      ...options.headers,
    },
    body,
  });
}

let responseCounter = 0;

/** A slash command's form body, with every field Slack sends. */
function slashBody(text: string, overrides: Record<string, string> = {}): { body: string; responseId: string } {
  responseCounter += 1;
  const responseId = `R${String(responseCounter)}`;
  const body = new URLSearchParams({
    token: 'gIkuvaNzQIHg97ATvDxqgjtO',
    team_id: 'T0001',
    team_domain: 'example',
    enterprise_id: 'E0001',
    enterprise_name: 'Globular Construct Inc',
    channel_id: 'C2147483705',
    channel_name: 'general',
    user_id: 'U2147483697',
    user_name: 'alice',
    command: '/incident',
    text,
    api_app_id: 'A123456',
    is_enterprise_install: 'false',
    response_url: fake.inbound.responseUrl(responseId),
    trigger_id: '13345224609.738474920.8088930838d88f008e0',
    ...overrides,
  }).toString();
  return { body, responseId };
}

function interactionBody(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

function buttonPayload(actionId: string, incidentId: string, responseId: string, userId = 'U2147483697'): Record<string, unknown> {
  return {
    type: 'block_actions',
    user: { id: userId, username: 'alice', name: 'alice', team_id: 'T0001' },
    api_app_id: 'A123456',
    token: 'gIkuvaNzQIHg97ATvDxqgjtO',
    container: { type: 'message', message_ts: '1770000001.000001', channel_id: 'C0123456789', is_ephemeral: false },
    trigger_id: '12466734323.1395872398.ac1bc8bcfa1cd7ee5e5fc2f6ae6b4ad9',
    team: { id: 'T0001', domain: 'example' },
    channel: { id: 'C0123456789', name: 'incidents' },
    response_url: fake.inbound.responseUrl(responseId),
    actions: [
      {
        action_id: actionId,
        block_id: 'incidentkit:actions',
        text: { type: 'plain_text', text: 'Button', emoji: true },
        value: incidentId,
        type: 'button',
        action_ts: '1770000002.000002',
      },
    ],
  };
}

describe('Slack request verification', () => {
  it("verifies Slack's documented example (docs.slack.dev, Verifying requests from Slack)", async () => {
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    const request = {
      signingSecret: '8f742231b10e8888abcd99yyyzzz85a5',
      timestamp: '1531420618',
      signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
      body: new TextEncoder().encode(body),
      now: new Date(1531420618 * 1000 + 60_000),
    };
    expect(await slackSignature(request.signingSecret, request.timestamp, body)).toBe(request.signature);
    expect(await verifySlackSignature(request)).toBe(true);
    expect(await verifySlackSignature({ ...request, now: new Date((1531420618 + 301) * 1000) })).toBe(false);
    expect(await verifySlackSignature({ ...request, now: new Date((1531420618 - 301) * 1000) })).toBe(false);
    expect(await verifySlackSignature({ ...request, body: new TextEncoder().encode(`${body}x`) })).toBe(false);
    expect(await verifySlackSignature({ ...request, signingSecret: 'another' })).toBe(false);
    expect(await verifySlackSignature({ ...request, signature: null })).toBe(false);
    expect(await verifySlackSignature({ ...request, timestamp: '1531420618.5' })).toBe(false);
  });

  it('answers 401 to unsigned, badly signed and stale requests, and changes nothing', async () => {
    const { url, engine, app } = await setup();
    const { body } = slashBody('declare Database down sev1');
    const stale = String(Math.floor(clock.now().getTime() / 1000) - 301);
    const refused = [
      await slackPost(`${url}/commands`, body, { signature: null }),
      await slackPost(`${url}/commands`, body, { secret: 'not-the-secret' }),
      await slackPost(`${url}/commands`, body, { timestamp: stale, signature: await slackSignature(SECRET, stale, body) }),
      await slackPost(`${url}/commands`, body, { signature: `v0=${'0'.repeat(64)}` }),
      await slackPost(`${url}/interactions`, interactionBody(buttonPayload('incidentkit.resolve', 'inc_1', 'x')), { secret: 'nope' }),
      await slackPost(`${url}/events`, '{"type":"url_verification","challenge":"abc"}', { contentType: 'application/json', signature: null }),
    ];
    expect(refused.map((response) => response.status)).toEqual([401, 401, 401, 401, 401, 401]);
    await app.settled();
    expect((await engine.list()).items).toEqual([]);
    expect(fake.inbound.responses).toEqual([]);
  });
});

describe('Slack slash commands', () => {
  it('acknowledges at once, runs the command as the Slack user, and posts the result to response_url', async () => {
    const { url, engine, app } = await setup({
      app: { users: { resolve: (slackUserId, profile) => ({ id: `u_${slackUserId}`, ...(profile.userName === undefined ? {} : { name: profile.userName }) }) } },
    });
    const { body, responseId } = slashBody('declare Database down sev1 service:db');
    const response = await slackPost(`${url}/commands`, body);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('Working on it') as unknown });

    await app.settled();
    const [incident] = (await engine.list()).items;
    expect(incident).toMatchObject({ title: 'Database down', severity: 'SEV1', service: 'db', status: 'triage' });
    const [declared] = await engine.timeline(incident?.id ?? '');
    expect(declared?.actor).toEqual({ kind: 'user', id: 'u_U2147483697', name: 'alice' });
    expect(fake.inbound.responses).toEqual([
      { id: responseId, body: expect.objectContaining({ response_type: 'in_channel', text: expect.stringContaining('alice declared') as unknown }) as unknown },
    ]);

    const ack = slashBody(`ack #${incident?.id ?? ''}`);
    expect((await slackPost(`${url}/commands`, ack.body)).status).toBe(200);
    await app.settled();
    expect((await engine.get(incident?.id ?? '')).status).toBe('responding');
    expect(fake.inbound.responses.at(-1)).toMatchObject({ id: ack.responseId, body: { response_type: 'in_channel' } });
  });

  it('uses the incident of an incident channel when the command names none', async () => {
    const { url, engine, app } = await setup({ app: { incidentOfChannel: (channelId) => (channelId === 'C_INC' ? incidentId : undefined) } });
    const { id: incidentId } = await engine.declare({ title: 'API slow', severity: 'SEV3', actor: { id: 'u_x' } });
    await slackPost(`${url}/commands`, slashBody('note looking at the db &amp; cache', { channel_id: 'C_INC' }).body);
    await app.settled();
    const timeline = await engine.timeline(incidentId);
    expect(timeline.at(-1)).toMatchObject({ type: 'NOTE_ADDED', data: { text: 'looking at the db & cache' } });
  });

  it('opens a channel for each incident by default, and a command typed there names no incident', async () => {
    const app = slackApp({ signingSecret: SECRET, botToken: TOKEN, apiUrl: fake.apiBaseUrl, clock, onError: () => undefined });
    const engine = createIncidentEngine({ store: memoryStore(), clock, notifiers: { slack: app.notifier } });
    server = await startServer(createIncidentHandler(engine, { slack: app }));
    const incident = await engine.declare({ title: 'Checkout down', severity: 'SEV1', actor: { id: 'u_x' } });
    await engine.dispatch();
    const [created] = fake.channels.calledWith('conversations.create');
    const channel = [...fake.channels.byId.values()].find((c) => c.name === created?.body.name);
    expect(channel?.name).toMatch(/^inc-20261206-checkout-down/);
    await slackPost(`${server.url}/slack/commands`, slashBody('ack', { channel_id: channel?.id ?? '' }).body);
    await app.settled();
    expect((await engine.get(incident.id)).status).toBe('responding');
  });

  it('refuses to start without a channel when incident channels are off', () => {
    expect(() => slackApp({ signingSecret: SECRET, botToken: TOKEN, channels: false })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }) as Error);
  });

  it('answers help and mistakes at once, ephemerally, and writes nothing', async () => {
    const { url, engine, app } = await setup();
    const help = await slackPost(`${url}/commands`, slashBody('').body);
    expect(await help.json()).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('/incident declare') as unknown });
    const wrong = await slackPost(`${url}/commands`, slashBody('explode everything').body);
    expect(await wrong.json()).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('not a command') as unknown });
    const sslCheck = await slackPost(`${url}/commands`, 'ssl_check=1&token=gIkuvaNzQIHg97ATvDxqgjtO');
    expect(sslCheck.status).toBe(200);
    const unnamed = await slackPost(`${url}/commands`, slashBody('ack').body);
    expect(unnamed.status).toBe(200);
    await app.settled();
    expect(fake.inbound.responses.at(-1)?.body).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('Which incident?') as unknown });
    expect((await engine.list()).items).toEqual([]);
  });

  it('explains a command authorize denies, ephemerally, and writes nothing', async () => {
    const authorize: Authorize = ({ actor, action }) => action === 'read' || actor.id !== 'U_MALLORY';
    const { url, engine, app } = await setup({ authorize });
    const { id } = await engine.declare({ title: 'API slow', severity: 'SEV3', actor: { id: 'u_x' } });
    await slackPost(`${url}/commands`, slashBody(`resolve #${id}`, { user_id: 'U_MALLORY' }).body);
    await slackPost(`${url}/commands`, slashBody('declare Fake outage', { user_id: 'U_MALLORY' }).body);
    await app.settled();
    expect(fake.inbound.responses.map((post) => post.body.response_type)).toEqual(['ephemeral', 'ephemeral']);
    expect(fake.inbound.responses[0]?.body.text).toContain('not allowed');
    expect((await engine.get(id)).status).toBe('triage');
    expect((await engine.list()).items).toHaveLength(1);
  });

  it('refuses a Slack user that users.resolve does not know', async () => {
    const { url, engine, app } = await setup({ app: { users: { resolve: () => null } } });
    await slackPost(`${url}/commands`, slashBody('declare Database down').body);
    await app.settled();
    expect(fake.inbound.responses[0]?.body).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('not linked') as unknown });
    expect((await engine.list()).items).toEqual([]);
  });
});

describe('Slack failures', () => {
  it('tells the person when the store fails after the acknowledgement, and reports the error', async () => {
    const errors: unknown[] = [];
    const app = slackApp({ signingSecret: SECRET, botToken: TOKEN, channel: 'C1', apiUrl: fake.apiBaseUrl, clock, onError: (error) => errors.push(error) });
    const store = wrapStore(memoryStore(), {
      commit: () => Promise.reject(new AdapterError({ adapter: 'memory', operation: 'commit' }, 'The database is down.')),
    });
    const engine = createIncidentEngine({ store, clock });
    server = await startServer(createIncidentHandler(engine, { slack: app }));
    const { body, responseId } = slashBody('declare Database down sev1');
    expect((await slackPost(`${server.url}/slack/commands`, body)).status).toBe(200);
    await app.settled();
    expect((await fake.inbound.responseTo(responseId)).body).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('went wrong') as unknown });
    expect(errors).toEqual([expect.objectContaining({ code: 'ADAPTER_FAILED' })]);
  });

  it('tells the person when the note modal cannot be opened', async () => {
    const { url, engine } = await setup();
    const { id } = await engine.declare({ title: 'API slow', severity: 'SEV3', actor: { id: 'u_x' } });
    fake.inbound.failViewsOpen('expired_trigger_id');
    expect((await slackPost(`${url}/interactions`, interactionBody(buttonPayload('incidentkit.note', id, 'noteFail')))).status).toBe(200);
    expect((await fake.inbound.responseTo('noteFail')).body).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('could not be opened') as unknown });
  });
});

describe('Slack interactivity', () => {
  it('runs the incident message buttons and posts the result ephemerally', async () => {
    const { url, engine, app } = await setup();
    const { id } = await engine.declare({ title: 'API slow', severity: 'SEV3', actor: { id: 'u_x' } });
    for (const [actionId, status] of [
      ['incidentkit.acknowledge', 'responding'],
      ['incidentkit.mitigate', 'mitigated'],
      ['incidentkit.resolve', 'resolved'],
    ] as const) {
      const response = await slackPost(`${url}/interactions`, interactionBody(buttonPayload(actionId, id, actionId)));
      expect(response.status).toBe(200);
      await app.settled();
      expect((await engine.get(id)).status).toBe(status);
      expect(fake.inbound.responses.at(-1)).toMatchObject({ id: actionId, body: { response_type: 'ephemeral', replace_original: false } });
    }
    const again = await slackPost(`${url}/interactions`, interactionBody(buttonPayload('incidentkit.acknowledge', id, 'again')));
    expect(again.status).toBe(200);
    await app.settled();
    expect(fake.inbound.responses.at(-1)?.body.text).toContain('Nothing was changed');
    expect((await engine.timeline(id)).map((event) => event.actor.id)).toEqual(['u_x', 'U2147483697', 'U2147483697', 'U2147483697']);
  });

  it('opens the note modal with views.open and records the submitted note', async () => {
    const { url, engine } = await setup();
    const { id } = await engine.declare({ title: 'API slow', severity: 'SEV3', actor: { id: 'u_x' } });
    const opened = await slackPost(`${url}/interactions`, interactionBody(buttonPayload('incidentkit.note', id, 'note')));
    expect(opened.status).toBe(200);
    expect(fake.inbound.viewsOpened).toHaveLength(1);
    const view = fake.inbound.viewsOpened[0]?.view ?? {};
    expect(view).toMatchObject({ type: 'modal', callback_id: 'incidentkit.note', private_metadata: id });

    const submission = (value: string | null) => ({
      type: 'view_submission',
      team: { id: 'T0001', domain: 'example' },
      user: { id: 'U2147483697', username: 'alice', name: 'alice', team_id: 'T0001' },
      api_app_id: 'A123456',
      token: 'gIkuvaNzQIHg97ATvDxqgjtO',
      trigger_id: '12466734323.1395872398.ac1bc8bcfa1cd7ee5e5fc2f6ae6b4ad9',
      view: { ...view, id: 'V1', state: { values: { note: { text: { type: 'plain_text_input', value } } } } },
    });
    const empty = await slackPost(`${url}/interactions`, interactionBody(submission(null)));
    expect(await empty.json()).toEqual({ response_action: 'errors', errors: { note: 'Write the note first.' } });
    const submitted = await slackPost(`${url}/interactions`, interactionBody(submission('Customers see 502s on checkout')));
    expect(submitted.status).toBe(200);
    expect(await submitted.text()).toBe('');
    expect((await engine.timeline(id)).at(-1)).toMatchObject({ type: 'NOTE_ADDED', data: { text: 'Customers see 502s on checkout' }, actor: { id: 'U2147483697' } });

    await engine.cancel(id, { reason: 'false_positive', actor: { id: 'u_x' } });
    const refused = await slackPost(`${url}/interactions`, interactionBody(submission('too late')));
    expect(await refused.json()).toMatchObject({ response_action: 'errors', errors: { note: expect.stringContaining('Nothing was changed') as unknown } });
  });
});

describe('Slack Events API', () => {
  it('answers the url_verification challenge and adds mentions in an incident channel as notes', async () => {
    const { url, engine, app } = await setup({ app: { incidentOfChannel: (channelId) => (channelId === 'C_INC' ? incidentId : undefined) } });
    const { id: incidentId } = await engine.declare({ title: 'API slow', severity: 'SEV3', actor: { id: 'u_x' } });
    const challenge = await slackPost(`${url}/events`, JSON.stringify({ token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl', challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P', type: 'url_verification' }), {
      contentType: 'application/json',
    });
    expect(await challenge.json()).toEqual({ challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });

    const mention = (channel: string) =>
      JSON.stringify({
        token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl',
        team_id: 'T0001',
        api_app_id: 'A123456',
        event: { type: 'app_mention', user: 'U2147483697', text: '<@U0LAN0Z89> the cache is cold', ts: '1515449522.000016', channel, event_ts: '1515449522000016' },
        type: 'event_callback',
        event_id: 'Ev0LAN670R',
        event_time: 1515449522000016,
      });
    expect((await slackPost(`${url}/events`, mention('C_INC'), { contentType: 'application/json' })).status).toBe(200);
    expect((await slackPost(`${url}/events`, mention('C_OTHER'), { contentType: 'application/json' })).status).toBe(200);
    expect((await slackPost(`${url}/events`, mention('C_INC'), { contentType: 'application/json', headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } })).status).toBe(200);
    await app.settled();
    const notes = (await engine.timeline(incidentId)).filter((event) => event.type === 'NOTE_ADDED');
    expect(notes.map((event) => event.data)).toEqual([{ text: 'the cache is cold' }]);
  });
});

describe('Slack note reactions', () => {
  const reaction = (channel: string, ts: string, user: string, emoji = 'memo') =>
    JSON.stringify({
      token: 'XXYYZZ',
      team_id: 'T123ABC456',
      api_app_id: 'A123ABC456',
      event: { type: 'reaction_added', user, reaction: emoji, item_user: 'U222222222', item: { type: 'message', channel, ts, channel_type: 'channel' }, event_ts: '1360782804.083113' },
      type: 'event_callback',
      event_id: 'Ev123ABC456',
      event_time: 123456789,
    });

  async function withIncidentChannel(options: { noteReaction?: string | null } = {}, authorize?: Authorize) {
    const errors: unknown[] = [];
    const noteReaction = options.noteReaction === null ? {} : { noteReaction: options.noteReaction ?? 'memo' };
    const app = slackApp({ signingSecret: SECRET, botToken: TOKEN, apiUrl: fake.apiBaseUrl, clock, ...noteReaction, onError: (error) => errors.push(error) });
    const engine = createIncidentEngine({ store: memoryStore(), clock, notifiers: { slack: app.notifier }, ...(authorize === undefined ? {} : { authorize }) });
    server = await startServer(createIncidentHandler(engine, { slack: app }));
    const incident = await engine.declare({ title: 'Checkout down', severity: 'SEV1', actor: { id: 'u_x' } });
    await engine.dispatch();
    const channel = [...fake.channels.byId.values()].find((c) => c.name.startsWith('inc-20261206-checkout-down'));
    if (channel === undefined) throw new Error('no incident channel was opened');
    const post = async (body: string) => (await slackPost(`${server?.url ?? ''}/slack/events`, body, { contentType: 'application/json' })).status;
    return { app, engine, incident, channel, errors, post };
  }

  it('adds a message that gets the note emoji as a note, once, by the first person who reacted', async () => {
    const { app, engine, incident, channel, errors, post } = await withIncidentChannel();
    const ts = fake.channels.say(channel.id, 'U222222222', 'Rolled back deploy 4512 &amp; the error rate is falling');
    fake.channels.react(channel.id, ts, 'memo', 'U123ABC456');
    expect(await post(reaction(channel.id, ts, 'U123ABC456'))).toBe(200);
    await app.settled();
    // A second scribe, a skin-toned variant and another emoji add nothing more.
    fake.channels.react(channel.id, ts, 'memo', 'U333333333');
    expect(await post(reaction(channel.id, ts, 'U333333333'))).toBe(200);
    fake.channels.react(channel.id, ts, 'eyes', 'U123ABC456');
    expect(await post(reaction(channel.id, ts, 'U123ABC456', 'eyes'))).toBe(200);
    await app.settled();
    const notes = (await engine.timeline(incident.id)).filter((event) => event.type === 'NOTE_ADDED');
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ actor: { id: 'U123ABC456' }, data: { text: 'Rolled back deploy 4512 & the error rate is falling (a Slack message by U222222222)' } });
    const read = fake.channels.calledWith('conversations.history');
    expect(read).toHaveLength(2);
    expect(read[0]?.problems).toEqual([]);
    expect(read[0]?.body).toMatchObject({ channel: channel.id, oldest: ts, latest: ts, inclusive: true, limit: 1 });
    expect(errors).toEqual([]);
  });

  it('ignores reactions outside incident channels, and without noteReaction', async () => {
    const { app, engine, incident, channel, post } = await withIncidentChannel({ noteReaction: null });
    const ts = fake.channels.say(channel.id, 'U222222222', 'A guess');
    fake.channels.react(channel.id, ts, 'memo', 'U123ABC456');
    expect(await post(reaction(channel.id, ts, 'U123ABC456'))).toBe(200);
    expect(await post(reaction('C_NOT_AN_INCIDENT', ts, 'U123ABC456'))).toBe(200);
    await app.settled();
    expect((await engine.timeline(incident.id)).filter((event) => event.type === 'NOTE_ADDED')).toEqual([]);
    expect(fake.channels.calledWith('conversations.history')).toEqual([]);
  });

  it('reports a message it cannot read, and a reaction authorize denies, and writes nothing', async () => {
    const deny: Authorize = ({ actor, action }) => !(action === 'addNote' && actor.id === 'U_GUEST');
    const { app, engine, incident, channel, errors, post } = await withIncidentChannel({}, deny);
    const ts = fake.channels.say(channel.id, 'U222222222', 'Not for guests');
    fake.channels.react(channel.id, ts, 'memo', 'U_GUEST');
    expect(await post(reaction(channel.id, ts, 'U_GUEST'))).toBe(200);
    expect(await post(reaction(channel.id, '1770099999.000001', 'U123ABC456'))).toBe(200);
    await app.settled();
    expect((await engine.timeline(incident.id)).filter((event) => event.type === 'NOTE_ADDED')).toEqual([]);
    // The two reactions are worked on concurrently: their reports may come in either order.
    const reports = errors.map((error) => String(error));
    expect(reports).toHaveLength(2);
    expect(reports).toEqual(expect.arrayContaining([expect.stringContaining('not allowed'), expect.stringContaining('was not found')]));
  });

  it('refuses a noteReaction that is not an emoji name', () => {
    expect(() => slackApp({ signingSecret: SECRET, botToken: TOKEN, noteReaction: ':memo:' })).toThrow(/emoji's name without colons/);
  });
});

describe('mounting', () => {
  it('serves under basePath, and 503 when called directly before an engine is bound', async () => {
    const { url } = await setup({ basePath: '/api' });
    const challenge = await slackPost(`${url}/events`, '{"type":"url_verification","challenge":"c1"}', { contentType: 'application/json' });
    expect(await challenge.json()).toEqual({ challenge: 'c1' });
    const other = await fetch(`${url}/nothing`, { method: 'POST' });
    expect(other.status).toBe(404);

    const lonely = slackApp({ signingSecret: SECRET, botToken: TOKEN, channel: 'C1', clock });
    const body = slashBody('ack').body;
    const timestamp = seconds();
    const request = () =>
      new Request('http://localhost/slack/commands', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature },
        body,
      });
    const signature = await slackSignature(SECRET, timestamp, body);
    expect((await lonely.handleRequest(request())).status).toBe(503);
    const engine = createIncidentEngine({ store: memoryStore(), clock });
    lonely.connect(engine);
    expect((await lonely.handleRequest(request())).status).toBe(200);
    expect(() => {
      lonely.connect(createIncidentEngine({ store: memoryStore(), clock }));
    }).toThrow(/already bound/);
    await lonely.settled();
  });

  it('never answers 500 to signed garbage, and writes nothing (fast-check)', async () => {
    const app = slackApp({ signingSecret: SECRET, botToken: TOKEN, channel: 'C1', apiUrl: fake.apiBaseUrl, clock, onError: () => undefined });
    const engine = createIncidentEngine({ store: memoryStore(), clock });
    app.connect(engine);
    const field = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('/incident', 'declare X', 'U1', 'C1', fake.inbound.responseUrl('fz'), 'not a url'));
    const form = fc.dictionary(fc.constantFrom('command', 'text', 'user_id', 'channel_id', 'response_url', 'payload', 'type', 'x'), field).map((fields) => new URLSearchParams(fields).toString());
    const payload = fc
      .record({ type: fc.constantFrom('block_actions', 'view_submission', 'shortcut', 42), user: fc.oneof(fc.constant({ id: 'U1' }), fc.anything()), actions: fc.anything(), view: fc.anything(), trigger_id: fc.anything() }, { requiredKeys: [] })
      .map((value) => new URLSearchParams({ payload: JSON.stringify(value) }).toString());
    const body = fc.oneof(form, payload, fc.string({ maxLength: 200 }), fc.json().map((json) => json));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('commands', 'interactions', 'events'), body, async (kind, text) => {
        const timestamp = seconds();
        const response = await app.handleRequest(
          new Request(`http://localhost/slack/${kind}`, {
            method: 'POST',
            headers: { 'x-slack-request-timestamp': timestamp, 'x-slack-signature': await slackSignature(SECRET, timestamp, text) },
            body: text,
          }),
        );
        expect([200, 400]).toContain(response.status);
      }),
      { numRuns: 300 },
    );
    await app.settled();
    expect((await engine.list()).items.every((incident) => incident.title === 'X')).toBe(true);
  });
});
