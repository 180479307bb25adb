import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { memoryThreadStore, renderSlackMessage, slackNotifier, type SlackThreadStore } from '../../src/channels/slack.js';
import type { NotificationMessage, NotifierContext } from '../../src/model/notification.js';
import { CONTRACT_EVENT_TYPES, sampleNotification } from '../../src/testing/notifierContract.js';
import { CHANNEL, TOKEN, slackIdempotencyKey, slackVisibleText, startFakeSlack, type FakeSlack } from '../fixtures/notify/fakeSlack.js';
import { blockKitProblems, documentedErrors } from '../fixtures/notify/slackSpec.js';
import { thrown } from '../helpers.js';

const NOW = new Date('2026-03-02T09:00:00.000Z');

function context(message: NotificationMessage): NotifierContext {
  return { signal: new AbortController().signal, attempt: 1, idempotencyKey: message.idempotencyKey, now: NOW };
}

function about(type: string, incidentId = 'inc_contract_1'): NotificationMessage {
  const message = sampleNotification(type, { notifier: 'slack' });
  return { ...message, incident: { ...message.incident, id: incidentId } };
}

let slack: FakeSlack;
beforeAll(async () => {
  slack = await startFakeSlack();
});
afterAll(async () => {
  await slack.close();
});
beforeEach(() => {
  slack.posts.length = 0;
  slack.answerProblems.length = 0;
  slack.fail(undefined);
});

describe('renderSlackMessage', () => {
  it('renders valid Block Kit for every event type, with severity and title in the header', () => {
    for (const type of CONTRACT_EVENT_TYPES) {
      const message = sampleNotification(type);
      const { text, blocks } = renderSlackMessage(message);
      expect(blockKitProblems(blocks), type).toEqual([]);
      expect(blocks[0], type).toEqual({ type: 'header', text: { type: 'plain_text', text: `[SEV1] ${message.title}`, emoji: true } });
      expect(text, type).toContain(`[SEV1] ${message.title}`);
    }
  });

  it('escapes mrkdwn so that incident text cannot mention @channel or forge links', () => {
    const base = sampleNotification('UPDATE_POSTED');
    const message = { ...base, title: 'Fix <!channel> & <https://evil.example|login>', text: 'Use <@U123> & check a<b' };
    const rendered = renderSlackMessage(message);
    expect(rendered.text).not.toContain('<!channel>');
    expect(rendered.text).toContain('&lt;!channel&gt; &amp; &lt;https://evil.example|login&gt;');
    expect(JSON.stringify(rendered.blocks)).toContain('Use &lt;@U123&gt; &amp; check a&lt;b');
  });

  it('stays within Block Kit limits for very long content', () => {
    const base = sampleNotification('DECLARED');
    const message = {
      ...base,
      title: 'T'.repeat(400),
      text: 'x'.repeat(10_000),
      links: Array.from({ length: 40 }, (_, i) => ({ label: 'L'.repeat(100), url: `https://example.com/${String(i)}` })),
    };
    expect(blockKitProblems(renderSlackMessage(message).blocks)).toEqual([]);
    expect(renderSlackMessage(message).text.length).toBeLessThanOrEqual(4_000);
  });
});

describe('slackNotifier with an incoming webhook', () => {
  it('posts text and Block Kit blocks that conform to Slack’s spec', async () => {
    const notifier = slackNotifier({ webhookUrl: slack.webhookUrl });
    const message = about('DECLARED');
    await notifier.send(message, context(message));
    expect(slack.posts).toHaveLength(1);
    const [post] = slack.posts;
    expect(post?.problems).toEqual([]);
    expect(Object.keys(post?.body ?? {}).sort()).toEqual(['blocks', 'text']);
    expect(slackVisibleText(post?.body ?? {})).toContain('Incident declared: Checkout API returns errors');
    expect(slackIdempotencyKey(post?.body ?? {})).toBe(message.idempotencyKey);
  });

  it('maps the incoming-webhook error answers', async () => {
    const notifier = slackNotifier({ webhookUrl: slack.webhookUrl });
    const message = about('DECLARED');
    const cases: [number, string, boolean][] = [
      [400, 'invalid_payload', false],
      [403, 'action_prohibited', false],
      [404, 'channel_not_found', false],
      [410, 'channel_is_archived', false],
      [500, 'rollup_error', true],
    ];
    for (const [status, error, retryable] of cases) {
      slack.fail({ status, error });
      const refused = await thrown(() => notifier.send(message, context(message)), 'NOTIFIER_FAILED');
      expect(refused.details, error).toMatchObject({ status, retryable });
      expect(refused.message).toContain(error);
    }
    slack.fail({ status: 429, error: 'rate_limited', retryAfter: '7' });
    expect((await thrown(() => notifier.send(message, context(message)), 'NOTIFIER_FAILED')).details).toMatchObject({ retryable: true, retryAfterMs: 7_000 });
  });
});

