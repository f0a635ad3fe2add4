// load(): CSV, JSON and .npy round trips through temporary files, and every error message.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTensor } from '../../packages/dsl/src/load-node.js';

const dir = mkdtempSync(path.join(tmpdir(), 'descent-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Uint8Array): string {
  writeFileSync(path.join(dir, name), content);
  return name;
}

/** A .npy file: magic, version, little-endian header length, a dict padded to 64 bytes, the data. */
function npy(descr: string, shape: readonly number[], data: Uint8Array, opts: { fortran?: boolean; version?: 1 | 2 } = {}): Uint8Array {
  const version = opts.version ?? 1;
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': ${opts.fortran === true ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const prefix = version === 1 ? 10 : 12;
  header += ' '.repeat((64 - ((prefix + header.length + 1) % 64)) % 64) + '\n';
  const out = new Uint8Array(prefix + header.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(Buffer.from(header, 'latin1'), prefix);
  out.set(data, prefix + header.length);
  return out;
}
const f8 = (xs: readonly number[]): Uint8Array => new Uint8Array(Float64Array.from(xs).buffer);
const i4 = (xs: readonly number[]): Uint8Array => new Uint8Array(Int32Array.from(xs).buffer);

function ok(file: string): { data: number[]; shape: number[] } {
  const r = loadTensor(file, dir, {});
  if (!r.ok) throw new Error(r.message);
  return { data: Array.from(r.data), shape: r.shape };
}
function err(file: string, maxBytes?: number): string {
  const r = loadTensor(file, dir, maxBytes === undefined ? {} : { maxBytes });
  if (r.ok) throw new Error(`loaded ${file}`);
  return r.message;
}

describe('load: CSV', () => {
  it('reads a matrix without a header', () => {
    expect(ok(write('m.csv', '1,2,3\n4, 5 ,6e-1\n'))).toEqual({ data: [1, 2, 3, 4, 5, 0.6], shape: [2, 3] });
  });
  it('skips a header row and blank lines, reads CRLF', () => {
    expect(ok(write('h.csv', 'x,y\r\n1,2\r\n\r\n3,4\r\n'))).toEqual({ data: [1, 2, 3, 4], shape: [2, 2] });
  });
  it('a single column is a vector', () => {
    expect(ok(write('v.csv', 'value\n1\n-2.5\n.5\n'))).toEqual({ data: [1, -2.5, 0.5], shape: [3] });
  });
  it('NaN or Inf in the data is an error naming the file, row and column', () => {
    expect(err(write('nan.csv', '1,2\n3,nan\n'))).toBe('nan.csv: row 2, column 2: NaN in the data: loaded values must be finite numbers');
    expect(err(write('inf.csv', 'a,b\n-inf,1\n'))).toBe('inf.csv: row 2, column 1: -Inf in the data: loaded values must be finite numbers');
    const bytes = npy('<f8', [2, 2], new Uint8Array(Float64Array.of(1, 2, Infinity, 4).buffer));
    expect(err(write('inf.npy', bytes))).toBe('inf.npy: row 2, column 1: Inf in the data: loaded values must be finite numbers');
  });
  it('a first row with a number in it is data, never a header; a header has no number', () => {
    expect(err(write('mixed.csv', '1,x\n2,3\n'))).toBe('mixed.csv: row 1, column 2: `x` is not a number');
    expect(ok(write('head.csv', 'x,y\n2,3\n')).shape).toEqual([1, 2]);
    expect(ok(write('numeric.csv', '1,2\n2,3\n')).shape).toEqual([2, 2]);
  });
  it('ragged rows name both rows', () => {
    expect(err(write('ragged.csv', '1,2,3\n4,5,6\n7,8,9,10\n'))).toBe('ragged.csv: row 3 has 4 values, row 1 has 3');
  });
  it('a bad value names its row and column', () => {
    expect(err(write('bad.csv', 'a,b\n1,2\n3,abc\n'))).toBe('bad.csv: row 3, column 2: `abc` is not a number');
  });
  it('an empty value', () => {
    expect(err(write('empty-value.csv', '1,2\n3,\n'))).toBe('empty-value.csv: row 2, column 2: empty value');
  });
  it('no data', () => {
    expect(err(write('header-only.csv', 'x,y\n'))).toBe('header-only.csv: no data rows');
  });
});

describe('load: JSON', () => {
  it('reads nested arrays of any rank', () => {
    expect(ok(write('t.json', '[[[1,2],[3,4]],[[5,6],[7,8]]]'))).toEqual({ data: [1, 2, 3, 4, 5, 6, 7, 8], shape: [2, 2, 2] });
    expect(ok(write('v.json', '[0.5, -1]'))).toEqual({ data: [0.5, -1], shape: [2] });
  });
  it('reads a scalar', () => {
    expect(ok(write('s.json', ' 3.25 '))).toEqual({ data: [3.25], shape: [] });
  });
  it('ragged arrays', () => {
    expect(err(write('ragged.json', '[[1,2],[3]]'))).toBe('ragged.json: $[1] has 1 elements, $[0] has 2');
  });
  it('mixed depth', () => {
    expect(err(write('depth.json', '[[1,2],3]'))).toBe('depth.json: $[1] is a number, but $[0] is an array');
  });
  it('non-numbers', () => {
    expect(err(write('str.json', '[[1,"2"]]'))).toBe('str.json: $[0][1] is a string, not a number');
    expect(err(write('null.json', '[1,null]'))).toBe('null.json: $[1] is null, not a number');
  });
  it('empty arrays', () => {
    expect(err(write('empty.json', '[[]]'))).toBe('empty.json: empty array at $[0]');
  });
  it('malformed JSON', () => {
    expect(err(write('broken.json', '[1, 2'))).toMatch(/^broken\.json: malformed JSON \(/);
  });
});

describe('load: .npy', () => {
  it('reads <f8 (versions 1 and 2)', () => {
    expect(ok(write('a.npy', npy('<f8', [2, 3], f8([1, 2, 3, 4, 5, 6]))))).toEqual({ data: [1, 2, 3, 4, 5, 6], shape: [2, 3] });
    expect(ok(write('a2.npy', npy('<f8', [3], f8([0.1, 0.2, 0.3]), { version: 2 })))).toEqual({ data: [0.1, 0.2, 0.3], shape: [3] });
  });
  it('reads and converts <i4, <f4 and <i8', () => {
    expect(ok(write('i.npy', npy('<i4', [2, 2], i4([1, -2, 3, 2147483647]))))).toEqual({ data: [1, -2, 3, 2147483647], shape: [2, 2] });
    expect(ok(write('f4.npy', npy('<f4', [2], new Uint8Array(Float32Array.from([0.5, -2]).buffer))))).toEqual({ data: [0.5, -2], shape: [2] });
    expect(ok(write('i8.npy', npy('<i8', [2], new Uint8Array(BigInt64Array.from([5n, -7n]).buffer))))).toEqual({ data: [5, -7], shape: [2] });
  });
  it('reads a scalar (shape ())', () => {
    expect(ok(write('s.npy', npy('<f8', [], f8([4.5]))))).toEqual({ data: [4.5], shape: [] });
  });
  it('transposes Fortran order to C order', () => {
    // the matrix [[1, 2, 3], [4, 5, 6]] stored column by column
    expect(ok(write('f.npy', npy('<f8', [2, 3], f8([1, 4, 2, 5, 3, 6]), { fortran: true })))).toEqual({ data: [1, 2, 3, 4, 5, 6], shape: [2, 3] });
  });
  it('big-endian data', () => {
    expect(err(write('be.npy', npy('>f8', [1], f8([1]))))).toBe("be.npy: big-endian data (>f8) is not supported; save with dtype '<f8'");
  });
  it('unsupported dtypes', () => {
    expect(err(write('c.npy', npy('<c16', [1], new Uint8Array(16))))).toMatch(/^c\.npy: unsupported dtype '<c16'/);
  });
  it('data shorter or longer than the shape', () => {
    expect(err(write('short.npy', npy('<f8', [2, 3], f8([1, 2, 3]))))).toBe("short.npy: the data has 24 bytes, but shape (2, 3) of '<f8' needs 48");
    expect(err(write('long.npy', npy('<f8', [2], f8([1, 2, 3]))))).toBe("long.npy: the data has 24 bytes, but shape (2) of '<f8' needs 16");
  });
  it('not a .npy file, truncated header', () => {
    expect(err(write('magic.npy', 'hello world, not numpy'))).toBe('magic.npy: not a .npy file (bad magic string)');
    expect(err(write('trunc.npy', npy('<f8', [1], f8([1])).slice(0, 30)))).toMatch(/^trunc\.npy: truncated \.npy header/);
  });
});

describe('load: files', () => {
  it('resolves relative to the base folder', () => {
    mkdirSync(path.join(dir, 'sub'), { recursive: true });
    write('sub/x.csv', '7\n8\n');
    expect(loadTensor('x.csv', path.join(dir, 'sub'), {})).toMatchObject({ ok: true, shape: [2] });
    // the parent folder is outside: refused unless allowed
    expect(loadTensor('../v.json', path.join(dir, 'sub'), {})).toMatchObject({ ok: false });
    expect(loadTensor('../v.json', path.join(dir, 'sub'), { allowRead: [dir] })).toMatchObject({ ok: true, shape: [2] });
  });
  it('a missing file names where it looked', () => {
    expect(err('missing.csv')).toBe(`missing.csv: no such file (looked for ${path.join(dir, 'missing.csv')})`);
  });
  it('a directory', () => {
    mkdirSync(path.join(dir, 'folder.csv'), { recursive: true });
    expect(err('folder.csv')).toBe('folder.csv: is a directory, not a file');
  });
  it('too large, checked before reading', () => {
    write('big.csv', '1,2,3\n'.repeat(100));
    expect(err('big.csv', 100)).toBe('big.csv: file too large (600 bytes; the limit is 100)');
  });
  it('an unsupported extension', () => {
    expect(err(write('x.txt', '1'))).toBe('x.txt: unsupported file type `.txt`; load reads .csv, .json and .npy');
  });
  it('an empty name', () => {
    expect(err('')).toBe('`load` needs a file name');
  });
});
