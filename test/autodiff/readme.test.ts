// The package README shows examples/mlp.ts and examples/mlp_jax.py as they are, and the example prints what the README says.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it, vi } from 'vitest';

const read = (rel: string): string => readFileSync(fileURLToPath(new URL(rel, import.meta.url)), 'utf8');
const readme = read('../../packages/autodiff/README.md');

function block(lang: string): string {
  const m = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(readme);
  if (!m) throw new Error(`no ${lang} block in the README`);
  return m[1]!;
}

it('the README shows the examples as they are in examples/', () => {
  expect(block('ts')).toBe(read('../../examples/mlp.ts'));
  expect(block('python')).toBe(read('../../examples/mlp_jax.py'));
});

it('the README example prints the documented output', async () => {
  const dir = fileURLToPath(new URL('./.generated/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}readme-example.ts`;
  writeFileSync(file, block('ts'));
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(' '));
  });
  try {
    await import(file);
  } finally {
    spy.mockRestore();
  }
  expect(lines.join('\n')).toBe(block('text').trimEnd());
});
