/**
 * mattermostCommands behind a real node:http server on 127.0.0.1 (createIncidentHandler +
 * toNodeListener), with requests built exactly as Mattermost sends a custom slash command
 * (developers.mattermost.com, "Slash commands"): form-encoded fields, `Authorization: Token …`,
 * `Accept: application/json`, Mattermost's user agent.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createIncidentEngine } from '../../../src/createIncidentEngine.js';
import type { Authorize } from '../../../src/engine/types.js';
import { AdapterError } from '../../../src/errors.js';
import type { IncidentEngine } from '../../../src/incidentEngine.js';
import { createIncidentHandler } from '../../../src/http/createIncidentHandler.js';
import { mattermostCommands, type MattermostCommands, type MattermostCommandsOptions } from '../../../src/http/mattermost/mattermostCommands.js';
import { memoryStore } from '../../../src/storage/memory.js';
import { createManualClock } from '../../../src/testing/manualClock.js';
import { storeSnapshot } from '../../fuzz/arbitraries.js';
import { asyncTimeBudget, withinAsyncBudget } from '../../fuzz/timeBudget.js';
import { wrapStore } from '../../helpers.js';
import { startServer, type TestServer } from '../server.js';

const TOKEN = 'nezum4kpu3faiec7r7c5zt6tfy';
const OTHER_TEAM_TOKEN = 'okwexkjpe7ygb8eq1ww58t483w';
const USER_ID = 'k1x4aqdjy3813c84m771eoc9xo';

let server: TestServer | undefined;
const clock = createManualClock('2026-12-06T10:00:00.000Z');

afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface Setup {
  readonly app: MattermostCommands;
  readonly engine: IncidentEngine;
  readonly url: string;
}

async function setup(options: { authorize?: Authorize; app?: Partial<MattermostCommandsOptions>; engine?: IncidentEngine } = {}): Promise<Setup> {
  const app = mattermostCommands({ token: TOKEN, onError: () => undefined, ...options.app });
  const engine = options.engine ?? createIncidentEngine({ store: memoryStore(), clock, ...(options.authorize === undefined ? {} : { authorize: options.authorize }) });
  server = await startServer(createIncidentHandler(engine, { mattermost: app }));
  return { app, engine, url: `${server.url}/mattermost/commands` };
}

/** A slash command's form body with every field Mattermost sends, in Mattermost's order. */
function slashBody(text: string, overrides: Record<string, string> = {}): string {
  return new URLSearchParams({
    channel_id: 'i3bb9xfyqt8rtbyshmyhgsj16c',
    channel_name: 'town-square',
    command: '/incident',
    response_url: 'http://10.0.0.5:8065/hooks/commands/zozc1xwxybdedeyz8djwjpngny',
    team_domain: 'rrrr',
    team_id: 'tsb8crrn5tgqtedpkt81b4tcya',
    text,
    token: TOKEN,
    trigger_id: 'NG1kM3lyN2NqYmQxcGNyc2s0Nmo5em0xb2M6azF4NGFxZGp5MzgxM2M4NG03NzFlb2M5eG86MTU1MTIwODE5NTQyNzpNRVVDSUhSdWFrdmVGZ0RhTTd6UERoMWVEVndZK2NGbXlSYUxWQ054SVRLZGdxTWZBaUVBeGQvOU95NTFOeWxiTWVsRE1ZK0d4S2FzL2Z1TUU2Y0J1bW5JbFBCOXVEVT0=',
    user_id: USER_ID,
    user_name: 'tester',
    ...overrides,
  }).toString();
}

/** Posts a body as Mattermost does, with its headers (the token also in `Authorization`). */
function mattermostPost(url: string, body: string, options: { token?: string | null; contentType?: string | null } = {}): Promise<Response> {
  const token = options.token === undefined ? TOKEN : options.token;
  const contentType = options.contentType === undefined ? 'application/x-www-form-urlencoded' : options.contentType;
  return fetch(url, {
    method: 'POST',
    headers: {
      'user-agent': 'mattermost-10.5.0',
      accept: 'application/json',
      ...(token === null ? {} : { authorization: `Token ${token}` }),
      ...(contentType === null ? {} : { 'content-type': contentType }),
    },
    body,
  });
}

interface Answer {
  readonly response_type: string;
  readonly text: string;
  readonly skip_slack_parsing?: boolean;
  readonly attachments?: readonly { readonly title: string; readonly fallback: string; readonly fields: readonly { readonly title: string; readonly value: string }[] }[];
}

