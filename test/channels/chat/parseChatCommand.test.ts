import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chatHelp, CHAT_VERBS, MAX_CHAT_COMMAND_LENGTH, parseChatCommand, type ChatCommand } from '../../../src/channels/chat/parseChatCommand.js';
import { hostileChar, hostileString } from '../../fuzz/arbitraries.js';

function command(text: string, entities = false): ChatCommand {
  const parsed = parseChatCommand(text, { entities });
  if (!parsed.ok) throw new Error(`expected a command for '${text}', got ${parsed.error.code}: ${parsed.error.message}`);
  return parsed.command;
}

describe('parseChatCommand', () => {
  it('parses declare with a severity and a service anywhere in the title', () => {
    expect(command('declare Checkout is down sev1 service:payments')).toEqual({
      kind: 'declare',
      title: 'Checkout is down',
      severity: 'SEV1',
      service: 'payments',
    });
    expect(command('DECLARE  SEV3   API   latency ')).toEqual({ kind: 'declare', title: 'API latency', severity: 'SEV3' });
    expect(command('declare Disk full severity:critical')).toEqual({ kind: 'declare', title: 'Disk full', severity: 'critical' });
    expect(command('declare A &amp; B &lt;down&gt;', true)).toEqual({ kind: 'declare', title: 'A & B <down>' });
  });

  it('parses every verb, with and without an incident reference', () => {
    expect(command('ack')).toEqual({ kind: 'acknowledge' });
    expect(command('acknowledge #inc_42')).toEqual({ kind: 'acknowledge', incident: { kind: 'id', value: 'inc_42' } });
    expect(command('status <#C0123ABC|inc-20261206-db>')).toEqual({ kind: 'status', incident: { kind: 'channel', channelId: 'C0123ABC' } });
    expect(command('mitigate #0b6f rolled back to v41')).toEqual({
      kind: 'mitigate',
      summary: 'rolled back to v41',
      incident: { kind: 'id', value: '0b6f' },
    });
    expect(command('resolve')).toEqual({ kind: 'resolve' });
    expect(command('resolve fixed by a restart')).toEqual({ kind: 'resolve', summary: 'fixed by a restart' });
    expect(command('note   the   db is   slow ')).toEqual({ kind: 'note', text: 'the   db is   slow' });
    expect(command('update #inc_1 Payments are back')).toEqual({ kind: 'update', text: 'Payments are back', incident: { kind: 'id', value: 'inc_1' } });
    expect(command('help')).toEqual({ kind: 'help' });
    expect(command('')).toEqual({ kind: 'help' });
    expect(command('help declare')).toEqual({ kind: 'help', topic: 'declare' });
    expect(command('help acknowledge')).toEqual({ kind: 'help', topic: 'ack' });
  });

  it('parses role assignments from Slack mentions and plain names', () => {
    expect(command('role commander <@U024BE7LH>')).toEqual({ kind: 'role', role: 'commander', assignee: { kind: 'mention', userId: 'U024BE7LH' } });
    expect(command('role commander <@U024BE7LH|alice>')).toEqual({ kind: 'role', role: 'commander', assignee: { kind: 'mention', userId: 'U024BE7LH' } });
    expect(command('role #inc_7 Commander @alice')).toEqual({
      kind: 'role',
      role: 'commander',
      assignee: { kind: 'name', name: 'alice' },
      incident: { kind: 'id', value: 'inc_7' },
    });
    expect(command('role commander bob.smith')).toEqual({ kind: 'role', role: 'commander', assignee: { kind: 'name', name: 'bob.smith' } });
  });

  it('answers bad input with a typed error and the help of the verb', () => {
    const cases: readonly [string, string][] = [
      ['explode everything', 'UNKNOWN_COMMAND'],
      ['declare', 'MISSING_ARGUMENT'],
      ['declare sev1 service:api', 'MISSING_ARGUMENT'],
      ['declare Down sev1 sev2', 'INVALID_ARGUMENT'],
      ['declare Down service:', 'MISSING_ARGUMENT'],
      ['mitigate', 'MISSING_ARGUMENT'],
      ['mitigate #inc_1', 'MISSING_ARGUMENT'],
      ['note', 'MISSING_ARGUMENT'],
      ['ack now please', 'INVALID_ARGUMENT'],
      ['ack #', 'INVALID_ARGUMENT'],
      ['role commander', 'MISSING_ARGUMENT'],
      ['role commander @a @b', 'INVALID_ARGUMENT'],
      ['role 9lives @a', 'INVALID_ARGUMENT'],
      ['help me', 'UNKNOWN_COMMAND'],
      ['note ' + 'x'.repeat(MAX_CHAT_COMMAND_LENGTH), 'TOO_LONG'],
    ];
    for (const [text, code] of cases) {
      const parsed = parseChatCommand(text, { commandName: '/inc' });
      expect(parsed.ok, text).toBe(false);
      if (parsed.ok) continue;
      expect(parsed.error.code, text).toBe(code);
      expect(parsed.error.message.length, text).toBeGreaterThan(10);
      expect(parsed.error.help, text).toContain('/inc');
    }
    const unknown = parseChatCommand('explode');
    expect(!unknown.ok && unknown.error.help).toBe(chatHelp('/incident'));
  });

  it('lists every verb in the help', () => {
    for (const verb of CHAT_VERBS) expect(chatHelp('/incident')).toContain(`/incident ${verb}`);
  });

  it('gives a command or a typed error for any input, and never throws (fast-check)', () => {
    const verbish = fc.constantFrom('', ...CHAT_VERBS, 'acknowledge', 'DECLARE', '#', '<#C1|x>', '<@U1>', '@a', 'sev1', 'severity:', 'service:', '&lt;');
    const words = fc.array(fc.oneof(verbish, hostileString(), fc.string({ unit: hostileChar, maxLength: 8 })), { maxLength: 8 });
    fc.assert(
      fc.property(words, fc.constantFrom(' ', '  ', '\t', '\n', '\u00a0'), fc.boolean(), (parts, separator, entities) => {
        const parsed = parseChatCommand(parts.join(separator), { entities });
        if (parsed.ok) {
          expect(typeof parsed.command.kind).toBe('string');
        } else {
          expect(['UNKNOWN_COMMAND', 'MISSING_ARGUMENT', 'INVALID_ARGUMENT', 'TOO_LONG']).toContain(parsed.error.code);
          expect(parsed.error.help).not.toBe('');
        }
      }),
      { numRuns: 2_000 },
    );
    for (const hostile of [undefined, null, 42, {}, []]) {
      const parsed = parseChatCommand(hostile as string);
      expect(parsed.ok).toBe(false);
    }
  });
});
