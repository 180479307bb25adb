import { defineConfig } from 'tsup';

export default defineConfig({
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
  },
  format: ['esm', 'cjs'],
  // tsup's declaration build sets baseUrl, which TypeScript 6 deprecates.
  dts: { compilerOptions: { ignoreDeprecations: '6.0' } },
  clean: true,
  sourcemap: true,
  target: 'es2022',
  platform: 'neutral',
  splitting: true,
  treeshake: true,
  external: ['xstate', 'zod', 'mitt', 'better-sqlite3', 'pg', 'nodemailer', 'redos-detector'],
});
