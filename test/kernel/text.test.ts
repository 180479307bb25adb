import { describe, expect, it } from 'vitest';
import { withoutTrailingSlashes } from '../../src/kernel/text.js';

describe('withoutTrailingSlashes', () => {
  it('drops every trailing slash and nothing else', () => {
    expect(withoutTrailingSlashes('https://status.example.com///')).toBe('https://status.example.com');
    expect(withoutTrailingSlashes('https://status.example.com/a/b')).toBe('https://status.example.com/a/b');
    expect(withoutTrailingSlashes('///')).toBe('');
    expect(withoutTrailingSlashes('')).toBe('');
  });

  it('keeps a long run of slashes that is not at the end (the input a /\\/+$/ backtracks on)', () => {
    const attack = `${'/'.repeat(54_773)}\u0000/`;
    expect(withoutTrailingSlashes(attack)).toBe(attack.slice(0, -1));
  });
});
