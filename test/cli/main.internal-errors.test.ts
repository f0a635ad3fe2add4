// An internal error (a bug) in a command: one line, exit 70, the stack only with DESCENT_DEBUG=1.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../packages/cli/src/main.js';

vi.mock('../../packages/cli/src/commands/models.js', () => ({
  modelsCommand: async () => {
    throw new TypeError("Cannot read properties of undefined (reading 'x')");
  },
}));

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => void (out += s), stderr: (s) => void (err += s) });
  return { code, out, err };
}

describe('internal errors', () => {
  afterEach(() => {
    delete process.env['DESCENT_DEBUG'];
  });

  it('print one line and exit 70', async () => {
    const r = await run(['models']);
    expect(r.code).toBe(70);
    expect(r.err).toBe("descent: internal error: Cannot read properties of undefined (reading 'x') (a bug in descent; please report it, with the stack from DESCENT_DEBUG=1).\n");
  });

  it('add the stack with DESCENT_DEBUG=1', async () => {
    process.env['DESCENT_DEBUG'] = '1';
    const r = await run(['models']);
    expect(r.code).toBe(70);
    expect(r.err).toMatch(/^descent: internal error: .*\nTypeError: .*\n\s+at /);
  });
});
