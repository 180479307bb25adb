/**
 * docs/architecture.md stays true: its folder graph is the code's import graph, and its feature
 * example is the one examples/custom-feature.ts runs (test/examples.test.ts runs that file).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { documentedGraph, folderGraph } from '../../scripts/gen-architecture-diagram.js';

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('docs/architecture.md', () => {
  it('shows the import graph of src/ as it is (regenerate with npx tsx scripts/gen-architecture-diagram.ts)', () => {
    expect(documentedGraph()).toBe(folderGraph());
  }, 60_000);

  it('quotes the feature of examples/custom-feature.ts verbatim', () => {
    const example = read('examples/custom-feature.ts');
    const start = example.indexOf('const nudges = defineFeature({');
    const end = example.indexOf('\n});\n', start) + '\n});\n'.length;
    expect(start).toBeGreaterThan(0);
    expect(read('docs/architecture.md')).toContain(`\`\`\`ts\n${example.slice(start, end)}\`\`\``);
  });

  it('names every folder of src/ and every rule of .dependency-cruiser.js', () => {
    const doc = read('docs/architecture.md');
    for (const folder of ['kernel/', 'model/', 'lifecycle/', 'engine/', 'features/<name>/', 'storage/', 'sources/', 'channels/', 'http/', 'metrics/', 'testing/']) {
      expect(doc).toContain(`  ${folder}`);
    }
    const rules = [...read('.dependency-cruiser.js').matchAll(/name: '([a-z-]+)'/g)].map((m) => m[1] ?? '');
    expect(rules.length).toBeGreaterThan(10);
    for (const rule of rules) expect(doc).toContain(`\`${rule}\``);
  });
});
