// The generated WebAssembly modules (src/kernels/wasm/generated/) hold exactly what build-wasm.mjs makes of their .wat sources now.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface Expected { readonly wat: string; readonly path: string; readonly text: string }
interface BuildWasm {
  expectedModules(): Promise<Expected[]>;
  orphans(expected: readonly Expected[]): string[];
}

const script = new URL('../../../../packages/autodiff/scripts/build-wasm.mjs', import.meta.url);

describe('generated WebAssembly modules', () => {
  it('every .wat source has its generated module, up to date (run `pnpm build:wasm` after editing a .wat)', async () => {
    const { expectedModules } = (await import(script.href)) as BuildWasm;
    const expected = await expectedModules();
    expect(expected.map((m) => m.wat)).toEqual(['exp.wat', 'gemm.wat', 'random.wat']);
    for (const m of expected) expect(readFileSync(m.path, 'utf8'), m.path).toBe(m.text);
  });

  it('holds nothing that no .wat source makes', async () => {
    const { expectedModules, orphans } = (await import(script.href)) as BuildWasm;
    expect(orphans(await expectedModules())).toEqual([]);
  });
});
