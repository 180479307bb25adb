/** renderTeamsReply: a ChatReply as the synchronous answer to a Teams outgoing webhook. */
import { describe, expect, it } from 'vitest';
import { renderTeamsReply } from '../../../src/channels/teams/render.js';

describe('renderTeamsReply', () => {
  it('renders the text and the incident as an Adaptive Card 1.4 with a FactSet', () => {
    const message = renderTeamsReply({
      ok: true,
      visibility: 'channel',
      text: 'Alice declared inc_0b6f (SEV2): Checkout <down> & out.',
      incident: { id: 'inc_0b6f', title: 'Checkout down', status: 'triage', severity: 'SEV2', service: 'payments', commander: { id: 'u_bob', name: 'Bob' } },
    });
    expect(message).toEqual({
      type: 'message',
      text: 'Alice declared inc_0b6f (SEV2): Checkout &lt;down&gt; &amp; out.',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.4',
            body: [
              { type: 'TextBlock', text: 'Alice declared inc_0b6f (SEV2): Checkout <down> & out.', wrap: true },
              {
                type: 'FactSet',
                facts: [
                  { title: 'Incident', value: 'inc_0b6f' },
                  { title: 'Title', value: 'Checkout down' },
                  { title: 'Status', value: 'triage' },
                  { title: 'Severity', value: 'SEV2' },
                  { title: 'Service', value: 'payments' },
                  { title: 'Commander', value: 'Bob' },
                ],
              },
            ],
          },
        },
      ],
    });
    expect(JSON.parse(JSON.stringify(message))).toEqual(message);
  });

  it('shows a refusal in the attention colour, one TextBlock per line, without facts, and cuts long texts', () => {
    const refusal = renderTeamsReply({ ok: false, visibility: 'ephemeral', code: 'UNKNOWN_COMMAND', text: "'x' is not a command.\nUsage: <help>" });
    expect(refusal.text).toBe("'x' is not a command.<br>Usage: &lt;help&gt;");
    expect(refusal.attachments[0].content.body).toEqual([
      { type: 'TextBlock', text: "'x' is not a command.", wrap: true, color: 'attention' },
      { type: 'TextBlock', text: 'Usage: <help>', wrap: true, spacing: 'None', color: 'attention' },
    ]);
    const long = renderTeamsReply({ ok: true, visibility: 'channel', text: 'x'.repeat(50_000), incident: { id: 'inc_1', title: 't'.repeat(5_000), status: 'triage', severity: 'SEV1' } });
    expect(JSON.stringify(long).length).toBeLessThan(28_000);
  });
});
