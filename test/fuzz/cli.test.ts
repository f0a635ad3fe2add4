// Fuzz, spawned: `descent check` as a separate process on mutated files and on odd files (binary,
// empty, huge, a folder): exit 0, 1 or 2, never a stack trace or an internal error, never a hang.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, pool, STACK } from '../cli/e2e/helpers.js';
import { budgetMs, INPUT_LIMIT_MS, MS_PER_SPAWN, runs, SEED } from './budget.js';
import { mutatedSeed, repoRoot } from './mutate.js';

const SPAWNS = runs(150);

interface Outcome {
  readonly file: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly out: string;
  readonly ms: number;
}

function check(file: string, extra: readonly string[] = []): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [cli, 'check', file, '--max-memory', '32M', ...extra], { env: { ...process.env, DESCENT_DEBUG: '' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), 20_000); // a hang shows as SIGKILL
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ file, code, signal, out, ms: performance.now() - t0 });
    });
  });
}

const summary: string[] = [];
afterAll(() => {
  if (summary.length > 0) console.log(summary.join('\n'));
});

describe('descent check, spawned, on mutated and odd files', () => {
  it(`${SPAWNS} mutated files and 8 odd ones: a structured ending within ${INPUT_LIMIT_MS / 1000} s plus Node's start-up`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'descent-fuzz-cli-'));
    // Node's own start-up and the CLI's imports, on this machine now: `descent --version` twice
    const startup = Math.max(...[0, 1].map(() => {
      const t0 = performance.now();
      spawnSync(process.execPath, [cli, '--version']);
      return performance.now() - t0;
    }));
    const files: string[] = [];
    fc.sample(mutatedSeed, { numRuns: SPAWNS, seed: 9001 + SEED }).forEach(({ bytes }, k) => {
      const f = path.join(dir, `m${k}.loss`);
      fs.writeFileSync(f, bytes);
      files.push(f);
    });
    const odd = (name: string, data: Buffer | string): string => {
      const f = path.join(dir, name);
      fs.writeFileSync(f, data);
      files.push(f);
      return f;
    };
    odd('empty.loss', '');
    odd('binary.loss', fs.readFileSync(process.execPath).subarray(0, 200_000));
    odd('nul.loss', 'dim d = 2\u0000\nparam w[d] ~ normal(0, 1)\nloss = |w|^2\n');
    odd('bom.loss', '\ufeffdim d = 2\nparam w[d] ~ normal(0, 1)\nloss = |w|^2\n');
    odd('long-line.loss', `loss = ${'1 + '.repeat(200_000)}1\n`);
    odd('deep.loss', `dim d = 2\nparam w[d] ~ normal(0, 1)\nloss = ${'('.repeat(50_000)}|w|^2${')'.repeat(50_000)}\n`);
    odd('huge.loss', Buffer.alloc(20 * 2 ** 20, 'a'));
    fs.mkdirSync(path.join(dir, 'folder.loss'));
    files.push(path.join(dir, 'folder.loss'));

    const t0 = performance.now();
    const results = await pool(files.map((f) => () => check(f)));
    const wall = (performance.now() - t0) / 1000;
    const codes = new Map<string, number>();
    for (const r of results) {
      const what = `${r.file}: exit ${r.code} ${r.signal ?? ''} after ${r.ms.toFixed(0)} ms\n${r.out.slice(0, 3000)}`;
      expect(r.signal, what).toBeNull();
      expect([0, 1, 2], what).toContain(r.code);
      expect(r.out, what).not.toMatch(STACK);
      expect(r.out, what).not.toMatch(/internal error/);
      expect(r.ms, what).toBeLessThan(INPUT_LIMIT_MS + startup);
      codes.set(String(r.code), (codes.get(String(r.code)) ?? 0) + 1);
    }
    const slowest = results.reduce((a, b) => (b.ms > a.ms ? b : a));
    summary.push(
      `fuzz (spawned): ${results.length} descent check processes in ${wall.toFixed(1)} s — exit codes ${[...codes].map(([c, n]) => `${c}: ${n}`).join(', ')}; ` +
        `slowest ${slowest.ms.toFixed(0)} ms (${path.basename(slowest.file)}), Node start-up ${startup.toFixed(0)} ms`,
    );
  }, budgetMs(SPAWNS + 8, MS_PER_SPAWN));
});
