import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The files a bundler pulls in for `entry`, with only xstate, zod and mitt left external. */
async function inputsOf(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: root,
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    external: ['xstate', 'zod', 'mitt'],
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs);
}

describe('an engine without telemetry', () => {
  it('loads nothing of OpenTelemetry: the core entry imports no @opentelemetry package', async () => {
    const inputs = await inputsOf('src/index.ts');
    expect(inputs).toContain('src/engine/telemetry.ts');
    expect(inputs.filter((file) => file.includes('@opentelemetry') || file.startsWith('src/opentelemetry/'))).toEqual([]);
  });

  it('while incidentkit/opentelemetry does', async () => {
    const inputs = await inputsOf('src/opentelemetry/index.ts');
    expect(inputs.some((file) => file.includes('node_modules/@opentelemetry/api/'))).toBe(true);
  });
});
