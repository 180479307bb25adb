/** The webhook verifiers on their own: credentials, rotation, configuration errors, replay memory. */
import { describe, expect, it } from 'vitest';
import { isIncidentKitError } from '../../src/errors.js';
import { basicAuth, bearerAuth, memoryReplayStore, standardWebhooksAuth, type ReplayStore } from '../../src/http/verifiers.js';
import { signWebhook } from '../../src/channels/standardWebhooks.js';
import { createManualClock } from '../../src/testing/manualClock.js';
import { thrown } from '../helpers.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const NEW_SECRET = 'whsec_c2Vjb25kLXNlY3JldC1mb3Itcm90YXRpb24tdGVzdHM=';
const EMPTY = new Uint8Array(0);

function request(headers: Record<string, string>): Request {
  return new Request('http://localhost/ingest/x', { method: 'POST', headers });
}

describe('bearerAuth', () => {
  it('accepts each of the rotating tokens, with the scheme in any case', async () => {
    const verify = bearerAuth(['old-token', 'new-token']);
    expect(await verify(request({ authorization: 'Bearer old-token' }), EMPTY)).toBe(true);
    expect(await verify(request({ authorization: 'bearer new-token' }), EMPTY)).toBe(true);
  });

  it.each([
    ['no header', {}],
    ['a prefix of the token', { authorization: 'Bearer new-toke' }],
    ['a longer token', { authorization: 'Bearer new-token2' }],
    ['extra words', { authorization: 'Bearer new-token extra' }],
    ['the Basic scheme', { authorization: 'Basic new-token' }],
  ])('refuses %s', async (_name, headers: Record<string, string>) => {
    expect(await bearerAuth('new-token')(request(headers), EMPTY)).toBe(false);
  });

  it.each([[''], ['two words'], [[] as string[]]])('refuses to be configured with %j', (token) => {
    expect(isIncidentKitError(thrown(() => bearerAuth(token)), 'CONFIG_INVALID')).toBe(true);
  });
});

describe('basicAuth', () => {
  const basic = (value: string): Record<string, string> => ({ authorization: `Basic ${value}` });

  it('accepts the exact UTF-8 credentials only', async () => {
    const verify = basicAuth('grafana', 'pässword:with:colons');
    const encode = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
    expect(await verify(request(basic(encode('grafana:pässword:with:colons'))), EMPTY)).toBe(true);
    expect(await verify(request(basic(encode('grafana:pässword:with:colon'))), EMPTY)).toBe(false);
    expect(await verify(request(basic(encode('Grafana:pässword:with:colons'))), EMPTY)).toBe(false);
    expect(await verify(request(basic('not base64!')), EMPTY)).toBe(false);
    expect(verify.challenge).toMatch(/^Basic realm="incidentkit"/);
  });

  it('refuses a user with a colon or empty credentials', () => {
    for (const [user, password] of [['a:b', 'pw'], ['', 'pw'], ['user', '']] as const) {
      expect(isIncidentKitError(thrown(() => basicAuth(user, password)), 'CONFIG_INVALID')).toBe(true);
    }
  });
});

describe('standardWebhooksAuth', () => {
  const body = new TextEncoder().encode('{"type":"alert"}');

  async function signedRequest(secret: string, id: string, at: Date): Promise<Request> {
    return request({ ...(await signWebhook({ secret, id, timestamp: at, body })) });
  }

  it('accepts any of several secrets while they rotate', async () => {
    const clock = createManualClock('2026-03-01T12:00:00Z');
    const verify = standardWebhooksAuth([SECRET, NEW_SECRET], { clock });
    expect(await verify(await signedRequest(NEW_SECRET, 'msg_a', clock.now()), body)).toBe(true);
    expect(await verify(await signedRequest(SECRET, 'msg_b', clock.now()), body)).toBe(true);
    expect(await standardWebhooksAuth(SECRET, { clock })(await signedRequest(NEW_SECRET, 'msg_c', clock.now()), body)).toBe(false);
  });

  it('honours toleranceSeconds', async () => {
    const clock = createManualClock('2026-03-01T12:00:00Z');
    const verify = standardWebhooksAuth(SECRET, { clock, toleranceSeconds: 30 });
    const sent = await signedRequest(SECRET, 'msg_d', clock.now());
    clock.advance(31_000);
    expect(await verify(sent, body)).toBe(false);
    const fresh = await signedRequest(SECRET, 'msg_e', new Date(clock.now().getTime() - 29_000));
    expect(await verify(fresh, body)).toBe(true);
  });

  it('claims ids in an injected store for twice the tolerance, and releases them', async () => {
    const clock = createManualClock('2026-03-01T12:00:00Z');
    const calls: string[] = [];
    const seen = new Set<string>();
    const store: ReplayStore = {
      claim: (key, ttlMs) => {
        calls.push(`claim ${key} ${String(ttlMs)}`);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      },
      release: (key) => {
        calls.push(`release ${key}`);
        seen.delete(key);
      },
    };
    const verify = standardWebhooksAuth(SECRET, { clock, replayStore: store });
    const sent = await signedRequest(SECRET, 'msg_f', clock.now());
    expect(await verify(sent, body)).toBe(true);
    expect(await verify(sent, body)).toBe(false);
    await verify.release?.(sent);
    expect(await verify(sent, body)).toBe(true);
    // A forged request is refused before the store is asked, so it cannot burn a real id.
    expect(await verify(request({ 'webhook-id': 'msg_g', 'webhook-timestamp': '1', 'webhook-signature': 'v1,AAAA' }), body)).toBe(false);
    expect(calls).toEqual(['claim msg_f 600000', 'claim msg_f 600000', 'release msg_f', 'claim msg_f 600000']);
  });

  it('refuses to be configured with a bad secret or tolerance', () => {
    for (const make of [
      () => standardWebhooksAuth('whsec_!!!'),
      () => standardWebhooksAuth([]),
      () => standardWebhooksAuth(SECRET, { toleranceSeconds: 0 }),
    ]) {
      expect(isIncidentKitError(thrown(make), 'CONFIG_INVALID')).toBe(true);
    }
  });
});

describe('memoryReplayStore', () => {
  it('forgets an id once its time to live has passed', () => {
    const clock = createManualClock('2026-03-01T12:00:00Z');
    const store = memoryReplayStore({ clock });
    expect(store.claim('a', 1_000)).toBe(true);
    clock.advance(999);
    expect(store.claim('a', 1_000)).toBe(false);
    clock.advance(1);
    expect(store.claim('a', 1_000)).toBe(true);
  });

  it('keeps at most maxEntries ids, dropping the least recently claimed', () => {
    const clock = createManualClock('2026-03-01T12:00:00Z');
    const store = memoryReplayStore({ clock, maxEntries: 2 });
    for (const key of ['a', 'b', 'c']) expect(store.claim(key, 60_000)).toBe(true);
    expect(store.claim('a', 60_000)).toBe(true);
    expect(store.claim('c', 60_000)).toBe(false);
    expect(store.claim('a', 60_000)).toBe(false);
    expect(store.claim('b', 60_000)).toBe(true);
  });

  it('refuses a maxEntries that is not a positive integer', () => {
    expect(isIncidentKitError(thrown(() => memoryReplayStore({ maxEntries: 0 })), 'CONFIG_INVALID')).toBe(true);
  });
});
