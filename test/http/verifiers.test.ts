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

/** The issue paths of the ConfigError `make` throws (and its message), for asserting which option is named. */
function configIssues(make: () => unknown): { paths: string[]; message: string } {
  const error = thrown(make, 'CONFIG_INVALID');
  expect(error.name).toBe('ConfigError');
  return { paths: error.details.issues.map((issue) => issue.path.map(String).join('.')), message: error.message };
}

/** What reading an unset environment variable gives: `process.env.TOKEN!` when TOKEN is not set. */
function unsetEnv(): string {
  expect(process.env.INCIDENTKIT_TEST_SURELY_UNSET_VARIABLE).toBeUndefined();
  return process.env.INCIDENTKIT_TEST_SURELY_UNSET_VARIABLE!;
}

/** Calls a factory with a value of the wrong type, as plain JavaScript callers can. */
const loose = (value: unknown): never => value as never;

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

  it('names token in a ConfigError when the token is undefined (an unset environment variable), not a TypeError', () => {
    const unset = configIssues(() => bearerAuth(unsetEnv()));
    expect(unset.paths).toEqual(['token']);
    expect(unset.message).toMatch(/^Invalid configuration for bearerAuth: token: Missing: got undefined .*environment variable/);
    expect(configIssues(() => bearerAuth(loose(42))).paths).toEqual(['token']);
    expect(configIssues(() => bearerAuth(loose(null))).paths).toEqual(['token']);
    expect(configIssues(() => bearerAuth(loose(['good-token', undefined]))).paths).toEqual(['token.1']);
    expect(configIssues(() => bearerAuth(['good-token', 'has space'])).paths).toEqual(['token.1']);
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

  it('names user and password in a ConfigError when they are undefined or not strings', () => {
    expect(configIssues(() => basicAuth(unsetEnv(), 'pw')).paths).toEqual(['user']);
    expect(configIssues(() => basicAuth('grafana', unsetEnv())).paths).toEqual(['password']);
    const neither = configIssues(() => basicAuth(loose(undefined), loose(undefined)));
    expect(neither.paths).toEqual(['user', 'password']);
    expect(neither.message).toContain('user: Missing: got undefined');
    expect(configIssues(() => basicAuth(loose(7), 'pw')).paths).toEqual(['user']);
    expect(configIssues(() => basicAuth('a:b', 'pw')).message).toContain('user: The user must not contain ":"');
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

  it('claims ids in an injected store for twice the tolerance plus a minute, and releases them', async () => {
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
    expect(calls).toEqual(['claim msg_f 660000', 'claim msg_f 660000', 'release msg_f', 'claim msg_f 660000']);

    calls.length = 0;
    const short = standardWebhooksAuth(SECRET, { clock, replayStore: store, toleranceSeconds: 30 });
    expect(await short(await signedRequest(SECRET, 'msg_h', clock.now()), body)).toBe(true);
    expect(calls).toEqual(['claim msg_h 120000']);
  });

  describe('replays at the edges of the window (manual clock, default memory store)', () => {
    const T0 = Date.parse('2026-03-01T12:00:00Z');
    const at = (ms: number): Date => new Date(T0 + ms);

    it('refuses the replay of a message signed +tolerance in the future until it expires, also when the old 600 s expiry would have dropped its id', async () => {
      const clock = createManualClock(at(0));
      const verify = standardWebhooksAuth(SECRET, { clock });
      // Signed 300 s ahead of the receiver's clock: the latest timestamp accepted now.
      const sent = await signedRequest(SECRET, 'msg_future', at(300_000));
      expect(await verify(sent, body)).toBe(true);

      // Its timestamp stays acceptable until T0 + 600 s inclusive; every replay up to then is refused.
      for (const moment of [1, 299_999, 300_000, 599_999, 600_000]) {
        clock.set(at(moment));
        expect(await verify(sent, body), `replay at +${String(moment)} ms`).toBe(false);
      }
      // Past the window the timestamp refuses it, also once the id is forgotten (T0 + 660 s).
      for (const moment of [600_001, 659_999, 660_000, 700_000]) {
        clock.set(at(moment));
        expect(await verify(sent, body), `replay at +${String(moment)} ms`).toBe(false);
      }
    });

    it('refuses the replay of a message first accepted at the earliest instant, at its last acceptable instant', async () => {
      const clock = createManualClock(at(-300_000));
      const verify = standardWebhooksAuth(SECRET, { clock });
      const sent = await signedRequest(SECRET, 'msg_early', at(0));
      expect(await verify(sent, body)).toBe(true); // now = timestamp - tolerance, exactly
      clock.set(at(300_000)); // now = timestamp + tolerance, exactly: the old expiry instant
      expect(await verify(sent, body)).toBe(false);
    });

    it('compares the window to the millisecond, without rounding now to whole seconds', async () => {
      const clock = createManualClock(at(300_000));
      const verify = standardWebhooksAuth(SECRET, { clock });
      const stamp = at(0); // whole seconds, as senders send them
      expect(await verify(await signedRequest(SECRET, 'msg_edge', stamp), body)).toBe(true);
      // Rounding now down to seconds accepted these (300.001 s and 300.999 s late).
      clock.set(at(300_001));
      expect(await verify(await signedRequest(SECRET, 'msg_late_1', stamp), body)).toBe(false);
      clock.set(at(300_999));
      expect(await verify(await signedRequest(SECRET, 'msg_late_2', stamp), body)).toBe(false);
      // And the early side: a timestamp 300 s ahead is accepted, 300.001 s ahead is not.
      clock.set(at(-300_000));
      expect(await verify(await signedRequest(SECRET, 'msg_ahead', stamp), body)).toBe(true);
      clock.set(at(-300_001));
      expect(await verify(await signedRequest(SECRET, 'msg_ahead_2', stamp), body)).toBe(false);
    });

    it('keeps an id accepted at the last instant for longer than the window, with a short tolerance too', async () => {
      const clock = createManualClock(at(0));
      const verify = standardWebhooksAuth(SECRET, { clock, toleranceSeconds: 1 });
      const sent = await signedRequest(SECRET, 'msg_short', at(1_000));
      expect(await verify(sent, body)).toBe(true); // 1 s early: the first acceptable instant
      for (const moment of [1_000, 1_999, 2_000]) {
        clock.set(at(moment));
        expect(await verify(sent, body), `replay at +${String(moment)} ms`).toBe(false);
      }
    });
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

  it('names the secret or the option in a ConfigError when they are undefined or of the wrong kind', () => {
    const unset = configIssues(() => standardWebhooksAuth(unsetEnv()));
    expect(unset.paths).toEqual(['secret']);
    expect(unset.message).toMatch(/^Invalid configuration for standardWebhooksAuth: secret: Missing: got undefined/);
    expect(configIssues(() => standardWebhooksAuth(loose([SECRET, undefined]))).paths).toEqual(['secret.1']);
    expect(configIssues(() => standardWebhooksAuth('whsec_!!!')).message).toContain('secret: The secret must be base64');
    expect(configIssues(() => standardWebhooksAuth(SECRET, loose({ toleranceSeconds: '300' }))).paths).toEqual(['toleranceSeconds']);
    expect(configIssues(() => standardWebhooksAuth(SECRET, { toleranceSeconds: Number.NaN })).paths).toEqual(['toleranceSeconds']);
    expect(configIssues(() => standardWebhooksAuth(SECRET, { toleranceSeconds: -5 })).paths).toEqual(['toleranceSeconds']);
    expect(configIssues(() => standardWebhooksAuth(SECRET, loose({ replayStore: { claim: () => true } }))).paths).toEqual(['replayStore']);
    expect(configIssues(() => standardWebhooksAuth(SECRET, loose({ clock: Date }))).paths).toEqual(['clock']);
    expect(configIssues(() => standardWebhooksAuth(SECRET, loose({ tolerance: 300 }))).message).toContain('tolerance');
    expect(configIssues(() => standardWebhooksAuth(SECRET, loose(null))).message).toContain('an options object');
    // Both arguments wrong: both are named.
    expect(configIssues(() => standardWebhooksAuth(loose(undefined), { toleranceSeconds: 0 })).paths).toEqual(['secret', 'toleranceSeconds']);
  });

  it('calls a class-based replay store and clock as methods (the validated options are the originals)', async () => {
    class Clock {
      private readonly start = Date.parse('2026-03-01T12:00:00Z');
      now(): Date {
        return new Date(this.start);
      }
    }
    class Store implements ReplayStore {
      private readonly seen = new Set<string>();
      claim(key: string): boolean {
        if (this.seen.has(key)) return false;
        this.seen.add(key);
        return true;
      }
      release(key: string): void {
        this.seen.delete(key);
      }
    }
    const clock = new Clock();
    const verify = standardWebhooksAuth(SECRET, { clock, replayStore: new Store() });
    const sent = await signedRequest(SECRET, 'msg_class', clock.now());
    expect(await verify(sent, body)).toBe(true);
    expect(await verify(sent, body)).toBe(false);
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

  it('names the option in a ConfigError for options of the wrong kind', () => {
    expect(configIssues(() => memoryReplayStore({ maxEntries: 1.5 })).paths).toEqual(['maxEntries']);
    expect(configIssues(() => memoryReplayStore(loose({ maxEntries: '100' }))).paths).toEqual(['maxEntries']);
    expect(configIssues(() => memoryReplayStore(loose({ clock: {} }))).paths).toEqual(['clock']);
    expect(configIssues(() => memoryReplayStore(loose({ maxEntry: 5 }))).message).toContain('maxEntry');
    expect(configIssues(() => memoryReplayStore(loose(null))).message).toContain('an options object');
  });
});
