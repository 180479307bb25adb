import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { renderTeamsMessage, teamsNotifier, type TeamsMessage } from '../../src/channels/teams.js';
import type { NotificationMessage, NotifierContext } from '../../src/model/notification.js';
import { CONTRACT_EVENT_TYPES, sampleNotification } from '../../src/testing/notifierContract.js';
import { startHttpReceiver, type HttpReceiver } from '../fixtures/notify/httpReceiver.js';
import { thrown } from '../helpers.js';

const NOW = new Date('2026-03-02T09:00:00.000Z');
const WORKFLOW_PATH = '/workflows/0a1b2c/triggers/manual/paths/invoke?api-version=2016-06-01&sig=abc';

function context(message: NotificationMessage): NotifierContext {
  return { signal: new AbortController().signal, attempt: 1, idempotencyKey: message.idempotencyKey, now: NOW };
}

/**
 * The envelope Teams documents for Adaptive Cards through incoming webhooks and Workflows
 * ("Send Adaptive Cards using an Incoming Webhook", learn.microsoft.com): a `message` with one
 * `application/vnd.microsoft.card.adaptive` attachment whose content is an AdaptiveCard.
 */
function envelopeProblems(body: unknown): string[] {
  const problems: string[] = [];
  // Checked as untrusted JSON: the receiving side does not know our types.
  const envelope = body as {
    type?: unknown;
    attachments?: { contentType?: unknown; content: { type?: unknown; version: string; body: Record<string, unknown>[]; actions?: Record<string, unknown>[] } }[];
  };
  if (envelope.type !== 'message') problems.push('type must be "message"');
  const attachment = envelope.attachments?.[0];
  if (envelope.attachments?.length !== 1 || attachment === undefined) return [...problems, 'exactly one attachment'];
  if (attachment.contentType !== 'application/vnd.microsoft.card.adaptive') problems.push('contentType');
  const card = attachment.content;
  if (card.type !== 'AdaptiveCard') problems.push('content.type must be AdaptiveCard');
  if (!/^1\.[0-5]$/.test(card.version)) problems.push('version must be 1.0–1.5 for Teams');
  for (const element of card.body) {
    if (element.type === 'TextBlock') {
      if (typeof element.text !== 'string' || element.text === '') problems.push('TextBlock.text');
    } else if (element.type === 'FactSet') {
      const facts = element.facts as { title?: unknown; value?: unknown }[];
      if (!facts.every((fact) => typeof fact.title === 'string' && typeof fact.value === 'string')) problems.push('FactSet.facts');
    } else problems.push(`unexpected element ${String(element.type)}`);
  }
  for (const action of card.actions ?? []) {
    if (action.type !== 'Action.OpenUrl' || typeof action.url !== 'string' || typeof action.title !== 'string') problems.push('action');
  }
  if (JSON.stringify(body).length > 28_000) problems.push('over the 28 KB Teams message limit');
  return problems;
}

let receiver: HttpReceiver;
beforeAll(async () => {
  receiver = await startHttpReceiver();
});
afterAll(async () => {
  await receiver.close();
});
beforeEach(() => {
  receiver.requests.length = 0;
  receiver.respond((_req, res) => res.writeHead(202).end());
});

describe('renderTeamsMessage', () => {
  it('renders a valid Adaptive Card envelope for every event type', () => {
    for (const type of CONTRACT_EVENT_TYPES) {
      const message = sampleNotification(type);
      const envelope = renderTeamsMessage(message);
      expect(envelopeProblems(envelope), type).toEqual([]);
      expect(envelope.attachments[0].content.body[0]).toMatchObject({ type: 'TextBlock', text: `[SEV1] ${message.title}`, color: 'Attention' });
    }
  });

  it('keeps huge bodies under the Teams size limit', () => {
    const message = { ...sampleNotification('DECLARED'), text: 'y'.repeat(60_000) };
    expect(envelopeProblems(renderTeamsMessage(message))).toEqual([]);
  });
});

describe('teamsNotifier', () => {
  it('posts the Adaptive Card envelope to the Workflows URL, query string included', async () => {
    const notifier = teamsNotifier({ webhookUrl: `${receiver.origin}${WORKFLOW_PATH}` });
    const message = sampleNotification('ESCALATED');
    await notifier.send(message, context(message));
    const [request] = receiver.requests;
    expect(request?.url).toBe(WORKFLOW_PATH);
    expect(request?.headers['content-type']).toBe('application/json');
    const body = JSON.parse(request?.body ?? '{}') as TeamsMessage;
    expect(envelopeProblems(body)).toEqual([]);
    const card = body.attachments[0].content;
    expect(card.body.find((element) => element.type === 'FactSet')).toEqual({
      type: 'FactSet',
      facts: [
        { title: 'Severity', value: 'SEV1' },
        { title: 'Status', value: 'responding' },
        { title: 'Service', value: 'checkout-api' },
        { title: 'Incident', value: 'inc_contract_1' },
      ],
    });
    expect(card.body.some((element) => element.id === `incidentkit:${message.idempotencyKey}`)).toBe(true);
    expect(card.actions).toEqual([{ type: 'Action.OpenUrl', title: 'Open incident', url: 'https://incidents.example.com/inc_contract_1' }]);
  });

  it('treats the legacy connector’s "200 with an error body" as the failure it is', async () => {
    const notifier = teamsNotifier({ webhookUrl: `${receiver.origin}/webhookb2/abc/IncomingWebhook/def/ghi` });
    const message = sampleNotification('DECLARED');
    const refusal = (status: number) =>
      `Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error ${String(status)} with ContextId tcid=0,server=msgapi-production-eus-azsc4-4-21,cv=abc.0..`;

    receiver.respond((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(refusal(429)));
    expect((await thrown(() => notifier.send(message, context(message)), 'NOTIFIER_FAILED')).details).toMatchObject({ retryable: true, status: 429 });

    receiver.respond((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(refusal(413)));
    expect((await thrown(() => notifier.send(message, context(message)), 'NOTIFIER_FAILED')).details).toMatchObject({ retryable: false, status: 413 });

    receiver.respond((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('1'));
    await expect(notifier.send(message, context(message))).resolves.toBeUndefined();
  });

  it('maps HTTP errors: 429 and 5xx are retried with Retry-After, 4xx are not', async () => {
    const notifier = teamsNotifier({ webhookUrl: `${receiver.origin}${WORKFLOW_PATH}` });
    const message = sampleNotification('DECLARED');
    receiver.respond((_req, res) => res.writeHead(429, { 'retry-after': '12' }).end());
    expect((await thrown(() => notifier.send(message, context(message)), 'NOTIFIER_FAILED')).details).toMatchObject({ retryable: true, retryAfterMs: 12_000 });
    receiver.respond((_req, res) => res.writeHead(502).end());
    expect((await thrown(() => notifier.send(message, context(message)), 'NOTIFIER_FAILED')).retryable).toBe(true);
    receiver.respond((_req, res) => res.writeHead(400).end('{"error":{"code":"TriggerInputSchemaMismatch"}}'));
    const mismatch = await thrown(() => notifier.send(message, context(message)), 'NOTIFIER_FAILED');
    expect(mismatch.retryable).toBe(false);
    expect(mismatch.message).toContain('TriggerInputSchemaMismatch');
  });
});
