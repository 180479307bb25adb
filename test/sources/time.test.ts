import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { normalizeTimestamp, readTimestamp } from '../../src/sources/time.js';

describe('normalizeTimestamp', () => {
  it.each([
    ['2015-07-17T08:42:58.315+0000', '2015-07-17T08:42:58.315Z'],
    ['2015-07-17T08:42:58.315+00:00', '2015-07-17T08:42:58.315Z'],
    ['2015-07-17T10:42:58.315+02', '2015-07-17T08:42:58.315Z'],
    ['2018-08-03T09:52:26.739266876+02:00', '2018-08-03T07:52:26.739Z'],
    ['2019-08-19T21:06:17.677000Z', '2019-08-19T21:06:17.677Z'],
    ['2021-10-12T09:51:03.157076-05:30', '2021-10-12T15:21:03.157Z'],
    ['2026-01-02 03:04:05', '2026-01-02T03:04:05.000Z'],
    ['2026-01-02T03:04Z', '2026-01-02T03:04:00.000Z'],
    ['2026-01-02', '2026-01-02T00:00:00.000Z'],
    ['  2026-01-02T03:04:05z  ', '2026-01-02T03:04:05.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['1970-01-01T00:00:00Z', '1970-01-01T00:00:00.000Z'],
  ])('reads %s as %s', (input, expected) => {
    expect(normalizeTimestamp(input)).toBe(expected);
  });

  it('reads Go zero time and epoch 0 as not set', () => {
    expect(normalizeTimestamp('0001-01-01T00:00:00Z')).toBeUndefined();
    expect(normalizeTimestamp('0001-01-01T00:00:00.000000000+00:00')).toBeUndefined();
    expect(normalizeTimestamp(0)).toBeUndefined();
    expect(normalizeTimestamp('0001-01-01T00:00:01Z')).toBe('0001-01-01T00:00:01.000Z');
  });

  it('reads epoch seconds, milliseconds, microseconds and nanoseconds', () => {
    expect(normalizeTimestamp(1566248777.677)).toBe('2019-08-19T21:06:17.677Z');
    expect(normalizeTimestamp('1591216985000')).toBe('2020-06-03T20:43:05.000Z');
    expect(normalizeTimestamp(1591216985000123)).toBe('2020-06-03T20:43:05.000Z');
    expect(normalizeTimestamp(1420452193166002000)).toBe('2015-01-05T10:03:13.166Z');
    expect(normalizeTimestamp(1591216985, 'ms')).toBe('1970-01-19T10:00:16.985Z');
    expect(normalizeTimestamp('1591216985', 's')).toBe('2020-06-03T20:43:05.000Z');
  });

  it.each(['2019-02-30T00:00:00Z', '2019-13-01T00:00:00Z', '2019-01-01T24:00:00Z', '2019-01-01T00:00:00+25:00', 'yesterday', '', '12:00'])(
    'refuses %j with a ValidationError',
    (input) => {
      expect(() => normalizeTimestamp(input)).toThrow(ValidationError);
    },
  );

  it('never throws from readTimestamp, and agrees with Date on ISO strings', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.double(), fc.integer(), fc.constant(null), fc.object()), (value) => {
        const reading = readTimestamp(value);
        expect(typeof reading.ok).toBe('boolean');
      }),
    );
    fc.assert(
      // From 1 ms after the epoch: epoch 0 itself reads as "not set".
      fc.property(fc.date({ min: new Date('1970-01-01T00:00:00.001Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), (date) => {
        expect(normalizeTimestamp(date.toISOString())).toBe(date.toISOString());
        expect(normalizeTimestamp(date.toISOString().replace('Z', '+0000'))).toBe(date.toISOString());
        expect(normalizeTimestamp(String(date.getTime()), 'ms')).toBe(date.toISOString());
      }),
    );
  });
});
