// Test configuration: tests under test/, packages resolved to their TypeScript sources.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string): string => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@descent/autodiff': src('autodiff'),
      '@descent/dsl': src('dsl'),
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    // the packaging and Slurm suites run on their own (pnpm test:packaging, pnpm test:slurm)
    exclude: ['test/packaging/**', 'test/slurm/**', '**/node_modules/**'],
    testTimeout: 60_000,
    pool: 'forks',
    // the JSON report is what .ci/run counts passed and failed tests from
    reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
  },
});
