// Run files: log-spaced record steps, the append-only log.jsonl, and atomic JSON writes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { JSON_READ_LIMIT, LOG_READ_LIMIT, openBounded, readTextBounded, ReadRefused } from './bounded-read.js';

/** One line of log.jsonl: a logged step. Vector metrics are arrays. */
export interface LogRecord {
  readonly step: number;
  readonly loss: number;
  readonly metrics: Readonly<Record<string, number | readonly number[]>>;
  /** Seconds since the run started (the only field that differs between two identical runs). */
  readonly elapsed: number;
}

/**
 * About `count` distinct integer steps, log-spaced from `first` (0 or 1) to `total`, always
 * including both ends; all steps when count covers them. Early steps are spaced by at least 1,
 * so the returned list has exactly min(count, total − first + 1) entries.
 * @example logSteps(1000, 5)  // [0, 1, 10, 100, 1000]
 */
export function logSteps(total: number, count: number, first: 0 | 1 = 0): number[] {
  if (!Number.isInteger(total) || total < first) throw new RangeError(`logSteps: total ${total} is not an integer ≥ ${first}`);
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`logSteps: count ${count} is not a positive integer`);
  const span = total - first + 1;
  if (count >= span) return Array.from({ length: span }, (_, i) => first + i);
  if (count === 1) return [total];
  // Step 0 has no logarithm: it is taken as is, and the rest are log-spaced over [1, total].
  const logged = first === 0 ? count - 1 : count; // points placed on [1, total]
  const out: number[] = first === 0 ? [0] : [];
  const lnTotal = Math.log(total);
  for (let k = 0; k < logged; k++) {
    const ideal = logged === 1 ? total : Math.round(Math.exp((lnTotal * k) / (logged - 1)));
    const prev = out.length > 0 ? out[out.length - 1]! : 0;
    // pushed right to stay distinct, capped so the remaining points still fit below total
    const cap = total - (logged - 1 - k);
    out.push(Math.min(cap, Math.max(prev + 1, ideal)));
  }
  return out;
}

/** Non-finite numbers by their names: the values of a record's `nonfinite` map (and of older logs' strings). */
const NON_FINITE: Readonly<Record<string, number>> = { NaN, Infinity, '-Infinity': -Infinity };

/** Non-finite numbers as strings: run.json and --json output (JSON cannot hold them). */
function replacer(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}

function reviver(_key: string, value: unknown): unknown {
  return typeof value === 'string' && value in NON_FINITE ? NON_FINITE[value] : value;
}

/**
 * JSON.parse with `reviver` where the text may hold one of its strings ("NaN", "Infinity",
 * "-Infinity"), plain JSON.parse (several times faster: no call per value) where it cannot.
 */
function parseReviving(text: string): unknown {
  return text.includes('"NaN"') || text.includes('Infinity"') ? JSON.parse(text, reviver) : JSON.parse(text);
}

/**
 * Below this magnitude a finite number is written as JSON.stringify writes it. From here up to
 * 1e21 JavaScript writes whole numbers without an exponent ("120000000000000000000"), which
 * readers that parse integers first (pandas' ujson: "Value is too big") reject; they are written
 * in exponent form instead, with the same shortest digits.
 */
const PLAIN_BELOW = 1e15;

/** True when v is written as String(v) writes it (finite, below PLAIN_BELOW in magnitude). */
export function plainNumber(v: number): boolean {
  return Math.abs(v) < PLAIN_BELOW;
}

/** A finite number as log.jsonl writes it (round-trips exactly). */
function jsonNumber(v: number): string {
  return plainNumber(v) || Math.abs(v) >= 1e21 ? String(v) : v.toExponential();
}

