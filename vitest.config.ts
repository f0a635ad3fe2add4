// Test configuration: tests under test/, packages resolved to their TypeScript sources.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string, file = 'index.ts'): string => fileURLToPath(new URL(`./packages/${pkg}/src/${file}`, import.meta.url));

export default defineConfig({
  resolve: {
    // exact matches: `@descent/autodiff/optim` is a subpath export of its own
    alias: [
      { find: /^@descent\/autodiff$/, replacement: src('autodiff') },
      { find: /^@descent\/autodiff\/optim$/, replacement: src('autodiff', 'optim/index.ts') },
      { find: /^@descent\/dsl$/, replacement: src('dsl') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // suites that run on their own: packaging (pnpm test:packaging, vitest.packaging.config.ts), the
    // browser suite, which needs Chromium (pnpm test:browser, vitest.browser.config.ts), and the Slurm
    // suite, which needs a real one-node Slurm (pnpm test:slurm, vitest.slurm.config.ts)
    exclude: ['test/packaging/**', 'test/cli/browser/**', 'test/slurm/**', '**/node_modules/**'],
    // a budget for 2 cores shared with other work (a hung test still fails); speed is benchmarked, not timed here
    testTimeout: 300_000,
    pool: 'forks',
    // the JSON report is what .ci/run counts passed and failed tests from
    reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
  },
});
