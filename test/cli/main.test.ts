// The entry point: help and version on stdout with exit 0, bad input as one paragraph on stderr with exit 2.
import { describe, expect, it } from 'vitest';
import { main } from '../../packages/cli/src/main.js';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => void (out += s), stderr: (s) => void (err += s) });
  return { code, out, err };
}

describe('main', () => {
  it('prints help', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^descent: /);
    expect(r.err).toBe('');
    expect((await run(['run', '--help'])).out).toMatch(/^Usage: descent run MODEL \[FLAGS\]/);
  });

  it('prints the version', async () => {
    expect((await run(['--version'])).out).toMatch(/^descent \d+\.\d+\.\d+\n$/);
  });

  it('reports a bad flag in one paragraph with exit code 2 and no stack trace', async () => {
    const r = await run(['run', 'relu-neuron', '--stpes', '10']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toBe('descent run: unknown flag --stpes. Did you mean --steps? Run `descent run --help` for the flags.\n');
    expect(r.err).not.toMatch(/\bat .*:\d+:\d+/);
  });
});
