/** Rendering chat replies as Mattermost slash command responses. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChatReply } from '../../../src/channels/chat/chatReply.js';
import { escapeMattermostMarkdown, renderMattermostReply } from '../../../src/channels/mattermost/render.js';

const ZWSP = '\u200B';

describe('renderMattermostReply', () => {
  it('answers a refusal ephemerally, as escaped text, with Slack parsing off', () => {
    const reply: ChatReply = { ok: false, visibility: 'ephemeral', code: 'FORBIDDEN', text: 'You are not allowed to do that; nothing was changed.' };
    expect(renderMattermostReply(reply)).toEqual({ response_type: 'ephemeral', text: 'You are not allowed to do that; nothing was changed.', skip_slack_parsing: true });
  });

  it('posts a change in the channel with the incident as an attachment with fields', () => {
    const reply: ChatReply = {
      ok: true,
      visibility: 'channel',
      text: 'alice declared inc_01 (SEV1): Checkout is down.',
      incident: { id: 'inc_01', title: 'Checkout is down', status: 'triage', severity: 'SEV1', service: 'checkout', commander: { id: 'u_bob', name: 'Bob' } },
    };
    expect(renderMattermostReply(reply)).toEqual({
      response_type: 'in_channel',
      text: 'alice declared inc\\_01 (SEV1): Checkout is down.',
      skip_slack_parsing: true,
      attachments: [
        {
          fallback: 'inc_01 [SEV1] Checkout is down: triage',
          color: '#d24b4e',
          title: 'Checkout is down',
          fields: [
            { title: 'Incident', value: 'inc\\_01', short: true },
            { title: 'Status', value: 'triage', short: true },
            { title: 'Severity', value: 'SEV1', short: true },
            { title: 'Service', value: 'checkout', short: true },
            { title: 'Commander', value: 'Bob', short: true },
          ],
        },
      ],
    });
    const resolved = renderMattermostReply({ ...reply, incident: { id: 'inc_01', title: 'x', status: 'resolved', severity: 'SEV1' } });
    expect(resolved.attachments?.[0]?.color).toBe('#3db887');
    expect(resolved.attachments?.[0]?.fields.map((field) => field.title)).toEqual(['Incident', 'Status', 'Severity']);
  });

  it('lets no text a person typed mention anyone or format the message', () => {
    const hostile = '@channel @all @here @alice **bold** _it_ `code` [link](http://x) <!channel> ~~x~~ | a |\n# Heading\n> quote\n- item';
    const reply = renderMattermostReply({ ok: true, visibility: 'channel', text: hostile, incident: { id: 'inc_1', title: hostile, status: 'triage', severity: 'SEV1', service: '@here' } });
    const everything = [reply.text, ...(reply.attachments ?? []).flatMap((attachment) => [attachment.title, attachment.fallback, ...attachment.fields.map((field) => field.value)])];
    for (const text of everything) {
      expect(text).not.toMatch(/@[a-z]/);
    }
    expect(reply.text).toBe(
      `@${ZWSP}channel @${ZWSP}all @${ZWSP}here @${ZWSP}alice \\*\\*bold\\*\\* \\_it\\_ \\\`code\\\` \\[link\\](http://x) \\<!channel\\> \\~\\~x\\~\\~ \\| a \\|\n\\# Heading\n\\> quote\n\\- item`,
    );
  });

  it('keeps long texts within a Mattermost post', () => {
    const reply = renderMattermostReply({ ok: true, visibility: 'ephemeral', text: '*'.repeat(20_000) });
    expect(reply.text.length).toBeLessThanOrEqual(16_383);
    expect(reply.text.endsWith('…')).toBe(true);
  });
});

describe('escapeMattermostMarkdown', () => {
  it('never leaves an @ directly before a name, nor an unescaped markup character (fast-check)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200, unit: fc.constantFrom('@', '*', '_', '`', '\\', '[', ']', '<', '>', '|', '~', '#', '-', '\n', ' ', 'a', 'Z', '1') }), (text) => {
        const escaped = escapeMattermostMarkdown(text);
        expect(escaped).not.toMatch(/@[^\u200B]/);
        expect(escaped.replaceAll(ZWSP, '').replace(/\\[\\`*_~[\]<>|#+=-]/g, '')).not.toMatch(/[\\`*_~[\]<>|]/);
      }),
      { numRuns: 500 },
    );
  });
});
