// The package README's example runs and prints what the README says it prints.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it, vi } from 'vitest';

const readme = readFileSync(fileURLToPath(new URL('../../packages/autodiff/README.md', import.meta.url)), 'utf8');

function block(lang: string): string {
  const m = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(readme);
  if (!m) throw new Error(`no ${lang} block in the README`);
  return m[1]!;
}

it('the README example prints the documented output', async () => {
  const dir = fileURLToPath(new URL('./.generated/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}readme-example.ts`;
  writeFileSync(file, block('ts'));
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a).replaceAll(',', ', ').replace('[', '[ ').replace(/]$/, ' ]'))).join(' '));
  });
  try {
    await import(file);
  } finally {
    spy.mockRestore();
  }
  expect(lines.join('\n')).toBe(block('text').trimEnd());
});
