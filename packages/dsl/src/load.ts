// `load("file")`: reads a tensor from CSV, JSON or .npy, with located, readable errors; never throws.
import { readFileSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';

export type LoadResult = { ok: true; data: Float64Array; shape: number[] } | { ok: false; message: string };

export interface LoadOptions {
  /** Largest file accepted, in bytes (checked with stat before reading). Default 1 GiB. */
  maxBytes?: number;
}

export const DEFAULT_MAX_LOAD_BYTES = 2 ** 30;

/** Deepest JSON nesting accepted (a tensor of rank 32 is already absurd). */
const MAX_RANK = 32;

const fail = (message: string): LoadResult => ({ ok: false, message });

/**
 * Loads the tensor in `path` (relative to `baseDir`, the `.loss` file's folder).
 * - `.csv`: numbers separated by commas, one row per line; a first row that is not all numbers
 *   is a header and is skipped; blank lines are ignored. One column gives a vector `[N]`,
 *   otherwise a matrix `[N, cols]`. `nan`, `inf`, `-inf` (any case) are accepted as values.
 * - `.json`: a number, or nested arrays of numbers that are rectangular (any rank).
 * - `.npy`: format versions 1-3, little-endian `<f8` (read directly), `<f4`, `<i4`, `<i8`
 *   (converted; int64 beyond 2^53 loses precision); Fortran order is transposed to C order.
 *
 * @example
 * const r = loadTensor('x.csv', dirname(lossFile), {});
 * if (r.ok) r.shape;              // e.g. [100, 3]
 * else console.error(r.message);  // e.g. "x.csv: row 3 has 4 values, row 2 has 3"
 */
export function loadTensor(path: string, baseDir: string, options: LoadOptions = {}): LoadResult {
  try {
    if (typeof path !== 'string' || path.length === 0) return fail('`load` needs a file name');
    const full = resolve(baseDir, path);
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_LOAD_BYTES;
    let size: number;
    try {
      const st = statSync(full);
      if (st.isDirectory()) return fail(`${path}: is a directory, not a file`);
      if (!st.isFile()) return fail(`${path}: not a regular file`);
      size = st.size;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return fail(`${path}: no such file (looked for ${full})`);
      return fail(`${path}: cannot read (${code ?? String(e)})`);
    }
    if (size > maxBytes) return fail(`${path}: file too large (${size} bytes; the limit is ${maxBytes})`);
    const ext = extname(full).toLowerCase();
    if (ext !== '.csv' && ext !== '.json' && ext !== '.npy') {
      return fail(`${path}: unsupported file type \`${ext || '(none)'}\`; load reads .csv, .json and .npy`);
    }
    const bytes = readFileSync(full);
    const r = ext === '.npy' ? readNpy(bytes) : ext === '.csv' ? readCsv(bytes.toString('utf8')) : readJson(bytes.toString('utf8'));
    return r.ok ? r : fail(`${path}: ${r.message}`);
  } catch (e) {
    return fail(`${path}: cannot read (${e instanceof Error ? e.message : String(e)})`);
  }
}

// ---------------------------------------------------------------- CSV

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const SPECIAL: Record<string, number> = { nan: NaN, '+nan': NaN, '-nan': NaN, inf: Infinity, '+inf': Infinity, '-inf': -Infinity, infinity: Infinity, '+infinity': Infinity, '-infinity': -Infinity };

/** A CSV field as a number, or undefined when it is not one. */
function csvNumber(field: string): number | undefined {
  if (NUMBER.test(field)) return Number(field);
  return SPECIAL[field.toLowerCase()];
}

/** Rows are counted as lines of the file (1-based), so messages match what an editor shows. */
export function readCsv(text: string): LoadResult {
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  const values: number[] = [];
  let cols = -1;
  let firstRow = 0;
  let rows = 0;
  for (let k = 0; k < lines.length; k++) {
    const line = (lines[k] ?? '').replace(/\r$/, '');
    if (line.trim() === '') continue;
    const fields = line.split(',').map((f) => f.trim());
    const nums = fields.map(csvNumber);
    // a header is a first row with no number in it; a first row with a number is data
    if (rows === 0 && cols === -1 && nums.every((n) => n === undefined)) {
      cols = -2; // a header: skipped, but only once
      continue;
    }
    if (cols < 0) {
      cols = fields.length;
      firstRow = k + 1;
    } else if (fields.length !== cols) {
      return fail(`row ${k + 1} has ${fields.length} values, row ${firstRow} has ${cols}`);
    }
    for (let j = 0; j < nums.length; j++) {
      const v = nums[j];
      if (v === undefined) {
        const f = fields[j] ?? '';
        return fail(f === '' ? `row ${k + 1}, column ${j + 1}: empty value` : `row ${k + 1}, column ${j + 1}: \`${f.slice(0, 40)}\` is not a number`);
      }
      if (!Number.isFinite(v)) return fail(`row ${k + 1}, column ${j + 1}: ${notFinite(v)}`);
      values.push(v);
    }
    rows++;
  }
  if (rows === 0) return fail('no data rows');
  return { ok: true, data: Float64Array.from(values), shape: cols === 1 ? [rows] : [rows, cols] };
}

/** The message for a NaN or infinite value in loaded data. */
function notFinite(v: number): string {
  return `${Number.isNaN(v) ? 'NaN' : v > 0 ? 'Inf' : '-Inf'} in the data: loaded values must be finite numbers`;
}

/** The first non-finite value of row-major `data` of `shape`, as "row 3, column 2: NaN ...", or null. */
function firstNotFinite(data: Float64Array, shape: readonly number[]): string | null {
  for (let k = 0; k < data.length; k++) {
    const v = data[k]!;
    if (Number.isFinite(v)) continue;
    const cols = shape.length >= 2 ? shape.slice(1).reduce((a, b) => a * b, 1) : 1;
    const where = shape.length >= 2 ? `row ${Math.floor(k / cols) + 1}, column ${(k % cols) + 1}` : `element ${k + 1}`;
    return `${where}: ${notFinite(v)}`;
  }
  return null;
}

// ---------------------------------------------------------------- JSON

/** `$[2][0]`-style path for messages. */
const pathText = (path: readonly number[]): string => `$${path.map((k) => `[${k}]`).join('')}`;

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

export function readJson(text: string): LoadResult {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    return fail(`malformed JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  // the shape is read down the first elements; every other element must match it
  const shape: number[] = [];
  let probe: unknown = root;
  while (Array.isArray(probe)) {
    if (probe.length === 0) return fail(`empty array at ${pathText(shape.map(() => 0))}`);
    if (shape.length >= MAX_RANK) return fail(`arrays nested deeper than ${MAX_RANK}`);
    shape.push(probe.length);
    probe = probe[0];
  }
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(size);
  let at = 0;
  const visit = (v: unknown, depth: number, path: number[]): string | null => {
    if (depth === shape.length) {
      if (typeof v !== 'number') return `${pathText(path)} is ${typeName(v)}, not a number`;
      data[at++] = v;
      return null;
    }
    if (!Array.isArray(v)) return `${pathText(path)} is ${typeName(v)}, but ${pathText(path.map(() => 0))} is an array`;
    if (v.length !== shape[depth]) {
      return `${pathText(path)} has ${v.length} elements, ${pathText(path.map(() => 0))} has ${shape[depth]}`;
    }
    for (let k = 0; k < v.length; k++) {
      const err = visit(v[k], depth + 1, [...path, k]);
      if (err !== null) return err;
    }
    return null;
  };
  const err = visit(root, 0, []);
  return err === null ? { ok: true, data, shape } : fail(err);
}

// ---------------------------------------------------------------- NPY

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Element readers of the supported little-endian dtypes. */
const DTYPES: Record<string, { size: number; read: (v: DataView, at: number) => number }> = {
  f8: { size: 8, read: (v, at) => v.getFloat64(at, true) },
  f4: { size: 4, read: (v, at) => v.getFloat32(at, true) },
  i4: { size: 4, read: (v, at) => v.getInt32(at, true) },
  i8: { size: 8, read: (v, at) => Number(v.getBigInt64(at, true)) },
};

export function readNpy(bytes: Uint8Array): LoadResult {
  if (bytes.length < 10 || MAGIC.some((b, k) => bytes[k] !== b)) return fail('not a .npy file (bad magic string)');
  const major = bytes[6] ?? 0;
  if (major < 1 || major > 3) return fail(`unsupported .npy format version ${major}.${bytes[7] ?? 0}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) return fail('truncated .npy header');
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lenBytes + headerLen;
  if (dataStart > bytes.length) return fail(`truncated .npy header (says ${headerLen} bytes, the file has ${bytes.length - 8 - lenBytes})`);
  const header = Buffer.from(bytes.buffer, bytes.byteOffset + 8 + lenBytes, headerLen).toString(major === 3 ? 'utf8' : 'latin1');

  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(header)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    return fail(`malformed .npy header: ${header.trim().slice(0, 120)}`);
  }
  const shape: number[] = [];
  for (const part of shapeText.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    if (!/^\d+L?$/.test(part)) return fail(`malformed .npy shape (${shapeText})`);
    shape.push(Number.parseInt(part, 10));
  }
  const order = descr[0];
  const kind = descr.slice(1);
  if (order === '>' && kind !== 'u1' && kind !== 'i1') return fail(`big-endian data (${descr}) is not supported; save with dtype '<${kind}'`);
  const dtype = (order === '<' || order === '=' || order === '|') ? DTYPES[kind] : undefined;
  if (dtype === undefined) return fail(`unsupported dtype '${descr}'; use float64 ('<f8'), float32, int32 or int64`);
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = count * dtype.size;
  const actual = bytes.length - dataStart;
  if (actual !== expected) {
    return fail(`the data has ${actual} bytes, but shape (${shape.join(', ')}) of '${descr}' needs ${expected}`);
  }
  const data = new Float64Array(count);
  for (let k = 0; k < count; k++) data[k] = dtype.read(view, dataStart + k * dtype.size);
  const ordered = fortran === 'True' ? fortranToC(data, shape) : data;
  const bad = firstNotFinite(ordered, shape);
  return bad === null ? { ok: true, data: ordered, shape } : fail(bad);
}

/** Reorders column-major data of `shape` to row-major. */
function fortranToC(data: Float64Array, shape: readonly number[]): Float64Array {
  if (shape.length < 2) return data;
  const out = new Float64Array(data.length);
  // column-major stride of each axis
  const strides: number[] = [];
  let s = 1;
  for (const n of shape) {
    strides.push(s);
    s *= n;
  }
  const idx = new Array<number>(shape.length).fill(0);
  for (let c = 0; c < out.length; c++) {
    let f = 0;
    for (let a = 0; a < shape.length; a++) f += (idx[a] ?? 0) * (strides[a] ?? 0);
    out[c] = data[f] ?? 0;
    // advance the row-major multi-index (last axis fastest)
    for (let a = shape.length - 1; a >= 0; a--) {
      idx[a] = (idx[a] ?? 0) + 1;
      if ((idx[a] ?? 0) < (shape[a] ?? 0)) break;
      idx[a] = 0;
    }
  }
  return out;
}
