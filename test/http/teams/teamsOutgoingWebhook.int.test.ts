/**
 * teamsOutgoingWebhook behind a real node:http server on 127.0.0.1 (createIncidentHandler +
 * toNodeListener), with requests built exactly as Teams sends them: a JSON message activity and
 * `Authorization: HMAC <base64>` computed with node:crypto from the base64 security token.
 */
import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIncidentEngine } from '../../../src/createIncidentEngine.js';
import type { Authorize } from '../../../src/engine/types.js';
import type { IncidentEngine } from '../../../src/incidentEngine.js';
import { AdapterError, isIncidentKitError } from '../../../src/errors.js';
import { memoryStore } from '../../../src/storage/memory.js';
import { createManualClock, type ManualClock } from '../../../src/testing/manualClock.js';
import { createIncidentHandler } from '../../../src/http/createIncidentHandler.js';
import { teamsOutgoingWebhook, type TeamsOutgoingWebhookOptions } from '../../../src/http/teams/teamsOutgoingWebhook.js';
import type { TeamsReplyMessage } from '../../../src/channels/teams/render.js';
import { wrapStore } from '../../helpers.js';
import { startServer, type TestServer } from '../server.js';

/** A security token as Teams shows it: 32 random bytes, base64. */
const SECRET = '+ZaRRMC8+mpnfGaGsBOmkIFt98bttL5YQRq3p2tXgcE=';
const NOW = '2026-12-06T10:00:00.000Z';
const MEGAN = { id: '29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQtHieVkKilBZ9XHoq9j7Zaqt7CZ', name: 'Megan Bowen', aadObjectId: '7faf80cb-7e2b-4a1e-8b7a-3a1c0a0b1c2d' } as const;
const ALEX = { id: '29:1bSnHZ7Js2STWrgk6ScEErLk1Lp2zQuD5H2qQ960rtvstKp8tKLl-3r8b6DoW0QxZimuTxk_kupZ1DBMpvIQQUAZL', name: 'Alex Wilber', aadObjectId: '3c6dd7e0-1c5b-4d1e-9a47-5e1f3e0e2a8b' } as const;
const CHANNEL = '19:253b1f341670408fb6fcb8d0fb9e1e13@thread.tacv2';

let server: TestServer | undefined;
let clock: ManualClock;

beforeEach(() => {
  clock = createManualClock(NOW);
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface Setup {
  readonly engine: IncidentEngine;
  readonly url: string;
  readonly errors: unknown[];
}

async function setup(options: { authorize?: Authorize; webhook?: Partial<TeamsOutgoingWebhookOptions>; engine?: IncidentEngine } = {}): Promise<Setup> {
  const errors: unknown[] = [];
  const teams = teamsOutgoingWebhook({ secret: SECRET, onError: (error) => errors.push(error), ...options.webhook });
  const engine = options.engine ?? createIncidentEngine({ store: memoryStore(), clock, ...(options.authorize === undefined ? {} : { authorize: options.authorize }) });
  server = await startServer(createIncidentHandler(engine, { teams }));
  return { engine, url: `${server.url}/teams/messages`, errors };
}

let messageCounter = 0;

/** A channel message @mentioning the webhook, as Teams posts it. */
function activity(text: string, overrides: { from?: object; entities?: readonly object[]; thread?: string } = {}): string {
  messageCounter += 1;
  const messageId = String(1765015200000 + messageCounter);
  return JSON.stringify({
    type: 'message',
    id: messageId,
    timestamp: clock.now().toISOString(),
    localTimestamp: '2026-12-06T11:00:00.000+01:00',
    serviceUrl: 'https://smba.trafficmanager.net/emea/',
    channelId: 'msteams',
    from: overrides.from ?? MEGAN,
    conversation: { isGroup: true, id: `${CHANNEL};messageid=${overrides.thread ?? messageId}`, name: null, conversationType: 'channel', tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47' },
    recipient: null,
    textFormat: 'plain',
    attachmentLayout: null,
    attachments: [{ contentType: 'text/html', content: `<div>${text}</div>` }],
    text,
    entities: [
      { type: 'clientInfo', locale: 'en-US', country: 'US', platform: 'Web', timezone: 'Europe/Berlin' },
      { type: 'mention', mentioned: { id: '28:c9e8c047-2a74-40a2-b28a-b162d5f5327c', name: 'incidentbot' }, text: '<at>incidentbot</at>' },
      ...(overrides.entities ?? []),
    ],
    channelData: {
      teamsChannelId: CHANNEL,
      teamsTeamId: '19:71f1a1b1c1d1e1f1a1b1c1d1e1f1a1b1@thread.tacv2',
      channel: { id: CHANNEL },
      team: { id: '19:71f1a1b1c1d1e1f1a1b1c1d1e1f1a1b1@thread.tacv2' },
      tenant: { id: '72f988bf-86f1-41af-91ab-2d7cd011db47' },
    },
    locale: 'en-US',
  });
}

/** Teams' signature, computed as Microsoft's samples do (node:crypto, the base64-decoded token as key). */
function hmac(body: string, secret = SECRET): string {
  return `HMAC ${createHmac('sha256', Buffer.from(secret, 'base64')).update(Buffer.from(body, 'utf8')).digest('base64')}`;
}

async function teamsPost(url: string, body: string, authorization: string | null = hmac(body)): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', ...(authorization === null ? {} : { authorization }) },
    body,
  });
}

