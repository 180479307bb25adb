import { describe, expect, it } from 'vitest';
import { isIncidentKitError } from '../../src/errors.js';
import { generateWebhookSecret, signWebhook, verifyWebhookSignature } from '../../src/channels/standardWebhooks.js';

// Test vectors of the Standard Webhooks reference libraries (standard-webhooks/standard-webhooks:
// libraries/javascript/src/webhook.test.ts, libraries/python/tests/test_webhooks.py,
// libraries/go/webhook_test.go — "sign function works" / TestWebhookSign).
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
} as const;
// A wrong signature the reference tests use (python: "invalid signature" — last byte changed).
const WRONG = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=';
const OTHER = 'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=';

const at = (seconds: number): Date => new Date(seconds * 1000);

function headers(signature: string, overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { 'webhook-id': VECTOR.id, 'webhook-timestamp': String(VECTOR.timestamp), 'webhook-signature': signature, ...overrides };
}

describe('signWebhook', () => {
  it('produces the reference signature of the spec libraries', async () => {
    const signed = await signWebhook({ secret: VECTOR.secret, id: VECTOR.id, timestamp: at(VECTOR.timestamp), body: VECTOR.body });
    expect(signed).toEqual({ 'webhook-id': VECTOR.id, 'webhook-timestamp': '1614265330', 'webhook-signature': VECTOR.signature });
  });

  it('accepts the secret without the whsec_ prefix, Unix seconds and a byte body', async () => {
    const signed = await signWebhook({
      secret: VECTOR.secret.slice('whsec_'.length),
      id: VECTOR.id,
      timestamp: VECTOR.timestamp,
      body: new TextEncoder().encode(VECTOR.body),
    });
    expect(signed['webhook-signature']).toBe(VECTOR.signature);
  });

  it('signs with every secret while secrets rotate, space-separated', async () => {
    const next = generateWebhookSecret();
    const signed = await signWebhook({ secret: [VECTOR.secret, next], id: VECTOR.id, timestamp: VECTOR.timestamp, body: VECTOR.body });
    const signatures = signed['webhook-signature'].split(' ');
    expect(signatures).toHaveLength(2);
    expect(signatures[0]).toBe(VECTOR.signature);
    const onlyNew = { ...headers(signatures[1] ?? '') };
    expect(await verifyWebhookSignature({ secret: next, headers: onlyNew, body: VECTOR.body, now: at(VECTOR.timestamp) })).toBe(true);
  });

  it('refuses an id containing a dot and a secret that is not base64', async () => {
    const dotted = await signWebhook({ secret: VECTOR.secret, id: 'evt.1', timestamp: 1, body: '' }).catch((e: unknown) => e);
    expect(isIncidentKitError(dotted, 'CONFIG_INVALID')).toBe(true);
    const badSecret = await signWebhook({ secret: 'whsec_not base64!', id: 'a', timestamp: 1, body: '' }).catch((e: unknown) => e);
    expect(isIncidentKitError(badSecret, 'CONFIG_INVALID')).toBe(true);
  });

  it('generates distinct 32-byte whsec_ secrets', () => {
    const a = generateWebhookSecret();
    const b = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(a).not.toBe(b);
  });
});

