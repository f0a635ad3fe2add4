// The browser suite (pnpm test:browser): `descent view` driven in headless Chromium; its own JSON report.
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/cli/browser/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // one browser at a time on a shared machine
    fileParallelism: false,
    reporters: ['default', ['json', { outputFile: '.vitest-report-browser.json' }]],
  },
});