/** Posts a message typed in Teams (`<at>incidentbot</at>&nbsp;` + command) and reads the reply. */
async function say(url: string, command: string, overrides: Parameters<typeof activity>[1] = {}): Promise<TeamsReplyMessage> {
  const response = await teamsPost(url, activity(`<at>incidentbot</at>&nbsp;${command}`, overrides));
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('application/json');
  return (await response.json()) as TeamsReplyMessage;
}

/** The lines of the card's text, as one text. */
function cardText(reply: TeamsReplyMessage): string {
  return reply.attachments[0].content.body
    .filter((element) => element.type === 'TextBlock')
    .map((element) => String(element.text))
    .join('\n');
}

describe('Teams request verification', () => {
  it('answers 401 to unsigned, badly signed and tampered requests, and changes nothing', async () => {
    const { url, engine } = await setup();
    const body = activity('<at>incidentbot</at>&nbsp;declare Database down sev1');
    const refused = [
      await teamsPost(url, body, null),
      await teamsPost(url, body, hmac(body, 'c29tZSBvdGhlciB0b2tlbg==')),
      await teamsPost(url, body.replace('Database', 'Datacenter'), hmac(body)),
      await teamsPost(url, body, hmac(body).replace('HMAC ', '')),
      await teamsPost(url, body, `HMAC ${'A'.repeat(43)}=`),
      await teamsPost(url, body, 'Bearer token'),
    ];
    expect(refused.map((response) => response.status)).toEqual([401, 401, 401, 401, 401, 401]);
    expect((await engine.list()).items).toEqual([]);
  });

  it('answers 400 to malformed JSON or a body that is not a message activity, 405 to other methods', async () => {
    const { url, engine } = await setup();
    for (const body of ['{"type":"message",', '[]', JSON.stringify({ type: 'message', id: '1' }), '\u00ff']) {
      const response = await teamsPost(url, body);
      expect(response.status, body).toBe(400);
    }
    expect((await fetch(url)).status).toBe(405);
    expect((await engine.list()).items).toEqual([]);
  });

  it('refuses a security token that is not base64 with a ConfigError', () => {
    for (const secret of ['', 'not base64!', 'abc']) {
      let thrown: unknown;
      try {
        teamsOutgoingWebhook({ secret });
      } catch (error) {
        thrown = error;
      }
      expect(isIncidentKitError(thrown, 'CONFIG_INVALID'), secret).toBe(true);
    }
  });
});

