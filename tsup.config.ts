import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
const external = ['xstate', 'zod', 'mitt', 'better-sqlite3', 'pg', 'nodemailer', 'redos-detector', '@opentelemetry/api'];

export default defineConfig([{
  entry: {
    index: 'src/index.ts',
    testing: 'src/testing/index.ts',
    ingest: 'src/sources/index.ts',
    notifiers: 'src/channels/index.ts',
    sqlite: 'src/storage/sqlite.ts',
    postgres: 'src/storage/postgres.ts',
    http: 'src/http/index.ts',
    routing: 'src/features/routing/index.ts',
    slack: 'src/http/slack/index.ts',
    mattermost: 'src/http/mattermost/index.ts',
    teams: 'src/http/teams/index.ts',
    'status-page': 'src/http/statusPage/index.ts',
    opentelemetry: 'src/opentelemetry/index.ts',
    drills: 'src/drills/index.ts',
    healthcare: 'src/healthcare/index.ts',
  },
  format: ['esm', 'cjs'],
  // tsup's declaration build sets baseUrl, which TypeScript 6 deprecates.
  dts: { compilerOptions: { ignoreDeprecations: '6.0' } },
  // The CLI's files are built beside these by the second config below: keep them.
  clean: ['!cli.js', '!cli.js.map'],
  sourcemap: true,
  target: 'es2022',
  platform: 'neutral',
  splitting: true,
  treeshake: true,
  external,
}, {
  // `npx incidentkit`: one ESM file for Node, the drivers loaded only when a command needs them.
  entry: { cli: 'src/cli/bin.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  banner: { js: '#!/usr/bin/env node' },
  define: { __INCIDENTKIT_VERSION__: JSON.stringify(version) },
  dts: false,
  clean: false,
  sourcemap: true,
  splitting: false,
  external,
}]);
