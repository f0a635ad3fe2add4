// The packaging suite (pnpm test:packaging): packs every package and installs the tarballs with plain npm.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/packaging/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 600_000,
    pool: 'forks',
    // the JSON report is what .ci/run counts passed and failed tests from (scripts/ci-count.mjs)
    reporters: ['default', ['json', { outputFile: '.vitest-report-packaging.json' }]],
  },
});
