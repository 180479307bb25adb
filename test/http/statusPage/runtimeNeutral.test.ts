/**
 * `incidentkit/status-page` runs wherever Web `Request`/`Response` do (Hono, Next.js, Bun, Deno,
 * Workers): its module graph uses no Node built-in, and the handler answers a `Request` with no
 * server.
 */
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { describe, expect, it } from 'vitest';
import { createStatusPageHandler } from '../../../src/http/statusPage/index.js';
import { outageDuring } from '../../fixtures/statusPage/snapshots.js';

/** The modules `file` imports at run time (type-only imports are erased). */
function runtimeImports(file: URL): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)].flatMap((match) => (match[1] === undefined ? [] : [match[1]]));
}

describe('incidentkit/status-page runtime neutrality', () => {
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
    visit(new URL('../../../src/http/statusPage/index.ts', import.meta.url));
    expect(seen.size).toBeGreaterThan(4);
    expect([...external].filter((s) => s.startsWith('node:') || builtinModules.includes(s))).toEqual([]);
    expect([...external].sort()).toEqual(['zod']);
  });

  it('answers a Request with no server', async () => {
    const handler = createStatusPageHandler({ statusPages: { snapshot: () => Promise.resolve(outageDuring) } }, { pageId: 'acme' });
    const response = await handler(new Request('https://status.acme.test/api/v2/status.json'));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: { indicator: 'critical' } });
  });
});
