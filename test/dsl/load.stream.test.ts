// load() reads in 1 MiB chunks: rows, CRLF pairs, numbers and UTF-8 characters cut at a chunk
// boundary read the same as whole; values beyond --max-memory or the declared count are bounded.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { excerpt, readCsv, readJson } from '../../packages/dsl/src/load.js';
import { loadTensor } from '../../packages/dsl/src/load-node.js';

const dir = mkdtempSync(path.join(tmpdir(), 'descent-load-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const CHUNK = 1 << 20;

describe('chunk boundaries', () => {
  it('CSV: a CRLF pair, a number and a row cut by the boundary read as whole; line numbers stay right', () => {
    // the header's \r is the chunk's last byte and its \n the next chunk's first
    const header = `h${'x'.repeat(CHUNK - 2)}\r\n`;
    writeFileSync(path.join(dir, 'crlf.csv'), `${header}1.5,2\r\n3,4\r\n`);
    expect(loadTensor('crlf.csv', dir)).toEqual({ ok: true, data: Float64Array.of(1.5, 2, 3, 4), shape: [2, 2] });
    writeFileSync(path.join(dir, 'crlf-bad.csv'), `${header}1.5,2\r\n3,y\r\n`);
    expect(loadTensor('crlf-bad.csv', dir)).toEqual({ ok: false, message: 'crlf-bad.csv: row 3, column 2: `y` is not a number' });
    // a number astride the boundary: 12345.5 with 123 in the first chunk
    const pad = `h${'x'.repeat(CHUNK - 5)}\n`;
    writeFileSync(path.join(dir, 'cut.csv'), `${pad}12345.5,1\n`);
    expect(loadTensor('cut.csv', dir)).toEqual({ ok: true, data: Float64Array.of(12345.5, 1), shape: [1, 2] });
    for (const end of ['\r', '\n']) {
      const rows = Array.from({ length: 90_000 }, (_, k) => `${k}.25,${-k}e-3${end}`).join('');
      writeFileSync(path.join(dir, 'rows.csv'), rows);
      const streamed = loadTensor('rows.csv', dir);
      const whole = readCsv(rows);
      expect(streamed.ok && whole.ok && Buffer.from(streamed.data.buffer).equals(Buffer.from(whole.data.buffer))).toBe(true);
      expect(streamed).toMatchObject({ shape: [90_000, 2] });
    }
  });

  it('JSON numbers cut by the boundary, and a multi-byte character in a row', () => {
    for (const shift of [0, 5]) {
      const values = Array.from({ length: 90_000 }, (_, k) => (k * 1.000001 - 45_000) / 7);
      const text = `${' '.repeat(shift)}[${values.join(',')}]`;
      writeFileSync(path.join(dir, `v${shift}.json`), text);
      const r = loadTensor(`v${shift}.json`, dir);
      expect(r.ok).toBe(true);
      if (r.ok) expect(Array.from(r.data)).toEqual(values);
    }
    // a header with 'é' (two bytes in UTF-8) astride the boundary
    const header = `${'a'.repeat(CHUNK - 1)}é\n`;
    writeFileSync(path.join(dir, 'utf8.csv'), `${header}1,2\n`);
    expect(loadTensor('utf8.csv', dir)).toMatchObject({ ok: true, shape: [1, 2] });
  });
});

describe('bounded values', () => {
  it('without a declared shape, values beyond --max-memory are refused while reading', () => {
    writeFileSync(path.join(dir, 'many.csv'), '1,2,3,4\n'.repeat(10_000));
    const r = loadTensor('many.csv', dir, { maxMemoryBytes: 80_000 });
    expect(r).toEqual({ ok: false, message: 'many.csv: holds more than 10000 values (80,000 bytes), more than the memory limit of 80,000 bytes' });
    expect(loadTensor('many.csv', dir, { maxMemoryBytes: 320_000 })).toMatchObject({ ok: true, shape: [10_000, 4] });
  });

  it('with a declared count, extra values are counted (for the shape) but not stored', () => {
    writeFileSync(path.join(dir, 'six.csv'), '1,2\n3,4\n5,6\n');
    const r = loadTensor('six.csv', dir, { expectedCount: 4 });
    expect(r).toMatchObject({ ok: true, shape: [3, 2] });
    if (r.ok) expect(r.data.length).toBe(4);
    expect(readJson('[[1,2],[3,4]]', { expectedCount: 4 })).toMatchObject({ ok: true, shape: [2, 2] });
  });

  it('JSON that is not nested arrays of numbers: the path and a short excerpt, never the file', () => {
    expect(readJson('{"a": 1}')).toEqual({ ok: false, message: '$ is an object, not a number' });
    expect(readJson('[1, true]')).toEqual({ ok: false, message: '$[1] is a boolean, not a number' });
    expect(readJson('[[1, 2], [3, 4]] trailing')).toMatchObject({ ok: false, message: 'malformed JSON (unexpected `t` near byte 17)' });
    expect(readJson('[1,]')).toMatchObject({ ok: false });
    expect(readJson('[1 2]')).toMatchObject({ ok: false });
    expect(readJson('01')).toMatchObject({ ok: false, message: 'malformed JSON (`01` is not a number, near byte 2)' });
    expect(readJson('[[1], 2.5e3]')).toEqual({ ok: false, message: '$[1] is a number, but $[0] is an array' });
  });

  it('excerpt: short, with control and non-ASCII characters escaped', () => {
    expect(excerpt('abc')).toBe('abc');
    expect(excerpt('x'.repeat(30))).toBe(`${'x'.repeat(24)}…`);
    expect(excerpt('a\u001b[31mb\né')).toBe('a\\u001b[31mb\\u000a\\u00e9');
  });
});
