/** parseTeamsActivity and the HMAC signature of Teams outgoing webhooks. */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseTeamsActivity } from '../../../src/channels/teams/activity.js';
import { decodeTeamsSecret, teamsSignature, verifyTeamsSignature } from '../../../src/channels/teams/signature.js';
import { isIncidentKitError } from '../../../src/errors.js';

const SECRET = '+ZaRRMC8+mpnfGaGsBOmkIFt98bttL5YQRq3p2tXgcE=';

/** A channel message as a Teams outgoing webhook posts it. */
const ACTIVITY = {
  type: 'message',
  id: '1485983408511',
  timestamp: '2026-12-06T10:00:00.437Z',
  localTimestamp: '2026-12-06T11:00:00.437+01:00',
  serviceUrl: 'https://smba.trafficmanager.net/emea/',
  channelId: 'msteams',
  from: { id: '29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQtHieVkKilBZ9XHoq9j7Zaqt7CZ', name: 'Megan Bowen', aadObjectId: '7faf80cb-7e2b-4a1e-8b7a-3a1c0a0b1c2d' },
  conversation: { isGroup: true, id: '19:253b1f341670408fb6fcb8d0fb9e1e13@thread.tacv2;messageid=1485983408511', name: null, conversationType: 'channel', tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47' },
  recipient: null,
  textFormat: 'plain',
  attachmentLayout: null,
  attachments: [{ contentType: 'text/html', content: '<div><span itemscope="" itemtype="http://schema.skype.com/Mention" itemid="0">incidentbot</span>&nbsp;ack</div>' }],
  text: '<at>incidentbot</at>&nbsp;ack',
  entities: [
    { type: 'clientInfo', locale: 'en-US', country: 'US', platform: 'Web' },
    { type: 'mention', mentioned: { id: '28:c9e8c047-2a74-40a2-b28a-b162d5f5327c', name: 'incidentbot' }, text: '<at>incidentbot</at>' },
  ],
  channelData: {
    teamsChannelId: '19:253b1f341670408fb6fcb8d0fb9e1e13@thread.tacv2',
    teamsTeamId: '19:71f1a1b1c1d1e1f1a1b1c1d1e1f1a1b1@thread.tacv2',
    channel: { id: '19:253b1f341670408fb6fcb8d0fb9e1e13@thread.tacv2' },
    team: { id: '19:71f1a1b1c1d1e1f1a1b1c1d1e1f1a1b1@thread.tacv2' },
    tenant: { id: '72f988bf-86f1-41af-91ab-2d7cd011db47' },
  },
  locale: 'en-US',
};

describe('parseTeamsActivity', () => {
  it('reads the fields of a channel message and its mentions; null fields are absent', () => {
    const activity = parseTeamsActivity(JSON.stringify(ACTIVITY));
    expect(activity).toEqual({
      type: 'message',
      id: '1485983408511',
      timestamp: '2026-12-06T10:00:00.437Z',
      from: ACTIVITY.from,
      conversation: { id: ACTIVITY.conversation.id, conversationType: 'channel', tenantId: ACTIVITY.conversation.tenantId },
      channelData: ACTIVITY.channelData,
      text: '<at>incidentbot</at>&nbsp;ack',
      mentions: [{ mentioned: { id: '28:c9e8c047-2a74-40a2-b28a-b162d5f5327c', name: 'incidentbot' }, text: '<at>incidentbot</at>' }],
    });
  });

  it('refuses what is not JSON or not a message activity with a typed error', () => {
    for (const body of ['not json', '[]', '{"type":"invoke","id":"1"}', JSON.stringify({ ...ACTIVITY, from: {} }), JSON.stringify({ ...ACTIVITY, text: 42 })]) {
      let thrown: unknown;
      try {
        parseTeamsActivity(body);
      } catch (error) {
        thrown = error;
      }
      expect(isIncidentKitError(thrown, 'VALIDATION_FAILED'), body).toBe(true);
    }
  });
});

describe('Teams HMAC signature', () => {
  it("matches Microsoft's sample computation (node:crypto, the base64-decoded token as key)", async () => {
    const body = JSON.stringify(ACTIVITY);
    const expected = `HMAC ${createHmac('sha256', Buffer.from(SECRET, 'base64')).update(Buffer.from(body, 'utf8')).digest('base64')}`;
    expect(await teamsSignature(SECRET, body)).toBe(expected);
    const bytes = new TextEncoder().encode(body);
    expect(await verifyTeamsSignature(SECRET, expected, bytes)).toBe(true);
    expect(await verifyTeamsSignature(SECRET, expected, new TextEncoder().encode(`${body} `))).toBe(false);
    expect(await verifyTeamsSignature('c2VjcmV0', expected, bytes)).toBe(false);
    expect(await verifyTeamsSignature(SECRET, null, bytes)).toBe(false);
    expect(await verifyTeamsSignature(SECRET, expected.replace('HMAC ', 'Bearer '), bytes)).toBe(false);
    expect(await verifyTeamsSignature(SECRET, `${expected}x`, bytes)).toBe(false);
  });

  it('reads the token as base64 (URL-safe too) and refuses anything else', () => {
    expect(Buffer.from(decodeTeamsSecret(SECRET) ?? []).toString('base64')).toBe(SECRET);
    expect(decodeTeamsSecret(SECRET.replaceAll('+', '-'))).toEqual(decodeTeamsSecret(SECRET));
    for (const bad of ['', 'abc', 'not base64!', '====', 'c2VjcmV0=']) expect(decodeTeamsSecret(bad), bad).toBeUndefined();
  });
});
