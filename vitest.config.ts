// Test configuration: tests under test/, packages resolved to their TypeScript sources.
import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

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
    // the Slurm suite has its own config and command (pnpm test:slurm)
    exclude: [...configDefaults.exclude, 'test/slurm/**'],
    testTimeout: 60_000,
    pool: 'forks',
    // the JSON report is what .ci/run counts passed and failed tests from
    reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
  },
});
