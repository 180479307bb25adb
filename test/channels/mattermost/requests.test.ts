/**
 * Parsing a Mattermost slash command's form body and checking its token, with the request
 * from Mattermost's documentation (developers.mattermost.com, "Slash commands").
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMattermostForm, parseMattermostSlashCommand } from '../../../src/channels/mattermost/requests.js';
import { mattermostAuthorizationToken, verifyMattermostToken } from '../../../src/channels/mattermost/token.js';
import { isIncidentKitError } from '../../../src/errors.js';
import { timeBudget, withinBudget } from '../../fuzz/timeBudget.js';

/** The documented example request's body, as Mattermost sends it for `/test asd`. */
const DOCUMENTED =
  'channel_id=jux16pkewjrkfj3ehep1psxyxc&channel_name=town-square&command=%2Ftest&response_url=http%3A%2F%2Flocalhost%3A8065%2Fhooks%2Fcommands%2Fxbrkb8p393gjpq5cawei7npije&team_domain=test&team_id=carya1qs77bemjup96ff538snh&text=asd&token=okwexkjpe7ygb8eq1ww58t483w&user_id=aoa1agao6t8fmx3ikt1j9w5ybw&user_name=somename';

describe('parseMattermostSlashCommand', () => {
  it("reads Mattermost's documented example request", () => {
    expect(parseMattermostSlashCommand(DOCUMENTED)).toEqual({
      command: '/test',
      text: 'asd',
      token: 'okwexkjpe7ygb8eq1ww58t483w',
      userId: 'aoa1agao6t8fmx3ikt1j9w5ybw',
      userName: 'somename',
      channelId: 'jux16pkewjrkfj3ehep1psxyxc',
      channelName: 'town-square',
      teamId: 'carya1qs77bemjup96ff538snh',
      teamDomain: 'test',
      responseUrl: 'http://localhost:8065/hooks/commands/xbrkb8p393gjpq5cawei7npije',
    });
  });

  it('keeps the text exactly as typed (Mattermost escapes nothing) and ignores unknown fields', () => {
    const body = new URLSearchParams({ command: '/incident', text: 'note a & b <c> @here', user_id: 'u1', channel_id: 'c1', future_field: 'x' }).toString();
    expect(parseMattermostSlashCommand(body)).toMatchObject({ text: 'note a & b <c> @here', token: '' });
  });

  it('refuses a form without the fields Mattermost always sends, or with a field given twice', () => {
    for (const body of ['', 'text=ack', 'command=%2Fi&user_id=u1', 'command=%2Fi&channel_id=c1', `${DOCUMENTED}&text=again`, 'command=%2Fi&user_id=u1&channel_id=c1&response_url=javascript%3Aalert(1)']) {
      expect(() => parseMattermostSlashCommand(body), body).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }) as Error);
    }
  });

  it('gives a command or a VALIDATION_FAILED for any body, within its time budget (fast-check)', () => {
    const budget = timeBudget('parseMattermostSlashCommand', () => parseMattermostSlashCommand(DOCUMENTED));
    const field = fc.constantFrom('command', 'text', 'token', 'user_id', 'user_name', 'channel_id', 'team_id', 'response_url', 'trigger_id', '__proto__', 'constructor');
    const body = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.array(fc.tuple(field, fc.string({ maxLength: 40 })), { maxLength: 12 }).map((pairs) => new URLSearchParams(pairs).toString()),
      fc.string({ maxLength: 20 }).map((value) => `${DOCUMENTED.slice(0, 200)}${value}`),
      fc.nat({ max: 20_000 }).map((size) => `${DOCUMENTED}&x=${'%'.repeat(size)}`),
    );
    fc.assert(
      fc.property(body, (text) => {
        try {
          const command = withinBudget(budget, () => parseMattermostSlashCommand(text));
          expect(command.userId.length).toBeGreaterThan(0);
        } catch (error) {
          expect(isIncidentKitError(error, 'VALIDATION_FAILED'), String(error)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('isMattermostForm', () => {
  it('accepts the form type with parameters, in any case, and nothing else', () => {
    expect(isMattermostForm('application/x-www-form-urlencoded')).toBe(true);
    expect(isMattermostForm('Application/X-WWW-Form-Urlencoded; charset=utf-8')).toBe(true);
    expect(isMattermostForm('application/json')).toBe(false);
    expect(isMattermostForm('multipart/form-data; boundary=x')).toBe(false);
    expect(isMattermostForm(null)).toBe(false);
  });
});

describe('verifyMattermostToken', () => {
  it('matches one of the tokens exactly, byte for byte', () => {
    expect(verifyMattermostToken('okwexkjpe7ygb8eq1ww58t483w', 'okwexkjpe7ygb8eq1ww58t483w')).toBe(true);
    expect(verifyMattermostToken('okwexkjpe7ygb8eq1ww58t483w', ['nezum4kpu3faiec7r7c5zt6tfy', 'okwexkjpe7ygb8eq1ww58t483w'])).toBe(true);
    expect(verifyMattermostToken('okwexkjpe7ygb8eq1ww58t483', 'okwexkjpe7ygb8eq1ww58t483w')).toBe(false);
    expect(verifyMattermostToken('okwexkjpe7ygb8eq1ww58t483wx', 'okwexkjpe7ygb8eq1ww58t483w')).toBe(false);
    expect(verifyMattermostToken('OKWEXKJPE7YGB8EQ1WW58T483W', 'okwexkjpe7ygb8eq1ww58t483w')).toBe(false);
    // Same UTF-16 length, different UTF-8 bytes.
    expect(verifyMattermostToken('é', 'e')).toBe(false);
    expect(verifyMattermostToken('ключ', 'ключ')).toBe(true);
  });

  it('never matches a missing or empty token, nor an empty configured one', () => {
    expect(verifyMattermostToken(undefined, 't')).toBe(false);
    expect(verifyMattermostToken(null, 't')).toBe(false);
    expect(verifyMattermostToken('', '')).toBe(false);
    expect(verifyMattermostToken('', ['', 't'])).toBe(false);
    expect(verifyMattermostToken('t', [])).toBe(false);
  });

  it('reads the token of an Authorization header', () => {
    expect(mattermostAuthorizationToken('Token okwexkjpe7ygb8eq1ww58t483w')).toBe('okwexkjpe7ygb8eq1ww58t483w');
    expect(mattermostAuthorizationToken('token abc')).toBe('abc');
    expect(mattermostAuthorizationToken(null)).toBeUndefined();
    expect(mattermostAuthorizationToken('Bearer abc')).toBeNull();
    expect(mattermostAuthorizationToken('Token ')).toBeNull();
    expect(mattermostAuthorizationToken('Token a b')).toBeNull();
  });
});
