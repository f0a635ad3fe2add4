// logsumexp over rows and softmax over rows in WebAssembly SIMD (wasm/exp.wat, whose exp they use):
// blocks of rows are copied into the module's memory (one memcpy), computed there two lanes at a
// time, and copied out. The JS kernels (softmax.ts, the generated reductions) stay as the fallback
// and the reference they are tested against.
import { WASM_BASE64 } from './wasm/exp-module.js';
import { instantiate, type WasmMemory } from './wasm/instantiate.js';

interface WasmExp {
  readonly lse: (src: number, out: number, rows: number, n: number) => void;
  readonly softmax: (src: number, dst: number, rows: number, n: number, pairs: number) => void;
  readonly memory: WasmMemory;
}

function load(): WasmExp | null {
  const e = instantiate(WASM_BASE64, { js: { exp: Math.exp } }) as unknown as WasmExp | null;
  return e === null ? null : { lse: e.lse, softmax: e.softmax, memory: e.memory };
}

const wasm = load();

/** Whether the WebAssembly exp kernels could be loaded in this runtime. */
export const wasmExpAvailable: boolean = wasm !== null;

/**
 * Doubles per block (128 KiB): the input block, the output block (the kernels read and write
 * separate regions), then the (m, s) pairs of up to BLOCK rows.
 */
export const BLOCK = 1 << 14;
const IN_AT = 0;
const OUT_AT = BLOCK;
const PAIRS_AT = 2 * BLOCK;
const TOTAL = PAIRS_AT + 2 * BLOCK;

let heap = new Float64Array(0);

function ensureMemory(): Float64Array {
  if (heap.length >= TOTAL) return heap;
  const memory = wasm!.memory;
  const need = TOTAL * 8 - memory.buffer.byteLength;
  if (need > 0) memory.grow(Math.ceil(need / 65536));
  heap = new Float64Array(memory.buffer);
  return heap;
}

/** Bytes of the module's memory (fixed once grown). */
export function wasmExpMemory(): number {
  return wasm ? wasm.memory.buffer.byteLength : 0;
}

/** Whether rows of n elements fit the WebAssembly kernels (a row must fit a block). */
function fits(n: number): boolean {
  return n >= 1 && n <= BLOCK;
}

/**
 * The logsumexp m + log s of `count` rows from the (m, s) pairs the module left, into out[r0...];
 * a row whose max m is ±inf gives that max, as the JS reduction does.
 */
function readPairs(h: Float64Array, out: Float64Array, r0: number, count: number): void {
  for (let r = 0; r < count; r++) {
    const m = h[PAIRS_AT + 2 * r]!;
    out[r0 + r] = m === Infinity || m === -Infinity ? m : m + Math.log(h[PAIRS_AT + 2 * r + 1]!);
  }
}

/**
 * out[o] = log sum_i exp(x[o·n + i]) for o < rows, stably (max first). A row whose max is ±inf
 * gives that max, as the JS reduction does.
 */
export function logsumexpRowsWasm(x: Float64Array, out: Float64Array, rows: number, n: number): boolean {
  if (!fits(n)) return false;
  const h = ensureMemory();
  const per = Math.floor(BLOCK / n);
  for (let r0 = 0; r0 < rows; r0 += per) {
    const count = Math.min(per, rows - r0);
    h.set(x.subarray(r0 * n, (r0 + count) * n), IN_AT);
    wasm!.lse(IN_AT * 8, PAIRS_AT * 8, count, n);
    readPairs(h, out, r0, count);
  }
  return true;
}

/**
 * Softmax of each of `rows` rows of n elements, from x to out (may be the same array). With
 * `lse`, each row's logsumexp is stored there too, from the same pass (m + log s). Rows of -inf
 * give 0s with `emptyAsZero` (NaN otherwise).
 */
export function softmaxRowsWasm(x: Float64Array, out: Float64Array, rows: number, n: number, lse: Float64Array | undefined, emptyAsZero: boolean): boolean {
  if (!fits(n)) return false;
  const h = ensureMemory();
  const per = Math.floor(BLOCK / n);
  for (let r0 = 0; r0 < rows; r0 += per) {
    const count = Math.min(per, rows - r0);
    h.set(x.subarray(r0 * n, (r0 + count) * n), IN_AT);
    wasm!.softmax(IN_AT * 8, OUT_AT * 8, count, n, PAIRS_AT * 8);
    out.set(h.subarray(OUT_AT, OUT_AT + count * n), r0 * n);
    if (lse === undefined) continue;
    readPairs(h, lse, r0, count);
  }
  if (emptyAsZero) zeroEmptyRows(x, out, rows, n);
  return true;
}

/**
 * Rows of x that are all -inf get 0s in out (the WebAssembly kernel gave them NaN). A NaN first
 * value is the cheap sign; the row is then checked, since a NaN input also gives NaN and keeps it.
 */
function zeroEmptyRows(x: Float64Array, out: Float64Array, rows: number, n: number): void {
  for (let o = 0, base = 0; o < rows; o++, base += n) {
    const first = out[base]!;
    if (first === first) continue;
    let empty = true;
    for (let i = base; i < base + n; i++) if (x[i] !== -Infinity) empty = false;
    if (empty) out.fill(0, base, base + n);
  }
}