describe('slackNotifier with chat.postMessage', () => {
  const api = (threadStore?: SlackThreadStore) =>
    slackNotifier({ token: TOKEN, channel: CHANNEL, apiBaseUrl: slack.apiBaseUrl, ...(threadStore === undefined ? {} : { threadStore }) });

  it('posts bodies that conform to the chat.postMessage spec, with the bot token', async () => {
    const notifier = api();
    for (const type of CONTRACT_EVENT_TYPES) {
      const message = about(type);
      await notifier.send(message, context(message));
    }
    expect(slack.posts).toHaveLength(CONTRACT_EVENT_TYPES.length);
    expect(slack.posts.flatMap((post) => post.problems)).toEqual([]);
    expect(slack.answerProblems).toEqual([]);
    expect(slack.posts.every((post) => post.body.channel === CHANNEL)).toBe(true);
  });

  it('threads later messages about an incident under its first one, per incident', async () => {
    const notifier = api();
    for (const [type, incident] of [
      ['DECLARED', 'inc_a'],
      ['DECLARED', 'inc_b'],
      ['ACKNOWLEDGED', 'inc_a'],
      ['RESOLVED', 'inc_a'],
      ['ACKNOWLEDGED', 'inc_b'],
    ] as const) {
      const message = about(type, incident);
      await notifier.send(message, context(message));
    }
    const [aRoot, bRoot, aAck, aResolved, bAck] = slack.posts;
    expect(aRoot?.body.thread_ts).toBeUndefined();
    expect(bRoot?.body.thread_ts).toBeUndefined();
    expect(aAck?.body).toMatchObject({ thread_ts: aRoot?.ts, reply_broadcast: false });
    // Resolution is also shown in the channel.
    expect(aResolved?.body).toMatchObject({ thread_ts: aRoot?.ts, reply_broadcast: true });
    expect(bAck?.body.thread_ts).toBe(bRoot?.ts);
  });

  it('threads messages about one incident even when they are sent at the same time', async () => {
    const notifier = api();
    const messages = ['DECLARED', 'ACKNOWLEDGED', 'ESCALATED', 'UPDATE_POSTED'].map((type) => about(type, 'inc_parallel'));
    await Promise.all(messages.map((message) => notifier.send(message, context(message))));
    const [root, ...replies] = slack.posts;
    expect(root?.body.thread_ts).toBeUndefined();
    expect(replies.map((reply) => reply.body.thread_ts)).toEqual([root?.ts, root?.ts, root?.ts]);
  });

  it('keeps threads across a restart when the host gives a durable thread store', async () => {
    const durable = memoryThreadStore(); // stands in for the host's table or Redis
    const first = about('DECLARED', 'inc_restart');
    await api(durable).send(first, context(first));
    const later = about('MITIGATED', 'inc_restart');
    await api(durable).send(later, context(later)); // a new notifier: the process restarted
    expect(slack.posts[1]?.body.thread_ts).toBe(slack.posts[0]?.ts);

    const forgetful = about('RESOLVED', 'inc_restart');
    await api().send(forgetful, context(forgetful)); // the default in-memory store starts over
    expect(slack.posts[2]?.body.thread_ts).toBeUndefined();
  });

  it('maps ok:false answers: rate limits and server errors are retried, the documented client errors are not', async () => {
    const notifier = api();
    const message = about('DECLARED', 'inc_errors');
    for (const error of documentedErrors()) {
      slack.fail({ error });
      const refused = await thrown(() => notifier.send(message, context(message)), 'NOTIFIER_FAILED');
      expect(refused.retryable, error).toBe(error === 'rate_limited');
      expect(refused.message).toContain(`'${error}'`);
    }
    expect(slack.answerProblems).toEqual([]);
    // Not in the spec's list, but Slack answers it when it fails on its side.
    slack.fail({ error: 'internal_error' });
    expect((await thrown(() => notifier.send(message, context(message)), 'NOTIFIER_FAILED')).retryable).toBe(true);
  });

  it('honours HTTP 429 with Retry-After from the Web API', async () => {
    const notifier = api();
    const message = about('DECLARED', 'inc_429');
    slack.fail({ status: 429, error: 'ratelimited', retryAfter: '30' });
    const limited = await thrown(() => notifier.send(message, context(message)), 'NOTIFIER_FAILED');
    expect(limited.details).toMatchObject({ status: 429, retryable: true, retryAfterMs: 30_000 });
  });

  it('reports a wrong token as a failure that is not retried', async () => {
    const notifier = slackNotifier({ token: 'xoxb-wrong', channel: CHANNEL, apiBaseUrl: slack.apiBaseUrl });
    const message = about('DECLARED');
    const refused = await thrown(() => notifier.send(message, context(message)), 'NOTIFIER_FAILED');
    expect(refused.retryable).toBe(false);
    expect(refused.message).toContain("'invalid_auth'");
  });

  it('refuses to start without a token and channel or a webhook URL', () => {
    expect(() => slackNotifier({ token: '', channel: CHANNEL })).toThrow(/Give a bot token/);
    expect(() => slackNotifier({ webhookUrl: 'hooks.slack.com/services/x' })).toThrow(/absolute http\(s\) URL/);
  });
});