async function command(url: string, text: string, overrides: Record<string, string> = {}): Promise<Answer> {
  const response = await mattermostPost(url, slashBody(text, overrides));
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('application/json');
  return (await response.json()) as Answer;
}

describe('Mattermost slash commands', () => {
  it('runs every command as the Mattermost user and answers with the result', async () => {
    const { url, engine } = await setup();
    const declared = await command(url, 'declare Database down sev1 service:db');
    expect(declared).toMatchObject({ response_type: 'in_channel', skip_slack_parsing: true, text: expect.stringContaining('tester declared') as unknown });
    const [incident] = (await engine.list()).items;
    const id = incident?.id ?? '';
    expect(incident).toMatchObject({ title: 'Database down', severity: 'SEV1', service: 'db', status: 'triage' });
    expect(declared.attachments?.[0]?.title).toBe('Database down');
    expect(declared.attachments?.[0]?.fields.map((field) => field.title)).toEqual(['Incident', 'Status', 'Severity', 'Service']);

    expect((await command(url, `ack #${id}`)).response_type).toBe('in_channel');
    expect((await engine.get(id)).status).toBe('responding');
    await command(url, `note #${id} Replica lag is 40s`);
    await command(url, `update #${id} Checkout is degraded; we are failing over.`);
    await command(url, `role #${id} commander @alice`);
    expect((await engine.get(id)).roles.commander?.assignee).toEqual({ id: 'alice' });
    await command(url, `mitigate #${id} Failed over to the replica`);
    expect((await engine.get(id)).status).toBe('mitigated');
    const status = await command(url, `status #${id}`);
    expect(status).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('mitigated') as unknown });
    expect(status.attachments?.[0]?.fields).toContainEqual({ title: 'Commander', value: 'alice', short: true });
    await command(url, `resolve #${id} Primary is back`);
    expect((await engine.get(id)).status).toBe('resolved');

    const timeline = await engine.timeline(id);
    expect(timeline.map((event) => event.type)).toEqual(['DECLARED', 'ACKNOWLEDGED', 'NOTE_ADDED', 'UPDATE_POSTED', 'ROLE_ASSIGNED', 'MITIGATED', 'RESOLVED']);
    expect(timeline.every((event) => event.actor.id === USER_ID && event.actor.name === 'tester')).toBe(true);
    expect(timeline[2]).toMatchObject({ data: { text: 'Replica lag is 40s' } });
  });

  it('answers help and mistakes ephemerally, and writes nothing', async () => {
    const { url, engine } = await setup();
    const help = await command(url, '');
    expect(help).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('/incident declare') as unknown });
    expect(await command(url, 'help resolve')).toMatchObject({ text: expect.stringContaining('Usage: /incident resolve') as unknown });
    expect(await command(url, 'explode everything')).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('not a command') as unknown });
    expect(await command(url, 'ack')).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('Which incident?') as unknown });
    expect((await engine.list()).items).toEqual([]);
  });

  it('uses the incident of the channel when the command names none', async () => {
    let incidentId = '';
    const { url, engine } = await setup({ app: { incidentOfChannel: (channelId) => (channelId === 'incchannel00000000000000ab' ? incidentId : undefined) } });
    incidentId = (await engine.declare({ title: 'API slow', severity: 'SEV3', actor: { id: 'u_x' } })).id;
    await command(url, 'ack', { channel_id: 'incchannel00000000000000ab' });
    expect((await engine.get(incidentId)).status).toBe('responding');
  });

  it('maps users with users.resolve and handles with users.resolveUserName', async () => {
    const { url, engine } = await setup({
      app: {
        users: {
          resolve: (userId, profile) => (userId === USER_ID ? { id: 'u_tester', name: `${profile.userName ?? '?'} (Ops)` } : null),
          resolveUserName: (userName) => (userName === 'alice' ? { id: 'u_alice', name: 'Alice' } : null),
        },
      },
    });
    await command(url, 'declare Queue backlog');
    const [incident] = (await engine.list()).items;
    const id = incident?.id ?? '';
    expect((await engine.timeline(id))[0]?.actor).toEqual({ kind: 'user', id: 'u_tester', name: 'tester (Ops)' });
    await command(url, `role #${id} commander @alice`);
    expect((await engine.get(id)).roles.commander?.assignee).toEqual({ id: 'u_alice', name: 'Alice' });
    expect(await command(url, `role #${id} commander @nobody`)).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('not known') as unknown });
    const stranger = await command(url, 'declare Fake outage', { user_id: 'strangerstrangerstrangerst' });
    expect(stranger).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('not linked') as unknown });
    expect((await engine.list()).items).toHaveLength(1);
  });

  it('explains a command authorize denies, ephemerally, and writes nothing', async () => {
    const authorize: Authorize = ({ actor, action }) => action === 'read' || actor.id !== 'mallorymallorymallorymallo';
    const { url, engine } = await setup({ authorize });
    const { id } = await engine.declare({ title: 'API slow', severity: 'SEV3', actor: { id: 'u_x' } });
    const before = await storeSnapshot(engine);
    const denied = await command(url, `resolve #${id}`, { user_id: 'mallorymallorymallorymallo' });
    expect(denied).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('not allowed') as unknown });
    expect(denied.attachments).toBeUndefined();
    expect(await command(url, 'declare Fake outage', { user_id: 'mallorymallorymallorymallo' })).toMatchObject({ response_type: 'ephemeral' });
    expect(await storeSnapshot(engine)).toBe(before);
  });

  it('keeps what people typed from mentioning anyone or formatting the answer', async () => {
    const { url } = await setup();
    const answer = await command(url, 'declare @channel **Checkout** <!here> is down');
    expect(answer.skip_slack_parsing).toBe(true);
    expect(answer.text).not.toMatch(/@channel|@here|\*\*/);
    expect(answer.text).toContain('@\u200Bchannel \\*\\*Checkout\\*\\* \\<!here\\>');
    expect(answer.attachments?.[0]?.title).not.toMatch(/@channel/);
    expect(answer.attachments?.[0]?.fallback).not.toMatch(/@channel/);
  });

  it('tells the person when the store fails, and reports the error', async () => {
    const errors: unknown[] = [];
    const store = wrapStore(memoryStore(), { commit: () => Promise.reject(new AdapterError({ adapter: 'memory', operation: 'commit' }, 'The database is down.')) });
    const { url } = await setup({ engine: createIncidentEngine({ store, clock }), app: { onError: (error) => errors.push(error) } });
    expect(await command(url, 'declare Database down')).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('went wrong') as unknown });
    expect(errors).toEqual([expect.objectContaining({ code: 'ADAPTER_FAILED' })]);
  });
});

