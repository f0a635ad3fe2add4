// The bulk generator's WebAssembly backend (kernels/wasm/random.wat): the module runs the word
// stream and the ziggurat's fast path a block at a time in its own memory; the rare slow draws come
// back here to bulk-js.ts's zigguratSlow, run on the state words in that memory, so the bits are the
// JS reference's.
import { WASM_BASE64 } from '../kernels/wasm/generated/random.js';
import { instantiate, type WasmMemory } from '../kernels/wasm/instantiate.js';
import { zigguratSlow } from './bulk-js.js';
import { ZIGGURAT_K, ZIGGURAT_W } from './ziggurat-tables.js';

interface WasmRandom {
  readonly normal: (i: number, n: number) => number;
  readonly uniform: (n: number) => void;
  readonly memory: WasmMemory;
}

/** Byte offsets of random.wat's memory layout. */
const STATE_AT = 4096;
const SLOW_AT = 4112;
const OUT_AT = 8192;
/** Doubles per block (64 KiB). */
const BLOCK = 8192;

interface Views {
  readonly wasm: WasmRandom;
  readonly state: Int32Array;
  readonly slow: Int32Array;
  readonly slowX: Float64Array;
  readonly out: Float64Array;
}

function load(): Views | null {
  const e = instantiate(WASM_BASE64) as unknown as WasmRandom | null;
  if (e === null) return null;
  const buffer = e.memory.buffer;
  const tables = new Float64Array(buffer, 0, 512);
  tables.set(ZIGGURAT_K, 0);
  tables.set(ZIGGURAT_W, 256);
  return {
    wasm: e,
    state: new Int32Array(buffer, STATE_AT, 4),
    slow: new Int32Array(buffer, SLOW_AT, 2),
    slowX: new Float64Array(buffer, SLOW_AT + 8, 1),
    out: new Float64Array(buffer, OUT_AT, BLOCK),
  };
}

const views = load();

/** Whether the WebAssembly generator could be loaded in this runtime. */
export const wasmRandomAvailable: boolean = views !== null;

/** out[offset + i] = a standard normal, for i < count (the same bits as fillNormalJs). */
export function fillNormalWasm(state: Int32Array, out: Float64Array, offset: number, count: number): void {
  const v = views!;
  v.state.set(state);
  for (let done = 0; done < count; ) {
    const n = Math.min(BLOCK, count - done);
    let i = 0;
    while ((i = v.wasm.normal(i, n)) < n) {
      const x = zigguratSlow(v.state, v.slow[0]!, v.slowX[0]!);
      if (x !== x) continue; // rejected: draw this one again
      v.out[i++] = v.slow[1] !== 0 ? -x : x;
    }
    out.set(n === BLOCK ? v.out : v.out.subarray(0, n), offset + done);
    done += n;
  }
  state.set(v.state);
}

/** out[offset + i] = a uniform in [0, 1), for i < count (the same bits as fillUniformJs). */
export function fillUniformWasm(state: Int32Array, out: Float64Array, offset: number, count: number): void {
  const v = views!;
  v.state.set(state);
  for (let done = 0; done < count; ) {
    const n = Math.min(BLOCK, count - done);
    v.wasm.uniform(n);
    out.set(n === BLOCK ? v.out : v.out.subarray(0, n), offset + done);
    done += n;
  }
  state.set(v.state);
}
