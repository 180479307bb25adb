/** toICalendar: RFC 5545 text that a maintained parser (ical.js) reads back as the same shifts. */
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { defineSchedule, renderSchedule, toICalendar, type Schedule } from '../../../src/index.js';
import { escapeText, foldLine } from '../../../src/features/oncall/toICalendar.js';

interface ParsedEvent {
  uid: string;
  summary: string;
  description: string;
  start: string;
  end: string;
  stamp: string;
}

/** Parses `ics` with ical.js and returns its calendar name and events. */
function parse(ics: string): { name: unknown; events: ParsedEvent[] } {
  const calendar = new ICAL.Component(ICAL.parse(ics) as unknown[]);
  const events = calendar.getAllSubcomponents('vevent').map((vevent) => {
    const event = new ICAL.Event(vevent);
    const stamp = vevent.getFirstPropertyValue('dtstamp') as ICAL.Time;
    return {
      uid: event.uid,
      summary: event.summary,
      description: event.description,
      start: event.startDate.toJSDate().toISOString(),
      end: event.endDate.toJSDate().toISOString(),
      stamp: stamp.toJSDate().toISOString(),
    };
  });
  return { name: calendar.getFirstPropertyValue('x-wr-calname'), events };
}

/** Every physical line: ends in CRLF, at most 75 octets, valid UTF-8 on its own. */
function expectWellFormedLines(ics: string): void {
  expect(ics.endsWith('\r\n')).toBe(true);
  expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  for (const line of ics.slice(0, -2).split('\r\n')) {
    const bytes = Buffer.from(line, 'utf8');
    expect(bytes.length).toBeLessThanOrEqual(75);
    expect(new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toBe(line);
  }
}

const rota: Schedule = defineSchedule({
  id: 'sre/primary',
  name: 'SRE primary',
  timeZone: 'Europe/Berlin',
  layers: [
    { id: 'weekly', name: 'Weekly', start: '2026-03-02T09:00', rotation: { every: { amount: 1, unit: 'weeks' } }, members: ['ana', 'ben', 'chen'] },
    { id: 'nights', start: '2026-03-02T09:00', rotation: { every: { amount: 1, unit: 'days' } }, members: ['nia', 'ola'], restrictions: [{ kind: 'daily', start: '22:00', end: '06:00' }] },
  ],
  overrides: [{ id: 'o1', start: '2026-03-04T12:00:00Z', end: '2026-03-04T15:00:00Z', userId: 'dora', replaces: 'ana' }],
});
const range = { from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z' };

describe('toICalendar', () => {
  it('ical.js reads back one event per shift with the same bounds and people, gaps left out', () => {
    const ics = toICalendar(rota, range);
    expectWellFormedLines(ics);
    const { name, events } = parse(ics);
    expect(name).toBe('SRE primary');
    const shifts = renderSchedule(rota, range).filter((shift) => shift.source !== 'gap');
    expect(shifts.length).toBeGreaterThan(50); // nights across a DST change, an override, hand-offs
    expect(events.map((e) => ({ start: e.start, end: e.end, summary: e.summary }))).toEqual(
      shifts.map((s) => ({ start: s.start, end: s.end, summary: `SRE primary: ${s.userIds.join(', ')}` })),
    );
    expect(new Set(events.map((e) => e.uid)).size).toBe(events.length);
    expect(events[0]?.uid).toBe('20260302T080000Z-sre%2Fprimary@incidentkit');
    expect(events.every((e) => e.stamp === '2026-03-01T00:00:00.000Z')).toBe(true);
    expect(events.find((e) => e.start === '2026-03-04T12:00:00.000Z')?.description).toBe('On call: dora\nOverride');
    expect(events[0]?.description).toBe('On call: ana\nLayer: Weekly');
  });

  it('writes the calendar frame, UTC times and CRLF line endings', () => {
    const ics = toICalendar(rota, { from: '2026-03-02T08:00:00Z', to: '2026-03-02T09:00:00Z', dtstamp: '2026-02-01T10:00:00+01:00' });
    expect(ics).toBe(
      [
        'BEGIN:VCALENDAR',
        'VERSION:2.0',
        'PRODID:-//incidentkit//on-call//EN',
        'CALSCALE:GREGORIAN',
        'METHOD:PUBLISH',
        'X-WR-CALNAME:SRE primary',
        'BEGIN:VEVENT',
        'UID:20260302T080000Z-sre%2Fprimary@incidentkit',
        'DTSTAMP:20260201T090000Z',
        'DTSTART:20260302T080000Z',
        'DTEND:20260302T090000Z',
        'SUMMARY:SRE primary: ana',
        'DESCRIPTION:On call: ana\\nLayer: Weekly',
        'END:VEVENT',
        'END:VCALENDAR',
        '',
      ].join('\r\n'),
    );
  });

  it('is the same text for the same input (DTSTAMP defaults to `from`)', () => {
    expect(toICalendar(rota, range)).toBe(toICalendar(JSON.parse(JSON.stringify(rota)) as Schedule, range));
  });

  it('with userId, only the shifts that user is on call in, with UIDs of their own', () => {
    const { events } = parse(toICalendar(rota, { ...range, userId: 'nia' }));
    const expected = renderSchedule(rota, range).filter((s) => s.userIds.includes('nia'));
    expect(events.map((e) => [e.start, e.end])).toEqual(expected.map((s) => [s.start, s.end]));
    expect(events[0]?.uid).toMatch(/^\d{8}T\d{6}Z-sre%2Fprimary-nia@incidentkit$/);
    expect(parse(toICalendar(rota, { ...range, userId: 'nobody' })).events).toEqual([]);
  });

  it('escapes TEXT values and folds long lines at 75 octets without splitting UTF-8 characters', () => {
    const name = 'Pharmacy, night; on-call \\ Notaufnahme Süd — 夜間当番 🏥 '.repeat(3).trim() + '\nsecond line';
    const schedule = defineSchedule({ ...rota, name, overrides: [] });
    const ics = toICalendar(schedule, { from: '2026-03-02T08:00:00Z', to: '2026-03-03T08:00:00Z' });
    expectWellFormedLines(ics);
    expect(ics).toContain('Pharmacy\\, night\\; on-call \\\\ Notaufnahme');
    const { name: parsedName, events } = parse(ics);
    expect(parsedName).toBe(escapeText(name)); // ical.js leaves X- properties' values as written
    expect(events[0]?.summary).toBe(`${name}: ana`);
  });
});

describe('foldLine and escapeText', () => {
  it('folds at 75 octets counting multi-byte characters by their UTF-8 length', () => {
    expect(foldLine('x'.repeat(75))).toBe('x'.repeat(75));
    expect(foldLine('x'.repeat(76))).toBe(`${'x'.repeat(75)}\r\n x`);
    // 74 ASCII octets, then a 2-octet 'ü' would make 76: it moves to the next line whole.
    expect(foldLine(`${'x'.repeat(74)}ü`)).toBe(`${'x'.repeat(74)}\r\n ü`);
    // A 4-octet emoji (a surrogate pair in JavaScript) is never split.
    expect(foldLine(`${'x'.repeat(73)}🏥`)).toBe(`${'x'.repeat(73)}\r\n 🏥`);
    const long = '界'.repeat(100);
    const lines = foldLine(long).split('\r\n');
    expect(lines.map((l) => Buffer.byteLength(l))).toEqual([75, 73, 73, 73, 10]);
  });

  it('escapes backslash, semicolon, comma and line breaks, and drops control characters', () => {
    expect(escapeText('a\\b;c,d\r\ne\nf\rg\u0000h\u0007i\tj')).toBe('a\\\\b\\;c\\,d\\ne\\nf\\ngh' + 'i\tj');
  });
});