/** JSON of `v`, with non-finite numbers written as null and their paths noted in `nonfinite`. */
function writeValue(v: unknown, at: string, nonfinite: Record<string, string>): string {
  if (typeof v === 'number') {
    if (Number.isFinite(v)) return jsonNumber(v);
    nonfinite[at] = String(v);
    return 'null';
  }
  if (Array.isArray(v) || ArrayBuffer.isView(v)) {
    const items = Array.from(v as ArrayLike<unknown>, (x, i) => writeValue(x, `${at}[${i}]`, nonfinite));
    return `[${items.join(',')}]`;
  }
  if (v !== null && typeof v === 'object') {
    const parts: string[] = [];
    for (const k of Object.keys(v)) {
      const x = (v as Record<string, unknown>)[k];
      if (x === undefined || typeof x === 'function') continue;
      parts.push(`${JSON.stringify(k)}:${writeValue(x, at === '' ? k : `${at}.${k}`, nonfinite)}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/**
 * The log.jsonl line of a record. Every line is plain JSON that any reader parses (pandas'
 * read_json(lines=True) with numeric columns): finite numbers round-trip exactly; a non-finite one
 * is written as null, and the record gets a field "nonfinite" mapping the path of each such value
 * to its name, e.g. {"loss": "NaN", "metrics.norm[1]": "Infinity"}.
 */
export function toJsonLine(value: unknown): string {
  const nonfinite: Record<string, string> = {};
  const text = writeValue(value, '', nonfinite);
  const paths = Object.keys(nonfinite);
  if (paths.length === 0 || !text.startsWith('{')) return `${text}\n`;
  return `${text.slice(0, -1)}${text === '{}' ? '' : ','}"nonfinite":${JSON.stringify(nonfinite)}}\n`;
}

/** "metrics.norm[1]" → ["metrics", "norm", 1]. */
function pathParts(p: string): (string | number)[] {
  return [...p.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));
}

/** A parsed log line with the values its "nonfinite" map names put back (and the map removed). */
export function restoreNonFinite<T>(record: T): T {
  if (record === null || typeof record !== 'object') return record;
  const map = (record as { nonfinite?: unknown }).nonfinite;
  if (map === null || typeof map !== 'object') return record;
  for (const [p, name] of Object.entries(map as Record<string, unknown>)) {
    const parts = pathParts(p);
    // (the reviver of readJsonl has already turned the map's names into numbers)
    const value = typeof name === 'number' && !Number.isFinite(name) ? name : typeof name === 'string' ? NON_FINITE[name] : undefined;
    if (value === undefined || parts.length === 0) continue;
    let holder: unknown = record;
    for (const part of parts.slice(0, -1)) holder = holder !== null && typeof holder === 'object' ? (holder as Record<string | number, unknown>)[part] : undefined;
    const last = parts[parts.length - 1]!;
    // defined, not assigned: a metric named __proto__ is a value like any other
    if (holder !== null && typeof holder === 'object' && Object.prototype.hasOwnProperty.call(holder, last)) {
      Object.defineProperty(holder, last, { value, writable: true, enumerable: true, configurable: true });
    }
  }
  delete (record as { nonfinite?: unknown }).nonfinite;
  return record;
}

/**
 * Appends one JSON record per line to a file.
 *
 * The guarantee: each line is handed to the kernel by a single write(2) on a file opened with
 * O_APPEND, so a process that dies at any moment (SIGKILL included) leaves only whole lines: the
 * kernel finishes or never starts a write to a regular file. Only a machine crash can leave a torn
 * last line, and `readJsonl` tolerates that. Nothing is buffered in the process, so there is
 * nothing to flush on exit; `sync()` asks the disk to persist (used before a checkpoint).
 */
export class JsonlWriter {
  private fd: number | null;
  private buffer: Buffer = Buffer.alloc(0);
  /** The file's length: every write appends whole lines, so this is where the last one ends. */
  private size: number;

  /** Opens (creates) `file` for appending, with O_APPEND; `truncate` empties it first. */
  constructor(readonly file: string, options: { readonly truncate?: boolean } = {}) {
    this.fd = fs.openSync(file, 'a');
    if (options.truncate) fs.ftruncateSync(this.fd, 0);
    this.size = fs.fstatSync(this.fd).size;
  }

  /**
   * Writes all of `bytes[0, n)`, in one system call unless the kernel writes less. If a write
   * fails part way (disk full, file size limit), the file is cut back to its length before, so
   * it still ends on a whole line, and the error is rethrown.
   */
  private append(bytes: Buffer, n: number): void {
    if (this.fd === null) throw new Error(`${this.file} is closed`);
    try {
      let off = fs.writeSync(this.fd, bytes, 0, n);
      while (off < n) off += fs.writeSync(this.fd, bytes, off, n - off);
    } catch (e) {
      try {
        fs.ftruncateSync(this.fd, this.size);
      } catch {
        /* the error below says what went wrong */
      }
      throw e;
    }
    this.size += n;
  }

  /** Writes `record` as one line, in one system call (repeated only if the kernel wrote less). */
  write(record: unknown): void {
    const bytes = Buffer.from(toJsonLine(record), 'utf8');
    this.append(bytes, bytes.length);
  }

  /**
   * Writes text made of whole lines (each ending in a newline) in one system call, so a batch of
   * records keeps the guarantee: the file only ever holds whole lines. Returns the bytes written.
   */
  writeLines(text: string): number {
    if (this.fd === null) throw new Error(`${this.file} is closed`);
    if (text === '') return 0;
    if (!text.endsWith('\n')) throw new Error(`${this.file}: writeLines wants whole lines`);
    // encoded into a buffer kept between writes (UTF-8 takes at most 3 bytes per UTF-16 unit), up
    // to 1 MiB; a larger text gets a buffer of its own
    const most = 3 * text.length;
    if (this.buffer.length < most && most <= 1 << 20) this.buffer = Buffer.allocUnsafe(Math.max(Math.min(2 * this.buffer.length, 1 << 20), most));
    const bytes = this.buffer.length >= most ? this.buffer : Buffer.from(text, 'utf8');
    const n = bytes === this.buffer ? bytes.write(text, 0, 'utf8') : bytes.length;
    this.append(bytes, n);
    return n;
  }

  /** Flushes the file to disk (fdatasync). */
  sync(): void {
    if (this.fd !== null) fs.fdatasyncSync(this.fd);
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}

export interface JsonlContents<T> {
  readonly records: T[];
  /** True when the last line was incomplete or unparsable and was dropped. */
  readonly tornTail: boolean;
  /** Byte length of the whole lines kept: truncate the file to this before appending to it again. */
  readonly validBytes: number;
}

/** The longest line read from a log (a record with a very large vector metric still fits). */
const MAX_LINE_BYTES = 256 * 2 ** 20;

/**
 * Reads a JSONL file written by JsonlWriter, in chunks (a regular file of at most `limit` bytes:
 * a FIFO, a device or an oversized file is refused with ReadRefused). A torn last line (no
 * newline, or not JSON) is dropped and reported; a bad line elsewhere is an error naming its
 * line number. Non-finite values come back as numbers: from a record's "nonfinite" map, or from
 * the strings "NaN", "Infinity" and "-Infinity" of logs written before that convention.
 */
export function readJsonl<T = unknown>(file: string, limit = LOG_READ_LIMIT): JsonlContents<T> {
  const { fd, size } = openBounded(file, limit);
  const records: T[] = [];
  // the whole file in one read when it is small (a buffer of 1 MiB for each of a sweep's logs is
  // what collect spent most of its time allocating and collecting); one more byte to see its end
  const chunk = Buffer.allocUnsafe(Math.min(1 << 20, size + 1));
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let line = 1;
  let validBytes = 0;
  let total = 0;
  /** Parses one line's bytes (without its newline); false if it is not JSON. */
  const take = (bytes: Buffer): boolean => {
    const body = bytes.toString('utf8');
    if (body.trim() === '') return true;
    try {
      records.push(restoreNonFinite(parseReviving(body) as T));
      return true;
    } catch {
      return false;
    }
  };
  try {
    for (;;) {
      const got = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (got === 0) break;
      total += got;
      if (total > limit) throw new ReadRefused(file, `grew past the read limit of ${limit} bytes while being read`, 'EFBIG');
      let start = 0;
      // the bytes read: a search of the whole chunk would scan the stale rest of it for every read
      const read = chunk.subarray(0, got);
      for (;;) {
        const nl = read.indexOf(10, start);
        if (nl < 0) break;
        const piece = chunk.subarray(start, nl);
        const bytes = carryBytes > 0 ? Buffer.concat([...carry, piece]) : piece;
        const length = bytes.length + 1;
        carry = [];
        carryBytes = 0;
        if (!take(bytes)) {
          // a bad line is a torn tail only if nothing follows it
          const rest = chunk.subarray(nl + 1, got);
          const more = rest.toString('utf8').trim() !== '' || fs.readSync(fd, chunk, 0, 1, null) > 0;
          if (more) throw new Error(`${file}: line ${line} is not valid JSON`);
          return { records, tornTail: true, validBytes };
        }
        validBytes += length;
        line++;
        start = nl + 1;
      }
      if (start < got) {
        carry.push(Buffer.from(chunk.subarray(start, got)));
        carryBytes += got - start;
        if (carryBytes > MAX_LINE_BYTES) throw new Error(`${file}: line ${line} is longer than ${MAX_LINE_BYTES} bytes`);
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  // a last line without its newline: torn (even if it parses, its newline never came)
  if (carryBytes > 0 && Buffer.concat(carry).toString('utf8').trim() !== '') return { records, tornTail: true, validBytes };
  return { records, tornTail: false, validBytes: validBytes + carryBytes };
}

/** fsync of a folder, to persist a rename in it; not possible on every platform (best effort). */
function syncDir(dir: string): void {
  try {
    const dfd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(dfd);
    } finally {
      fs.closeSync(dfd);
    }
  } catch {
    /* best effort */
  }
}

/**
 * Folders whose renames are to be persisted later, all together (see writeJsonAtomic's `dirSync`):
 * a batch of runs writing their final run.json each into its own folder syncs the folders once all
 * have renamed, so one journal commit persists them all (on ext4 the first folder's fsync commits
 * every rename made so far, and the others find theirs committed).
 */
export class DeferredDirSyncs {
  private readonly dirs = new Set<string>();

  add(dir: string): void {
    this.dirs.add(dir);
  }

  /** Syncs every folder added since the last flush. */
  flush(): void {
    for (const d of this.dirs) syncDir(d);
    this.dirs.clear();
  }
}

/**
 * How writeJsonAtomic persists the rename: 'now' (an fsync of the folder, the default), into a
 * DeferredDirSyncs the caller flushes, or 'never': the new file's contents are synced before the
 * rename, so a machine crash leaves the old file or the complete new one, but it may leave the old
 * one (for a first write, no file): for a file whose loss only says less than the files around it
 * (run.json "running" before anything of the run is synced).
 */
export type DirSync = 'now' | 'never' | DeferredDirSyncs;

/**
 * Writes JSON to `file` atomically: the text goes to a temporary file in the same directory, is
 * synced, and is renamed over `file`, so a reader (or a resumed run) sees the old or the new
 * contents, never a mix; then the folder is synced to persist the rename (see DirSync).
 * Non-finite numbers are written as strings, as in the log.
 */
export function writeJsonAtomic(file: string, value: unknown, dirSync: DirSync = 'now'): void {
  const tmp = temporaryOf(file);
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeFileSync(fd, `${JSON.stringify(value, replacer, 2)}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    failedWrite(tmp, e);
  }
  renameAndSync(tmp, file, dirSync);
}

/** The temporary file writeJsonAtomic writes `file`'s new contents to, in the same folder. */
function temporaryOf(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
}

/** A failed write (disk full, file size limit) leaves no temporary file behind. */
function failedWrite(tmp: string, e: unknown): never {
  fs.rmSync(tmp, { force: true });
  throw e;
}

/** Renames the synced temporary file over `file`, then persists the rename as `dirSync` says. */
function renameAndSync(tmp: string, file: string, dirSync: DirSync): void {
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    failedWrite(tmp, e);
  }
  const dir = path.dirname(file);
  if (dirSync === 'now') syncDir(dir);
  else if (dirSync !== 'never') dirSync.add(dir);
}

/**
 * writeJsonAtomic with the file's writes and its fsync on libuv's thread pool: the final run.json
 * of the seeds of a batch are written together, so their syncs overlap (the file system commits
 * its journal once for several) instead of following one another.
 */
export async function writeJsonAtomicAsync(file: string, value: unknown, dirSync: DirSync = 'now'): Promise<void> {
  const tmp = temporaryOf(file);
  const text = `${JSON.stringify(value, replacer, 2)}\n`;
  try {
    const handle = await fs.promises.open(tmp, 'w');
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (e) {
    failedWrite(tmp, e);
  }
  renameAndSync(tmp, file, dirSync);
}

/**
 * Reads JSON written by writeJsonAtomic (non-finite strings revived as numbers): a regular file
 * of at most `limit` bytes, else ReadRefused.
 */
export function readJson<T = unknown>(file: string, limit = JSON_READ_LIMIT): T {
  return parseReviving(readTextBounded(file, limit)) as T;
}

/** The temporary file writeJsonAtomic uses for `file` in this process. */
export function isAtomicTemp(name: string): boolean {
  return /^\..+\.\d+\.tmp$/.test(name) && !name.startsWith('.descent.lock');
}
