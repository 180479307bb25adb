import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Resolve `incidentkit/*` to src/ as tsconfig's paths do, so tests can import the examples.
  resolve: { tsconfigPaths: true },
  test: {
    include: ['test/**/*.test.ts'],
    // Starts a throwaway PostgreSQL (or uses INCIDENTKIT_TEST_DATABASE_URL) for the *.int.test.ts suites.
    // Finds (or, as root, installs) Prometheus Alertmanager for test/http/alertmanager.int.test.ts.
    // Finds (or, as root, installs) Debian's chromium for the *.browser.test.ts suites.
    globalSetup: ['test/setup/postgres.ts', 'test/setup/alertmanager.ts', 'test/setup/chromium.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
