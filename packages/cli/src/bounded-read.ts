// Reading input files with a bound: regular files only (no FIFO, device or folder), at most a given size.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';

/** The largest JSON file read whole (run.json, checkpoint.json, --params): V8's longest string is about this. */
export const JSON_READ_LIMIT = 512 * 2 ** 20;
/** The largest log.jsonl read (it is read in chunks, line by line). */
export const LOG_READ_LIMIT = 2 ** 30;
/** The largest --claims file. */
export const CLAIMS_READ_LIMIT = 2 ** 20;

/** A file that cannot be read as asked: `reason` says why, as words to follow its name ("is a FIFO …", "does not exist"). */
export class ReadRefused extends Error {
  override readonly name = 'ReadRefused';
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly code?: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

/** What a non-regular file is, in words. */
function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

const sizeText = (n: number): string => (n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} bytes`);

/**
 * Opens `file` for reading if it is a regular file of at most `limit` bytes; returns its fd and
 * size. Opened without blocking (a FIFO would wait for a writer) and checked on the open file, so
 * a name swapped after a check cannot slip through. Throws ReadRefused.
 */
export function openBounded(file: string, limit: number): { fd: number; size: number } {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be opened (permission denied)' : `cannot be opened (${(e as Error).message})`;
    throw new ReadRefused(file, why, code);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new ReadRefused(file, `is ${kindOf(st)}, not a regular file`, 'ENOTREG');
    if (st.size > limit) throw new ReadRefused(file, `is too large (${sizeText(st.size)}; the limit is ${sizeText(limit)})`, 'EFBIG');
    return { fd, size: st.size };
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}

/**
 * The bytes of a regular file of at most `limit` bytes. Reads at most limit + 1 bytes whatever
 * the file claims, so one that grows while read is refused too.
 */
export function readBounded(file: string, limit: number): Buffer {
  const { fd, size } = openBounded(file, limit);
  try {
    let buf = Buffer.allocUnsafe(Math.min(limit + 1, Math.max(size + 1, 4096)));
    let n = 0;
    for (;;) {
      if (n === buf.length) {
        if (buf.length > limit) throw new ReadRefused(file, `grew past the limit of ${sizeText(limit)} while being read`, 'EFBIG');
        const grown = Buffer.allocUnsafe(Math.min(limit + 1, buf.length * 2));
        buf.copy(grown, 0, 0, n);
        buf = grown;
      }
      const got = fs.readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
    }
    if (n > limit) throw new ReadRefused(file, `grew past the limit of ${sizeText(limit)} while being read`, 'EFBIG');
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** readBounded as UTF-8 text. */
export function readTextBounded(file: string, limit: number): string {
  return readBounded(file, limit).toString('utf8');
}

/** The chunk a file is hashed in: the memory a hash takes, whatever the file's size. */
export const HASH_CHUNK = 1 << 20;

/**
 * The sha256 and size of a regular file of at most `limit` bytes, read in HASH_CHUNK pieces, and
 * its bytes when it has at most `keep` of them (the only case in which they are held whole).
 * Throws ReadRefused, also for a file that grows past `limit` while being read.
 */
export function hashBounded(file: string, limit: number, keep = 0): { sha256: string; bytes: number; contents?: Buffer } {
  const { fd, size } = openBounded(file, limit);
  try {
    const hash = createHash('sha256');
    const chunk = Buffer.allocUnsafe(HASH_CHUNK);
    const kept: Buffer[] = [];
    let n = 0;
    for (;;) {
      const got = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (got === 0) break;
      n += got;
      if (n > limit) throw new ReadRefused(file, `grew past the limit of ${sizeText(limit)} while being read`, 'EFBIG');
      hash.update(chunk.subarray(0, got));
      if (size <= keep && n <= keep) kept.push(Buffer.from(chunk.subarray(0, got)));
    }
    return { sha256: hash.digest('hex'), bytes: n, ...(n <= keep ? { contents: Buffer.concat(kept, n) } : {}) };
  } finally {
    fs.closeSync(fd);
  }
}
