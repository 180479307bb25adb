/** cleanTeamsText: the HTML-ish text Teams posts, as the chat grammar reads it. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanTeamsText } from '../../../src/channels/teams/text.js';
import { parseChatCommand } from '../../../src/channels/chat/parseChatCommand.js';

describe('cleanTeamsText', () => {
  it("removes the webhook's leading mention and decodes &nbsp;", () => {
    expect(cleanTeamsText('<at>incidentbot</at>&nbsp;declare Checkout down sev2')).toEqual({ text: 'declare Checkout down sev2', botName: 'incidentbot', mentions: [] });
  });

  it('decodes entities once, strips other tags and normalises whitespace', () => {
    const cleaned = cleanTeamsText('<div><at>Incident Bot</at>&nbsp; note  <b>db</b> &amp; cache: a &lt;b&gt; &quot;x&quot; &#39;y&#39; &#x27;z&#x27; &amp;lt;<br>next\nline&nbsp;</div>');
    expect(cleaned).toEqual({ text: `note db & cache: a <b> "x" 'y' 'z' &lt; next line`, botName: 'Incident Bot', mentions: [] });
  });

  it('writes other mentions as their names, or as tokens the grammar reads as user mentions', () => {
    const html = '<at>incidentbot</at> role commander <at>Alice Smith</at>';
    expect(cleanTeamsText(html)).toEqual({ text: 'role commander Alice Smith', botName: 'incidentbot', mentions: ['Alice Smith'] });
    const tokens = cleanTeamsText(html, { mentions: 'token' });
    expect(tokens).toEqual({ text: 'role commander <@M0>', botName: 'incidentbot', mentions: ['Alice Smith'] });
    expect(parseChatCommand(tokens.text)).toEqual({ ok: true, command: { kind: 'role', role: 'commander', assignee: { kind: 'mention', userId: 'M0' } } });
  });

  it('keeps text without a leading mention, and leaves unknown entities and unclosed brackets as text', () => {
    expect(cleanTeamsText('hey <at>incidentbot</at> status')).toEqual({ text: 'hey incidentbot status', mentions: ['incidentbot'] });
    expect(cleanTeamsText('status &bogus; &#0; 3 <')).toEqual({ text: 'status &bogus; &#0; 3 <', mentions: [] });
    expect(cleanTeamsText('')).toEqual({ text: '', mentions: [] });
  });

  it('gives the grammar the command a person typed', () => {
    const { text } = cleanTeamsText('<at>incidentbot</at>&nbsp;declare Checkout &amp; cart down sev2 service:payments');
    expect(parseChatCommand(text, { commandName: '@incidentbot' })).toEqual({
      ok: true,
      command: { kind: 'declare', title: 'Checkout & cart down', severity: 'SEV2', service: 'payments' },
    });
  });

  it('never throws, gives trimmed single-spaced text, and stays linear on hostile input (fast-check)', () => {
    const piece = fc.constantFrom('<', '>', '<at>', '</at>', '<at id="0">', '&nbsp;', '&amp;', '&#', ';', ' ', '\n', 'a', '<br>', '<p>', '&#x1F600;', '&#55296;');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 200 }), fc.boolean(), (parts, tokens) => {
        const { text } = cleanTeamsText(parts.join(''), tokens ? { mentions: 'token' } : {});
        expect(text).toBe(text.trim());
        expect(text).not.toMatch(/\s\s/);
      }),
      { numRuns: 500 },
    );
    // Many unclosed mentions and brackets: linear, so this returns at once.
    expect(cleanTeamsText('<at>x>'.repeat(20_000)).text).toBe('x>'.repeat(20_000));
    expect(cleanTeamsText('<'.repeat(40_000)).text).toBe('<'.repeat(40_000));
  });
});
