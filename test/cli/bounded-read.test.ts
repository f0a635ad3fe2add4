// Loaded files are hashed in bounded chunks (run.json's model record): the same sha256 as a whole
// read at every chunk boundary, the contents kept only for small files, memory that does not grow
// with the file, and FIFOs, devices and oversized files refused.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HASH_CHUNK, hashBounded, ReadRefused } from '../../packages/cli/src/bounded-read.js';
import { LOADED_TEXT_LIMIT, loadedFiles } from '../../packages/cli/src/run-model.js';

const temp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'descent-hash-'));
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('hashBounded', () => {
  it('gives the whole-file sha256 at every chunk boundary, and the bytes only up to `keep`', () => {
    const dir = temp();
    for (const n of [0, 1, HASH_CHUNK - 1, HASH_CHUNK, HASH_CHUNK + 1, 3 * HASH_CHUNK + 5]) {
      const data = Buffer.alloc(n);
      for (let i = 0; i < n; i++) data[i] = (i * 7919 + (i >> 11)) & 255;
      const file = path.join(dir, `f${n}`);
      fs.writeFileSync(file, data);
      const r = hashBounded(file, 1 << 30, HASH_CHUNK);
      expect(r.sha256).toBe(sha(data));
      expect(r.bytes).toBe(n);
      if (n <= HASH_CHUNK) expect(r.contents?.equals(data)).toBe(true);
      else expect(r.contents).toBeUndefined();
    }
    fs.rmSync(dir, { recursive: true });
  });

  it('hashes a 256 MiB file without holding it: resident memory grows by far less than the file', () => {
    const dir = temp();
    const file = path.join(dir, 'big.csv');
    const size = 256 * 2 ** 20;
    const fd = fs.openSync(file, 'w');
    fs.ftruncateSync(fd, size); // sparse: reads as zeros, takes no disk
    fs.closeSync(fd);
    const before = process.memoryUsage().rss;
    const r = hashBounded(file, 1 << 30, LOADED_TEXT_LIMIT);
    const grown = process.memoryUsage().rss - before;
    console.log(`hashing 256 MiB: resident memory grew ${(grown / 2 ** 20).toFixed(1)} MiB`);
    expect(r.bytes).toBe(size);
    expect(r.contents).toBeUndefined();
    expect(grown).toBeLessThan(64 * 2 ** 20);
    // the same sha256 as the stream of zeros it is
    const h = createHash('sha256');
    const zeros = Buffer.alloc(HASH_CHUNK);
    for (let k = 0; k < size / HASH_CHUNK; k++) h.update(zeros);
    expect(r.sha256).toBe(h.digest('hex'));
    fs.rmSync(dir, { recursive: true });
  });

  it('refuses a FIFO at once, a device, a folder, and a file over the limit before reading it', () => {
    const dir = temp();
    const fifo = path.join(dir, 'pipe.csv');
    execFileSync('mkfifo', [fifo]);
    const t0 = performance.now();
    expect(() => hashBounded(fifo, 1 << 30)).toThrow(ReadRefused);
    expect(performance.now() - t0).toBeLessThan(5000); // not waiting for a writer
    expect(() => hashBounded('/dev/zero', 1 << 30)).toThrow(/character device/);
    expect(() => hashBounded(dir, 1 << 30)).toThrow(/folder/);
    const big = path.join(dir, 'big');
    fs.writeFileSync(big, Buffer.alloc(4096));
    expect(() => hashBounded(big, 4095)).toThrow(/too large/);
    fs.rmSync(dir, { recursive: true });
  });
});

describe("run.json's loaded files", () => {
  it('a file over the text limit is recorded by size and sha256, without its text', () => {
    const dir = temp();
    const data = Buffer.from('x\n' + '1\n'.repeat(LOADED_TEXT_LIMIT / 2 + 10));
    fs.writeFileSync(path.join(dir, 'y.csv'), data);
    fs.writeFileSync(path.join(dir, 'small.csv'), 'x\n1\n');
    const files = loadedFiles('let y = load("y.csv")\nlet s = load("small.csv")\nloss = 0', dir);
    expect(files).toEqual([
      { path: 'y.csv', resolved: path.join(dir, 'y.csv'), bytes: data.length, sha256: sha(data) },
      { path: 'small.csv', resolved: path.join(dir, 'small.csv'), bytes: 4, sha256: sha(Buffer.from('x\n1\n')), text: 'x\n1\n' },
    ]);
    fs.rmSync(dir, { recursive: true });
  });
});
