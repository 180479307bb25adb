/**
 * Fuzzing the Microsoft Teams outgoing webhook (issue 20): signed bodies that are Teams message
 * activities with arbitrary HTML-ish texts (the grammar's verbs, references, mentions, tags and
 * entities mixed with hostile strings), activities mutated field by field, and arbitrary JSON
 * and text. Properties:
 * - no response is a 5xx, and `onError` is never told of anything (the store works);
 * - a `400`/`413` leaves the store exactly as it was;
 * - a `200` is a Teams message with an Adaptive Card; a refusal (`ok: false`, shown in the
 *   attention colour) leaves the store exactly as it was: no partial writes;
 * - a request signed with another token gets `401` and changes nothing;
 * - no prototype gains a property.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TeamsReplyMessage } from '../../src/channels/teams/render.js';
import { teamsOutgoingWebhook } from '../../src/http/teams/teamsOutgoingWebhook.js';
import { declareIncident, makeEngine } from '../helpers.js';
import { aroundValid, expectPrototypesUntouched, FUZZ_TIMEOUT_MS, hostileJson, hostileString, POLLUTION_TEXTS, runs, storeSnapshot } from './arbitraries.js';
import { asyncTimeBudget, withinAsyncBudget } from './timeBudget.js';

const SECRET = '+ZaRRMC8+mpnfGaGsBOmkIFt98bttL5YQRq3p2tXgcE=';

function hmac(body: string, secret = SECRET): string {
  return `HMAC ${createHmac('sha256', Buffer.from(secret, 'base64')).update(Buffer.from(body, 'utf8')).digest('base64')}`;
}

function activity(text: unknown, entities: readonly unknown[] = []): Record<string, unknown> {
  return {
    type: 'message',
    id: '1765015200001',
    timestamp: '2026-12-06T10:00:00.000Z',
    channelId: 'msteams',
    from: { id: '29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQtHieVkKilBZ9XHoq9j7Zaqt7CZ', name: 'Megan Bowen', aadObjectId: '7faf80cb-7e2b-4a1e-8b7a-3a1c0a0b1c2d' },
    conversation: { isGroup: true, id: '19:253b1f341670408fb6fcb8d0fb9e1e13@thread.tacv2;messageid=1765015200001', conversationType: 'channel' },
    text,
    entities: [{ type: 'mention', mentioned: { id: '28:c9e8c047-2a74-40a2-b28a-b162d5f5327c', name: 'incidentbot' }, text: '<at>incidentbot</at>' }, ...entities],
    channelData: { teamsChannelId: '19:253b1f341670408fb6fcb8d0fb9e1e13@thread.tacv2', tenant: { id: '72f988bf-86f1-41af-91ab-2d7cd011db47' } },
  };
}

describe('Teams outgoing webhook fuzz', () => {
  it(
    'answers every signed body with a reply or a typed 4xx, never a 5xx, and refusals write nothing',
    async () => {
      const { engine } = makeEngine();
      const open = await declareIncident(engine);
      const errors: unknown[] = [];
      const teams = teamsOutgoingWebhook({ secret: SECRET, onError: (error) => errors.push(error), maxBodyBytes: 64 * 1024 });
      teams.connect(engine);
      const post = (body: string, authorization = hmac(body)) =>
        teams.handleRequest(new Request('http://localhost/teams/messages', { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body }));
      const budget = await asyncTimeBudget('Teams outgoing webhook', () => post(JSON.stringify(activity('<at>incidentbot</at> help'))));

      const word = fc.oneof(
        hostileString({ huge: false }),
        fc.constantFrom('declare', 'ack', 'acknowledge', 'mitigate', 'resolve', 'note', 'update', 'role', 'status', 'help', 'commander', 'sev1', 'SEV9', 'severity:SEV2', 'service:', 'service:db'),
        fc.constantFrom(`#${open.id}`, '#inc', '#', '#inc_nope', '<@M0>', '<@M9>', '&lt;@M0&gt;', '<at>Alex Wilber</at>', '<at>incidentbot</at>', '<at>', '</at>', '<br>', '<p>', '</div>', '&nbsp;', '&amp;', '&#0;', '&#x110000;', '&bogus;', '<', '>'),
      );
      const free = fc.oneof(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 30 }), hostileString({ huge: false }));
      const command = fc.oneof(
        fc.tuple(fc.constantFrom('note', 'update', 'mitigate', 'resolve'), free).map(([verb, rest]) => `${verb} #${open.id} ${rest}`),
        fc.tuple(free, fc.constantFrom('', ' sev2', ' SEV4', ' service:db')).map(([title, tail]) => `declare ${title}${tail}`),
        fc.constantFrom(`ack #${open.id}`, `status #${open.id}`, `role #${open.id} commander <at>Alex Wilber</at>`, `role #${open.id} commander @bob`),
      );
      const text = fc
        .oneof(command, fc.array(word, { maxLength: 8 }).map((words) => words.join(' ')))
        .map((typed) => `<at>incidentbot</at>&nbsp;${typed}`);
      const mention = fc.constantFrom<unknown>(
        { type: 'mention', mentioned: { id: '29:alex', name: 'Alex Wilber', aadObjectId: 'aad-alex' }, text: '<at>Alex Wilber</at>' },
        { type: 'mention', mentioned: {} },
        { type: 'mention', mentioned: { id: '29:x', name: '<at>x</at>' }, text: 42 },
        { type: 'clientInfo', locale: 'en-US' },
        null,
      );
      const body = fc.oneof(
        { arbitrary: fc.tuple(text, fc.array(mention, { maxLength: 3 })).map(([t, entities]) => JSON.stringify(activity(t, entities))), weight: 6 },
        { arbitrary: aroundValid(activity('<at>incidentbot</at> status'), hostileJson()).map((value) => (JSON.stringify(value) as string | undefined) ?? 'null'), weight: 3 },
        { arbitrary: fc.oneof(fc.string({ maxLength: 200 }), fc.constantFrom(...POLLUTION_TEXTS), fc.json()), weight: 1 },
      );

      const seen = { refused: 0, replied: 0, refusals: 0, wrote: 0 };
      await fc.assert(
        fc.asyncProperty(body, async (raw) => {
          const before = await storeSnapshot(engine);
          const response = await withinAsyncBudget(budget, () => post(raw), raw);
          expect(response.status, raw.slice(0, 300)).toBeLessThan(500);
          if (response.status !== 200) {
            expect([400, 413], raw.slice(0, 300)).toContain(response.status);
            seen.refused += 1;
            expect(await storeSnapshot(engine)).toBe(before);
            return;
          }
          const reply = (await response.json()) as TeamsReplyMessage;
          expect(reply.type).toBe('message');
          expect(reply.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
          seen.replied += 1;
          const after = await storeSnapshot(engine);
          if (reply.attachments[0].content.body[0]?.color === 'attention') {
            seen.refusals += 1;
            expect(after, raw.slice(0, 300)).toBe(before);
          } else if (after !== before) seen.wrote += 1;
        }),
        { numRuns: runs(600) },
      );

      // The inputs reach every outcome: typed 4xx, refusals, and commands that wrote.
      expect(Math.min(seen.refused, seen.refusals, seen.wrote, seen.replied - seen.refusals - seen.wrote), JSON.stringify(seen)).toBeGreaterThan(10);

      // Signed with another token: 401, nothing changes.
      const before = await storeSnapshot(engine);
      const forged = JSON.stringify(activity('<at>incidentbot</at> declare Forged outage sev1'));
      expect((await post(forged, hmac(forged, 'c29tZSBvdGhlciB0b2tlbg=='))).status).toBe(401);
      expect(await storeSnapshot(engine)).toBe(before);
      expect(errors).toEqual([]);
      expectPrototypesUntouched();
    },
    FUZZ_TIMEOUT_MS,
  );
});
