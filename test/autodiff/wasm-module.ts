// Test helper: the base64 bytes a generated *-module.ts holds, beside what wat2wasm makes of its .wat now.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** wat2wasm's bytes of packages/autodiff/src/kernels/wasm/<name> today (build-wasm.mjs's assembler), base64. */
export async function assembledNow(name: string): Promise<string> {
  const scriptUrl = new URL('../../packages/autodiff/scripts/build-wasm.mjs', import.meta.url);
  const { assemble } = (await import(scriptUrl.href)) as { assemble: (name: string, text: string) => Promise<Buffer> };
  const wat = readFileSync(fileURLToPath(new URL(`../../packages/autodiff/src/kernels/wasm/${name}`, import.meta.url)), 'utf8');
  return (await assemble(name, wat)).toString('base64');
}
