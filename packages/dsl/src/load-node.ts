// `load("file")` from the local disk (Node): the read policy (the model's folder, --allow-read), bounded reads.
// Reads are bounded: only files under the model's folder (or allowed with --allow-read), regular
// files only (no FIFO, device or socket), at most maxBytes, read in chunks.
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { extname, isAbsolute, relative, resolve } from 'node:path';
import { MAX_LOAD_BYTES } from './limits.js';
import { excerpt, readTensorChunks, type LoadOptions, type LoadResult } from './load.js';

const fail = (message: string): LoadResult => ({ ok: false, message });

/** Bytes read at a time. */
const CHUNK = 1 << 20;

/** `inner` is `outer` or inside it. */
function within(inner: string, outer: string): boolean {
  const rel = relative(outer, inner);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The real path of `full` if the read policy allows it, else a message. */
function allowed(path: string, full: string, baseDir: string, allow: readonly string[]): { real: string } | { message: string } {
  let real: string;
  try {
    real = realpathSync(full);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { message: `${path}: no such file (looked for ${full})` };
    return { message: `${path}: cannot read (${code ?? String(e)})` };
  }
  const roots = [baseDir, ...allow].flatMap((r) => {
    try {
      return [realpathSync(resolve(r))];
    } catch {
      return [];
    }
  });
  if (roots.some((r) => within(real, r))) return { real };
  const shown = real === full ? full : `${full}, which is ${real}`;
  return {
    message: `${path}: outside the model's folder (${shown}); load reads files under ${resolve(baseDir)} only, unless the command is given --allow-read PATH`,
  };
}

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
  const name = typeof path === 'string' ? excerpt(path, 200) : '';
  try {
    if (typeof path !== 'string' || path.length === 0) return fail('`load` needs a file name');
    const full = resolve(baseDir, path);
    const where = allowed(name, full, baseDir, options.allowRead ?? []);
    if ('message' in where) return fail(where.message);
    const maxBytes = options.maxBytes ?? MAX_LOAD_BYTES;
    // non-blocking, so opening a FIFO returns at once (and is then refused as not a file)
    const fd = openSync(where.real, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const st = fstatSync(fd);
      if (st.isDirectory()) return fail(`${name}: is a directory, not a file`);
      if (!st.isFile()) return fail(`${name}: not a regular file (a FIFO, device or socket is never read)`);
      if (st.size > maxBytes) return fail(`${name}: file too large (${st.size} bytes; the limit is ${maxBytes})`);
      const r = readTensorChunks(extname(full), chunks(fd, maxBytes), options);
      return r.ok ? r : fail(`${name}: ${r.message}`);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    if (e instanceof GrewError) return fail(`${name}: the file grew past the limit of ${e.limit} bytes while it was read`);
    return fail(`${name}: cannot read (${e instanceof Error ? excerpt(e.message, 120) : String(e)})`);
  }
}

class GrewError extends Error {
  constructor(readonly limit: number) {
    super('grew');
  }
}

/** Reads `fd` in chunks, at most `maxBytes` in all (a file may grow after fstat). */
function* chunks(fd: number, maxBytes: number): Generator<Uint8Array> {
  const buffer = Buffer.allocUnsafe(CHUNK);
  let total = 0;
  for (;;) {
    const n = readSync(fd, buffer, 0, CHUNK, null);
    if (n === 0) return;
    total += n;
    if (total > maxBytes) throw new GrewError(maxBytes);
    yield buffer.subarray(0, n);
  }
}
