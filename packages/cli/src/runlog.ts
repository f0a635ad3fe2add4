// Run files: log-spaced record steps, the append-only log.jsonl, and atomic JSON writes.
import * as fs from 'node:fs';
import * as path from 'node:path';

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

  constructor(readonly file: string, options: { readonly truncate?: boolean } = {}) {
    this.fd = fs.openSync(file, options.truncate ? 'w' : 'a');
  }

  /** Writes `record` as one line, in one system call (repeated only if the kernel wrote less). */
  write(record: unknown): void {
    if (this.fd === null) throw new Error(`${this.file} is closed`);
    const bytes = Buffer.from(toJsonLine(record), 'utf8');
    let off = fs.writeSync(this.fd, bytes, 0, bytes.length);
    while (off < bytes.length) off += fs.writeSync(this.fd, bytes, off, bytes.length - off);
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
    let off = fs.writeSync(this.fd, bytes, 0, n);
    while (off < n) off += fs.writeSync(this.fd, bytes, off, n - off);
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

/**
 * Reads a JSONL file written by JsonlWriter. A torn last line (no newline, or not JSON) is dropped
 * and reported; a bad line elsewhere is an error naming its line number. Non-finite values come
 * back as numbers: from a record's "nonfinite" map, or from the strings "NaN", "Infinity" and
 * "-Infinity" of logs written before that convention.
 */
export function readJsonl<T = unknown>(file: string): JsonlContents<T> {
  const text = fs.readFileSync(file, 'utf8');
  const records: T[] = [];
  let start = 0;
  let line = 1;
  let validBytes = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const body = text.slice(start, nl < 0 ? text.length : nl);
    const isLast = nl < 0 || nl === text.length - 1;
    if (body.trim() !== '') {
      let value: T;
      try {
        value = JSON.parse(body, reviver) as T;
      } catch {
        if (isLast) return { records, tornTail: true, validBytes };
        throw new Error(`${file}: line ${line} is not valid JSON`);
      }
      if (nl < 0) return { records, tornTail: true, validBytes }; // parsed, but its newline never came
      records.push(restoreNonFinite(value));
    }
    if (nl < 0) break;
    validBytes += Buffer.byteLength(text.slice(start, nl + 1), 'utf8');
    start = nl + 1;
    line++;
  }
  return { records, tornTail: false, validBytes };
}

/**
 * Writes JSON to `file` atomically: the text goes to a temporary file in the same directory, is
 * synced, and is renamed over `file`, so a reader (or a resumed run) sees the old or the new
 * contents, never a mix. Non-finite numbers are written as strings, as in the log.
 */
export function writeJsonAtomic(file: string, value: unknown): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeFileSync(fd, `${JSON.stringify(value, replacer, 2)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  try {
    const dfd = fs.openSync(dir, 'r');
    fs.fsyncSync(dfd); // persist the rename itself; not possible on every platform
    fs.closeSync(dfd);
  } catch {
    /* best effort */
  }
}

/** Reads JSON written by writeJsonAtomic (non-finite strings revived as numbers). */
export function readJson<T = unknown>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8'), reviver) as T;
}
