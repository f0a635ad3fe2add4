// The Slurm suite (pnpm test:slurm): a real one-node Slurm started by scripts/setup-slurm.sh.
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/slurm/**/*.test.ts'],
    exclude: [],
    // installing the packages on a fresh machine, then sweeps that wait for Slurm
    hookTimeout: 900_000,
    testTimeout: 600_000,
    // one file, its tests in order: they share the cluster and the local reference sweep
    fileParallelism: false,
    reporters: ['default', ['json', { outputFile: '.vitest-report-slurm.json' }]],
  },
});
