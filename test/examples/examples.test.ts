// Every examples/*.ts runs; the named-parameter MLP equals its positional twin; the line counts the README states hold.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';

const dir = fileURLToPath(new URL('../../examples/', import.meta.url));

const runs = new Map<string, Promise<{ printed: string; exports: Record<string, unknown> }>>();

/** Imports examples/NAME.ts (running it, once: modules are cached) and returns what it printed and exported. */
function run(name: string): Promise<{ printed: string; exports: Record<string, unknown> }> {
  if (!runs.has(name)) runs.set(name, runFresh(name));
  return runs.get(name)!;
}

async function runFresh(name: string): Promise<{ printed: string; exports: Record<string, unknown> }> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(' '));
  });
  try {
    const exports = (await import(`${dir}${name}`)) as Record<string, unknown>;
    return { printed: lines.join('\n'), exports };
  } finally {
    spy.mockRestore();
  }
}

/** Lines that are neither blank nor only a comment. */
const codeLines = (text: string): number => text.split('\n').filter((l) => !/^\s*($|\/\/|#)/.test(l)).length;

describe('examples/', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));

  it('has the examples the README names', () => {
    expect(files.sort()).toEqual(['basics.ts', 'dsl-data.ts', 'mlp-positional.ts', 'mlp.ts']);
  });

  for (const file of files) {
    it(`${file} runs and prints`, async () => {
      const { printed } = await run(file);
      expect(printed.length).toBeGreaterThan(0);
      expect(printed).not.toMatch(/NaN|undefined/);
    });
  }

  it('mlp.ts (named parameters, library Adam) gives the losses, H·v and grad of grad of the positional version to 1e-12', async () => {
    const named = (await run('mlp.ts')).exports as { losses: number[]; hv: Record<string, { data: Float64Array }>; d2: { data: Float64Array } };
    const positional = (await run('mlp-positional.ts')).exports as { losses: number[]; hv: { data: Float64Array }[]; d2: { data: Float64Array } };
    expect(named.losses.length).toBe(2000);
    const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
    expect(Math.max(...named.losses.map((l, i) => rel(l, positional.losses[i]!)))).toBeLessThanOrEqual(1e-12);
    expect(named.losses[1999]!).toBeLessThan(1e-3 * named.losses[0]!);
    ['W1', 'b1', 'W2', 'b2'].forEach((k, i) => {
      const a = named.hv[k]!.data;
      const b = positional.hv[i]!.data;
      a.forEach((x, j) => expect(rel(x, b[j]!)).toBeLessThanOrEqual(1e-12));
    });
    named.d2.data.forEach((x, j) => expect(rel(x, positional.d2.data[j]!)).toBeLessThanOrEqual(1e-12));
  });

  it('dsl-data.ts recovers the weights the data were made with', async () => {
    const { printed } = await run('dsl-data.ts');
    expect(printed).toMatch(/^w = \[1\.000, -2\.000, 0\.500\], loss (0\.0e\+0|\d\.\de-([89]|\d\d+))$/);
  });

  it('mlp.ts has no more code lines than the JAX version beside it', () => {
    const ours = codeLines(readFileSync(`${dir}mlp.ts`, 'utf8'));
    const jax = codeLines(readFileSync(`${dir}mlp_jax.py`, 'utf8'));
    expect(ours).toBeLessThanOrEqual(jax);
  });
});