describe('Teams commands', () => {
  it('runs declare, ack, mitigate, note, update, role, status and resolve as the Teams user, replying in the thread', async () => {
    const { url, engine } = await setup();
    const declared = await say(url, 'declare Checkout &amp; cart down sev2 service:payments');
    expect(declared.type).toBe('message');
    expect(declared.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
    const [incident] = (await engine.list()).items;
    expect(incident).toMatchObject({ title: 'Checkout & cart down', severity: 'SEV2', service: 'payments', status: 'triage' });
    const id = incident?.id ?? '';
    expect(cardText(declared)).toBe(`Megan Bowen declared ${id} (SEV2): Checkout & cart down.`);
    expect(declared.attachments[0].content.body[1]).toMatchObject({ type: 'FactSet', facts: expect.arrayContaining([{ title: 'Incident', value: id }, { title: 'Service', value: 'payments' }]) as unknown });
    expect((await engine.timeline(id))[0]?.actor).toEqual({ kind: 'user', id: MEGAN.aadObjectId, name: 'Megan Bowen' });

    await say(url, `ack #${id}`);
    expect((await engine.get(id)).status).toBe('responding');
    await say(url, `note #${id} the cache is cold<br>and the db is slow`);
    await say(url, `update #${id} Checkout is degraded; we are on it.`);
    const role = await say(url, `role #${id} commander <at>Alex Wilber</at>`, {
      entities: [{ type: 'mention', mentioned: ALEX, text: '<at>Alex Wilber</at>' }],
    });
    expect(cardText(role)).toContain('made Alex Wilber commander');
    expect((await engine.get(id)).roles.commander?.assignee).toEqual({ id: ALEX.aadObjectId, name: 'Alex Wilber' });
    await say(url, `mitigate #${id} rolled back to v41`);
    expect((await engine.get(id)).status).toBe('mitigated');
    const status = await say(url, `status #${id}`);
    expect(status.attachments[0].content.body[1]).toMatchObject({ facts: expect.arrayContaining([{ title: 'Status', value: 'mitigated' }, { title: 'Commander', value: 'Alex Wilber' }]) as unknown });
    await say(url, `resolve #${id} certificate renewed`);
    expect((await engine.get(id)).status).toBe('resolved');

    const timeline = await engine.timeline(id);
    expect(timeline.find((event) => event.type === 'NOTE_ADDED')?.data).toEqual({ text: 'the cache is cold and the db is slow' });
    expect(timeline.find((event) => event.type === 'UPDATE_POSTED')?.data).toMatchObject({ audience: 'stakeholders', message: 'Checkout is degraded; we are on it.' });
    expect(timeline.every((event) => event.actor.id === MEGAN.aadObjectId)).toBe(true);
  });

  it('uses the incident of the conversation when the command names none', async () => {
    const conversations: unknown[] = [];
    let incidentId = '';
    const { url, engine } = await setup({
      webhook: {
        incidentOfConversation: (conversation) => {
          conversations.push(conversation);
          return conversation.channelId === CHANNEL ? incidentId : undefined;
        },
      },
    });
    incidentId = (await engine.declare({ title: 'API slow', severity: 'SEV3', actor: { id: 'u_x' } })).id;
    await say(url, 'ack', { thread: '1765015100000' });
    expect((await engine.get(incidentId)).status).toBe('responding');
    expect(conversations).toEqual([
      { conversationId: `${CHANNEL};messageid=1765015100000`, channelId: CHANNEL, teamId: '19:71f1a1b1c1d1e1f1a1b1c1d1e1f1a1b1@thread.tacv2', tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47' },
    ]);
  });

  it('answers help and mistakes with the usage, named after the mention, and writes nothing', async () => {
    const { url, engine } = await setup();
    const help = await say(url, 'help');
    expect(cardText(help)).toContain('@incidentbot declare <title>');
    const empty = await say(url, '');
    expect(cardText(empty)).toContain('@incidentbot runs an incident from chat');
    const unknown = await say(url, 'launch rockets');
    expect(cardText(unknown)).toContain("'launch' is not a command; try @incidentbot help.");
    expect(unknown.attachments[0].content.body[0]).toMatchObject({ color: 'attention' });
    const unnamed = await say(url, 'ack');
    expect(cardText(unnamed)).toContain('Which incident?');
    expect((await engine.list()).items).toEqual([]);
  });

  it('explains a command authorize denies and writes nothing', async () => {
    const authorize: Authorize = ({ actor, action }) => action === 'read' || actor.id !== ALEX.aadObjectId;
    const { url, engine } = await setup({ authorize });
    const { id } = await engine.declare({ title: 'API slow', severity: 'SEV3', actor: { id: 'u_x' } });
    const before = await engine.timeline(id);
    const denied = await say(url, `resolve #${id}`, { from: ALEX });
    expect(cardText(denied)).toContain('not allowed');
    expect(denied.attachments[0].content.body[0]).toMatchObject({ color: 'attention' });
    await say(url, 'declare Fake outage', { from: ALEX });
    expect((await engine.get(id)).status).toBe('triage');
    expect(await engine.timeline(id)).toEqual(before);
    expect((await engine.list()).items).toHaveLength(1);
  });

  it('maps Teams users with users.resolve, and refuses those it does not know', async () => {
    const seen: unknown[] = [];
    const { url, engine } = await setup({
      webhook: {
        users: {
          resolve: (teamsUserId, profile) => {
            seen.push([teamsUserId, profile]);
            return teamsUserId === MEGAN.aadObjectId ? { id: 'u_megan', name: 'Megan' } : null;
          },
        },
      },
    });
    const refused = await say(url, 'declare Database down', { from: ALEX });
    expect(cardText(refused)).toContain('not linked');
    expect((await engine.list()).items).toEqual([]);
    await say(url, 'declare Database down', { from: { id: MEGAN.id, name: MEGAN.name, aadObjectId: MEGAN.aadObjectId } });
    const [incident] = (await engine.list()).items;
    expect((await engine.timeline(incident?.id ?? ''))[0]?.actor).toEqual({ kind: 'user', id: 'u_megan', name: 'Megan' });
    expect(seen).toEqual([
      [ALEX.aadObjectId, { name: 'Alex Wilber' }],
      [MEGAN.aadObjectId, { name: 'Megan Bowen' }],
    ]);
  });

  it('apologises and reports the error when the store fails', async () => {
    const store = wrapStore(memoryStore(), {
      commit: () => Promise.reject(new AdapterError({ adapter: 'memory', operation: 'commit' }, 'The database is down.')),
    });
    const { url, errors } = await setup({ engine: createIncidentEngine({ store, clock }) });
    const reply = await say(url, 'declare Database down sev1');
    expect(cardText(reply)).toContain('went wrong');
    expect(errors).toEqual([expect.objectContaining({ code: 'ADAPTER_FAILED' })]);
  });
});

describe('mounting', () => {
  it('answers 503 when called directly before an engine is bound, and is bound to one engine only', async () => {
    const teams = teamsOutgoingWebhook({ secret: SECRET });
    const body = activity('<at>incidentbot</at> help');
    const request = () => new Request('http://localhost/teams/messages', { method: 'POST', headers: { authorization: hmac(body) }, body });
    expect((await teams.handleRequest(request())).status).toBe(503);
    const engine = createIncidentEngine({ store: memoryStore(), clock });
    teams.connect(engine);
    expect((await teams.handleRequest(request())).status).toBe(200);
    expect(() => {
      teams.connect(createIncidentEngine({ store: memoryStore(), clock }));
    }).toThrow(/already bound/);
  });
});
