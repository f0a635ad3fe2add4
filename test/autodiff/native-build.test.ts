// The native kernels are optional: the build step says why it skipped them and exits 0 (or 1 with
// --require), a failed compile leaves an earlier addon in place, and DESCENT_NATIVE=0 at run time
// falls back to the WebAssembly kernels.
import { existsSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../../packages/autodiff/scripts/build-native.mjs', import.meta.url));
const addon = fileURLToPath(new URL('../../packages/autodiff/native/build/descent_native.node', import.meta.url));
const dist = new URL('../../packages/autodiff/dist/index.js', import.meta.url).href;

function build(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('building the native kernels', () => {
  it('DESCENT_NATIVE=0 skips the build with one line and exit 0', () => {
    const r = build([], { DESCENT_NATIVE: '0' });
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/^descent: native kernels not built \(DESCENT_NATIVE=0\); the WebAssembly kernels will be used\n$/);
  });

  it('a compiler that fails is reported, exit 0 (exit 1 with --require), and an earlier addon stays', () => {
    const before = existsSync(addon) ? statSync(addon).mtimeMs : undefined;
    const r = build(['--force'], { CC: '/nonexistent/cc' });
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/native kernels not built \(\/nonexistent\/cc failed: .+\)/);
    expect(build(['--force', '--require'], { CC: '/nonexistent/cc' }).status).toBe(1);
    expect(existsSync(addon) ? statSync(addon).mtimeMs : undefined).toBe(before);
  });

  it('DESCENT_NATIVE=0 at run time: the WebAssembly kernels are the default and the status says why', () => {
    const code = `import * as ad from '${dist}'; console.log(JSON.stringify([ad.matmulBackend(), ad.expBackend(), ad.nativeStatus]));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', env: { ...process.env, DESCENT_NATIVE: '0' } });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(['wasm', 'wasm', { available: false, reason: 'DESCENT_NATIVE=0' }]);
  });
});
