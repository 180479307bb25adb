/** `incidentkit/teams` runs on any runtime: its module graph uses no Node built-in (Web Crypto, `atob`/`btoa` only). */
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { describe, expect, it } from 'vitest';

/** The modules `file` imports at run time (type-only imports are erased). */
function runtimeImports(file: URL): string[] {
  const source = readFileSync(file, 'utf8');
  const specifiers: string[] = [];
  for (const match of source.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)) {
    if (match[1] !== undefined) specifiers.push(match[1]);
  }
  return specifiers;
}

describe('incidentkit/teams runtime neutrality', () => {
  it('pulls in no Node built-in', () => {
    const seen = new Set<string>();
    const external = new Set<string>();
    const visit = (file: URL): void => {
      if (seen.has(file.href)) return;
      seen.add(file.href);
      for (const specifier of runtimeImports(file)) {
        if (specifier.startsWith('.')) visit(new URL(specifier.replace(/\.js$/, '.ts'), file));
        else external.add(specifier);
      }
    };
    visit(new URL('../../../src/http/teams/index.ts', import.meta.url));
    expect(seen.size).toBeGreaterThan(5);
    expect([...external].filter((s) => s.startsWith('node:') || builtinModules.includes(s))).toEqual([]);
  });
});