describe('Mattermost verification', () => {
  it('answers 401 to a missing or wrong token, and changes nothing', async () => {
    const { url, engine } = await setup();
    const refused = await Promise.all([
      mattermostPost(url, slashBody('declare Fake', { token: '' }), { token: null }),
      mattermostPost(url, slashBody('declare Fake', { token: 'wrong' }), { token: 'wrong' }),
      mattermostPost(url, slashBody('declare Fake', { token: `${TOKEN}x` }), { token: null }),
      mattermostPost(url, slashBody('declare Fake', { token: OTHER_TEAM_TOKEN })),
      // The header and the body must agree.
      mattermostPost(url, slashBody('declare Fake'), { token: 'wrong' }),
      mattermostPost(url, `${slashBody('declare Fake')}&token=${TOKEN}`),
      mattermostPost(url, new URLSearchParams({ command: '/incident', text: 'declare Fake', user_id: USER_ID, channel_id: 'c1' }).toString(), { token: null }),
    ]);
    expect(refused.map((response) => response.status)).toEqual([401, 401, 401, 401, 401, 401, 401]);
    expect((await engine.list()).items).toEqual([]);
  });

  it('accepts any of several tokens, with or without the Authorization header', async () => {
    const { url, engine } = await setup({ app: { token: [TOKEN, OTHER_TEAM_TOKEN] } });
    expect((await mattermostPost(url, slashBody('declare Team one'), { token: null })).status).toBe(200);
    expect((await mattermostPost(url, slashBody('declare Team two', { token: OTHER_TEAM_TOKEN }), { token: OTHER_TEAM_TOKEN })).status).toBe(200);
    expect((await engine.list()).items.map((incident) => incident.title).sort()).toEqual(['Team one', 'Team two']);
  });

  it('refuses bodies that are not a slash command form: 415, 400, 405, 413', async () => {
    const { url, engine } = await setup({ app: { maxBodyBytes: 4_096 } });
    expect((await mattermostPost(url, JSON.stringify({ token: TOKEN, text: 'declare X' }), { contentType: 'application/json' })).status).toBe(415);
    expect((await mattermostPost(url, slashBody('declare X'), { contentType: null })).status).toBe(415);
    expect((await mattermostPost(url, slashBody('declare X', { user_id: '' }))).status).toBe(400);
    expect((await mattermostPost(url, new URLSearchParams({ token: TOKEN, text: 'declare X' }).toString())).status).toBe(400);
    expect((await fetch(url, { method: 'GET', headers: { authorization: `Token ${TOKEN}` } })).status).toBe(405);
    expect((await mattermostPost(url, slashBody('declare X'.padEnd(5_000, 'x')))).status).toBe(413);
    expect((await engine.list()).items).toEqual([]);
  });

  it('answers 503 when called before an engine is bound, and binds one engine only', async () => {
    const lonely = mattermostCommands({ token: TOKEN });
    const request = () => new Request('http://localhost/mattermost/commands', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: slashBody('ack #inc_1') });
    expect((await lonely.handleRequest(request())).status).toBe(503);
    lonely.connect(createIncidentEngine({ store: memoryStore(), clock }));
    expect(() => {
      lonely.connect(createIncidentEngine({ store: memoryStore(), clock }));
    }).toThrow(/already bound/);
    expect(() => mattermostCommands({ token: '' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }) as Error);
    expect(() => mattermostCommands({ token: [] })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }) as Error);
  });
});