describe('verifyWebhookSignature', () => {
  const now = at(VECTOR.timestamp);
  const verify = (h: Record<string, string | undefined>, options: { body?: string; now?: Date; toleranceSeconds?: number; secret?: string } = {}) =>
    verifyWebhookSignature({
      secret: options.secret ?? VECTOR.secret,
      headers: h,
      body: options.body ?? VECTOR.body,
      now: options.now ?? now,
      ...(options.toleranceSeconds === undefined ? {} : { toleranceSeconds: options.toleranceSeconds }),
    });

  it('accepts the reference vector, with or without the whsec_ prefix', async () => {
    expect(await verify(headers(VECTOR.signature))).toBe(true);
    expect(await verify(headers(VECTOR.signature), { secret: VECTOR.secret.slice(6) })).toBe(true);
  });

  it('finds the valid signature among several, skipping other versions (reference "multi sig" case)', async () => {
    expect(await verify(headers([OTHER, OTHER.replace('v1,', 'v2,'), VECTOR.signature, OTHER].join(' ')))).toBe(true);
  });

  it('reads Headers objects and header names in any case', async () => {
    const fetchHeaders = new Headers({
      'Webhook-Id': VECTOR.id,
      'Webhook-Timestamp': String(VECTOR.timestamp),
      'Webhook-Signature': VECTOR.signature,
    });
    expect(await verifyWebhookSignatureWith(fetchHeaders)).toBe(true);
    expect(await verify({ 'WEBHOOK-ID': VECTOR.id, 'Webhook-Timestamp': String(VECTOR.timestamp), 'webhook-signature': VECTOR.signature })).toBe(true);

    function verifyWebhookSignatureWith(h: Headers): Promise<boolean> {
      return verifyWebhookSignature({ secret: VECTOR.secret, headers: h, body: VECTOR.body, now });
    }
  });

  it('rejects a tampered body, id or timestamp', async () => {
    expect(await verify(headers(VECTOR.signature), { body: '{"test": 2432232315}' })).toBe(false);
    expect(await verify(headers(VECTOR.signature), { body: '{"test":2432232314}' })).toBe(false);
    expect(await verify(headers(VECTOR.signature, { 'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJeK' }))).toBe(false);
    expect(await verify(headers(VECTOR.signature, { 'webhook-timestamp': String(VECTOR.timestamp + 1) }))).toBe(false);
  });

  it('rejects a wrong, truncated, empty or non-v1 signature and the wrong secret', async () => {
    expect(await verify(headers(WRONG))).toBe(false);
    expect(await verify(headers('v1,dawfeoifkpqwoekfpqoekf'))).toBe(false);
    expect(await verify(headers(VECTOR.signature.slice(0, 8)))).toBe(false);
    expect(await verify(headers('v1,'))).toBe(false);
    expect(await verify(headers(VECTOR.signature.replace('v1,', 'v1a,')))).toBe(false);
    expect(await verify(headers(VECTOR.signature), { secret: generateWebhookSecret() })).toBe(false);
  });

  it('rejects missing headers and a timestamp that is not an integer', async () => {
    expect(await verify(headers(VECTOR.signature, { 'webhook-id': undefined }))).toBe(false);
    expect(await verify(headers(VECTOR.signature, { 'webhook-timestamp': undefined }))).toBe(false);
    expect(await verify(headers(VECTOR.signature, { 'webhook-signature': undefined }))).toBe(false);
    expect(await verify(headers(VECTOR.signature, { 'webhook-timestamp': 'hello' }))).toBe(false);
    expect(await verify(headers(VECTOR.signature, { 'webhook-timestamp': '1614265330abc' }))).toBe(false);
  });

  it('rejects expired and future timestamps outside the tolerance, accepts them inside', async () => {
    const signed = headers(VECTOR.signature);
    expect(await verify(signed, { now: at(VECTOR.timestamp + 300) })).toBe(true);
    expect(await verify(signed, { now: at(VECTOR.timestamp + 301) })).toBe(false);
    expect(await verify(signed, { now: at(VECTOR.timestamp - 301) })).toBe(false);
    expect(await verify(signed, { now: at(VECTOR.timestamp + 3600), toleranceSeconds: 3600 })).toBe(true);
    expect(await verify(signed, { now: at(VECTOR.timestamp + 61), toleranceSeconds: 60 })).toBe(false);
  });

  it('refuses a replay of a captured request once the tolerance window has passed', async () => {
    // The attacker replays headers and body byte for byte: only the receiver's clock differs.
    const captured = await signWebhook({ secret: VECTOR.secret, id: 'msg_replayed', timestamp: at(1_800_000_000), body: '{"a":1}' });
    const replay = (seconds: number) =>
      verifyWebhookSignature({ secret: VECTOR.secret, headers: { ...captured }, body: '{"a":1}', now: at(seconds) });
    expect(await replay(1_800_000_010)).toBe(true);
    expect(await replay(1_800_000_000 + 6 * 60)).toBe(false);
    // Re-stamping the replay with a fresh timestamp breaks the signature.
    const restamped = { ...captured, 'webhook-timestamp': String(1_800_000_000 + 6 * 60) };
    expect(await verifyWebhookSignature({ secret: VECTOR.secret, headers: restamped, body: '{"a":1}', now: at(1_800_000_000 + 6 * 60) })).toBe(false);
  });

  it('accepts either secret during a rotation', async () => {
    const old = generateWebhookSecret();
    expect(await verifyWebhookSignature({ secret: [old, VECTOR.secret], headers: headers(VECTOR.signature), body: VECTOR.body, now })).toBe(true);
  });

  it('throws a ConfigError for a receiver secret that is not base64', async () => {
    const error = await verify(headers(VECTOR.signature), { secret: 'whsec_***' }).catch((e: unknown) => e);
    expect(isIncidentKitError(error, 'CONFIG_INVALID')).toBe(true);
  });
});