describe('Mattermost fuzzing', () => {
  it('answers arbitrary forms and texts with the right token by a reply or a 4xx, never a 500 nor a partial write (fast-check)', async () => {
    const faults: unknown[] = [];
    const engine = createIncidentEngine({ store: memoryStore(), clock });
    const app = mattermostCommands({ token: TOKEN, onError: (error) => faults.push(error) });
    app.connect(engine);
    const seeded = await engine.declare({ title: 'Seeded', severity: 'SEV3', actor: { id: 'u_x' } });
    const verb = fc.constantFrom('declare', 'ack', 'acknowledge', 'mitigate', 'resolve', 'note', 'update', 'role', 'status', 'help', 'HELP', 'sev1');
    const word = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom(`#${seeded.id}`, '#inc_', '#', 'sev9', 'SEV2', 'service:', 'service:db', '@alice', '<@U1>', '<#C1|x>', 'commander', '@channel', '&amp;'));
    const text = fc.oneof(fc.string({ maxLength: 200 }), fc.tuple(verb, fc.array(word, { maxLength: 8 })).map(([head, rest]) => [head, ...rest].join(' ')));
    const field = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('/incident', USER_ID, 'c1', 'http://x/hooks/1', 'not a url', ''));
    const form = fc
      .tuple(
        fc.dictionary(fc.constantFrom('command', 'user_id', 'user_name', 'channel_id', 'team_id', 'response_url', 'trigger_id', 'x', '__proto__'), field),
        text,
        fc.boolean(),
      )
      .map(([fields, typed, complete]) =>
        complete ? slashBody(typed, Object.fromEntries(Object.entries(fields).filter(([name]) => name !== 'token'))) : new URLSearchParams({ ...fields, text: typed, token: TOKEN }).toString(),
      );
    const seen = { changed: 0, ephemeral: 0, refused: 0 };
    const post = (sent: string) =>
      app.handleRequest(
        new Request('http://localhost/mattermost/commands', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Token ${TOKEN}` }, body: sent }),
      );
    // A slow path (backtracking, a quadratic loop) fails the run: each input gets a multiple of a help command's CPU time.
    const budget = await asyncTimeBudget('a Mattermost slash command', () => post(slashBody('help')));
    // Commands that change something, so every outcome is reached whatever the seed (random text rarely forms one).
    const valid = fc.constantFrom('declare Fuzzed outage sev2', 'declare Another outage service:db', `note #${seeded.id} a fuzzed note`, `update #${seeded.id} still looking`).map((typed) => slashBody(typed));
    const body = fc.oneof(form, valid, form.map((value) => `${value}&text=again`), fc.string({ maxLength: 200 }).map((value) => `token=${TOKEN}&${value}`));
    await fc.assert(
      fc.asyncProperty(body, async (sent) => {
        const before = await storeSnapshot(engine);
        const response = await withinAsyncBudget(budget, () => post(sent), sent);
        expect([200, 400]).toContain(response.status);
        if (response.status === 400) {
          seen.refused += 1;
          expect(await storeSnapshot(engine)).toBe(before);
          return;
        }
        const answer = (await response.json()) as Answer;
        expect(['ephemeral', 'in_channel']).toContain(answer.response_type);
        // Ephemeral answers are refusals, help or status: they never write; a change writes one whole command.
        if (answer.response_type === 'ephemeral') {
          seen.ephemeral += 1;
          expect(await storeSnapshot(engine)).toBe(before);
        } else {
          seen.changed += 1;
          expect(await storeSnapshot(engine)).not.toBe(before);
        }
      }),
      { numRuns: 300 },
    );
    expect(faults).toEqual([]);
    expect(Object.values(seen).every((count) => count > 0), JSON.stringify(seen)).toBe(true);
  });
});
