// `load("file")`'s formats: CSV, JSON and .npy bytes into one Float64Array, with located, readable errors.
// No file access here (that is load-node.ts, or the host a caller injects): CSV and JSON are parsed
// as a stream of chunks into one Float64Array, so memory is the values (8 bytes each) and one chunk.

export type LoadResult = { ok: true; data: Float64Array; shape: number[] } | { ok: false; message: string };

export interface LoadOptions {
  /** Largest file accepted, in bytes (checked with fstat before reading). Default 1 GiB. */
  maxBytes?: number;
  /** Most memory the values may take, in bytes (--max-memory); more is refused while reading. */
  maxMemoryBytes?: number;
  /** Files or folders outside `baseDir` that may be read (--allow-read). */
  allowRead?: readonly string[];
  /** The number of values the declaration expects: the buffer is sized once, never grown. */
  expectedCount?: number;
}


/** Bytes read at a time. */
const CHUNK = 1 << 20;

/** Deepest JSON nesting accepted (a tensor of rank 32 is already absurd). */
const MAX_RANK = 32;

const fail = (message: string): LoadResult => ({ ok: false, message });

/**
 * A short excerpt of untrusted text for a message: at most `max` characters, control and
 * non-ASCII characters escaped, so a file's contents never reach errors or logs beyond a glimpse.
 */
export function excerpt(text: string, max = 24): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return cut.replace(/[^\x20-\x7e…]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The tensor in a file's bytes, by its extension (`.csv`, `.json`, `.npy`), read from `chunks` in
 * order; messages do not name the file (the caller prefixes it).
 */
export function readTensorChunks(ext: string, chunks: Iterable<Uint8Array>, options: LoadOptions = {}): LoadResult {
  const lower = ext.toLowerCase();
  if (lower !== '.csv' && lower !== '.json' && lower !== '.npy') {
    return fail(`unsupported file type \`${excerpt(lower, 12) || '(none)'}\`; load reads .csv, .json and .npy`);
  }
  if (lower === '.npy') return readNpy(concat(chunks));
  return readText(chunks, lower === '.csv' ? new CsvReader(values(options)) : new JsonReader(values(options)));
}

/** The extension of a file name, with its dot (`.csv`), or '' when it has none. */
export function extensionOf(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot);
}

function concat(chunks: Iterable<Uint8Array>): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const c of chunks) {
    parts.push(Uint8Array.from(c));
    total += c.length;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A text format read chunk by chunk: `push` returns an error message or null. */
interface TextReader {
  push(text: string): string | null;
  finish(): LoadResult;
}

function readText(chunks: Iterable<Uint8Array>, reader: TextReader): LoadResult {
  const decoder = new TextDecoder('utf-8');
  let first = true;
  for (const c of chunks) {
    let text = decoder.decode(c, { stream: true });
    if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    first = false;
    const err = reader.push(text);
    if (err !== null) return fail(err);
  }
  const err = reader.push(decoder.decode());
  return err !== null ? fail(err) : reader.finish();
}

/** Where parsed values go: one Float64Array, sized once when the count is declared. */
class Values {
  private data: Float64Array;
  count = 0;

  constructor(private readonly expected: number | undefined, private readonly maxBytes: number) {
    this.data = new Float64Array(expected ?? 1024);
  }

  /** Adds a value; returns a message when the values would exceed the memory limit. */
  add(v: number): string | null {
    if (this.count === this.data.length) {
      // more values than declared are counted (for the shape in the message) but not kept
      if (this.expected !== undefined) {
        this.count++;
        return null;
      }
      if ((this.count + 1) * 8 > this.maxBytes) {
        return `holds more than ${this.count} values (${(this.count * 8).toLocaleString('en-US')} bytes), more than the memory limit of ${this.maxBytes.toLocaleString('en-US')} bytes`;
      }
      const grown = new Float64Array(Math.min(this.data.length * 2, Math.max(1, Math.floor(this.maxBytes / 8))));
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.count++] = v;
    return null;
  }

  /** The values read, no copy when the buffer is full. */
  result(): Float64Array {
    return this.count === this.data.length ? this.data : this.data.slice(0, this.count);
  }
}

const values = (options: LoadOptions): Values =>
  new Values(options.expectedCount, options.maxMemoryBytes ?? Infinity);

// ---------------------------------------------------------------- CSV

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const SPECIAL: Record<string, number> = { nan: NaN, '+nan': NaN, '-nan': NaN, inf: Infinity, '+inf': Infinity, '-inf': -Infinity, infinity: Infinity, '+infinity': Infinity, '-infinity': -Infinity };

/** A CSV field as a number, or undefined when it is not one. */
function csvNumber(field: string): number | undefined {
  if (NUMBER.test(field)) return Number(field);
  return SPECIAL[field.toLowerCase()];
}

/**
 * CSV read line by line as chunks arrive. Rows are counted as lines of the file (1-based: LF,
 * CRLF or CR line ends), so messages match what an editor shows.
 */
class CsvReader implements TextReader {
  private pending = '';
  private line = 0;
  private cols = -1;
  private firstRow = 0;
  private rows = 0;
  /** The previous chunk ended in `\r`: a `\n` starting this one ends no further line. */
  private afterCR = false;

  constructor(private readonly out: Values) {}

  push(text: string): string | null {
    let from = 0;
    if (this.afterCR && text.startsWith('\n')) from = 1;
    const ends = /\r\n|\n|\r/g;
    ends.lastIndex = from;
    let start = from;
    let m: RegExpExecArray | null;
    while ((m = ends.exec(text)) !== null) {
      const err = this.row(this.pending + text.slice(start, m.index));
      this.pending = '';
      if (err !== null) return err;
      start = m.index + m[0].length;
    }
    this.afterCR = text.endsWith('\r');
    if (start < text.length) this.pending += text.slice(start);
    if (this.pending.length > CHUNK * 4) return `line ${this.line + 1} is longer than ${CHUNK * 4} characters`;
    return null;
  }

  finish(): LoadResult {
    if (this.pending !== '') {
      const err = this.row(this.pending);
      if (err !== null) return fail(err);
    }
    if (this.rows === 0) return fail('no data rows');
    const data = this.out.result();
    return { ok: true, data, shape: this.cols === 1 ? [this.rows] : [this.rows, this.cols] };
  }

  private row(line: string): string | null {
    const k = this.line++;
    if (line.trim() === '') return null;
    const fields = line.split(',').map((f) => f.trim());
    const nums = fields.map(csvNumber);
    // a header is a first row with no number in it; a first row with a number is data
    if (this.rows === 0 && this.cols === -1 && nums.every((n) => n === undefined)) {
      this.cols = -2; // a header: skipped, but only once
      return null;
    }
    if (this.cols < 0) {
      this.cols = fields.length;
      this.firstRow = k + 1;
    } else if (fields.length !== this.cols) {
      return `row ${k + 1} has ${fields.length} values, row ${this.firstRow} has ${this.cols}`;
    }
    for (let j = 0; j < nums.length; j++) {
      const v = nums[j];
      if (v === undefined) {
        const f = fields[j] ?? '';
        return f === '' ? `row ${k + 1}, column ${j + 1}: empty value` : `row ${k + 1}, column ${j + 1}: \`${excerpt(f)}\` is not a number`;
      }
      if (!Number.isFinite(v)) return `row ${k + 1}, column ${j + 1}: ${notFinite(v)}`;
      const err = this.out.add(v);
      if (err !== null) return err;
    }
    this.rows++;
    return null;
  }
}

/** Parses CSV text held in memory (the streaming reader fed at once). */
export function readCsv(text: string, options: LoadOptions = {}): LoadResult {
  const r = new CsvReader(values(options));
  const err = r.push(text.replace(/^\uFEFF/, ''));
  return err !== null ? fail(err) : r.finish();
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

const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/**
 * JSON nested arrays of numbers, read token by token as chunks arrive. The shape is set by the
 * first element at each depth (as `[[1, 2], [3, 4]]` gives [2, 2]); every other array must match
 * it. Anything but arrays and numbers is an error naming its path.
 */
class JsonReader implements TextReader {
  /** Length of each depth's first array, once it closed; the rank once the first number is seen. */
  private readonly shape: number[] = [];
  private rank = -1;
  /** Open arrays: elements so far at each depth. */
  private readonly open: number[] = [];
  private number = '';
  private done = false;
  private sawValue = false;
  private offset = 0;
  /** After `[` or `,` a value is due; after a value, `,` or `]`. */
  private expectValue = true;

  constructor(private readonly out: Values) {}

  /** The path of the element just counted: each open array's count less one. */
  private path(): number[] {
    return this.open.map((n) => n - 1);
  }

  push(text: string): string | null {
    for (let i = 0; i < text.length; i++, this.offset++) {
      const c = text[i]!;
      if ((c >= '0' && c <= '9') || c === '-' || c === '+' || c === '.' || c === 'e' || c === 'E') {
        if (this.number === '' && !this.expectValue) return this.malformed(c);
        this.number += c;
        if (this.number.length > 400) return 'malformed JSON (a number longer than 400 characters)';
        continue;
      }
      if (this.number !== '') {
        const err = this.value();
        if (err !== null) return err;
      }
      if (c === ' ' || c === '\n' || c === '\r' || c === '\t') continue;
      if (this.done) return this.malformed(c);
      if (c === '[') {
        if (!this.expectValue) return this.malformed(c);
        const err = this.element('an array');
        if (err !== null) return err;
        if (this.open.length >= MAX_RANK) return `arrays nested deeper than ${MAX_RANK}`;
        this.open.push(0);
        this.expectValue = true;
      } else if (c === ']') {
        const n = this.open.length;
        if (n === 0) return this.malformed(c);
        const count = this.open[n - 1]!;
        if (this.expectValue && count > 0) return this.malformed(c); // [1,]
        const depth = n - 1;
        const path = this.path().slice(0, depth);
        if (count === 0) return `empty array at ${pathText(path)}`;
        if (this.shape[depth] === undefined) this.shape[depth] = count;
        else if (this.shape[depth] !== count) {
          return `${pathText(path)} has ${count} elements, ${pathText(path.map(() => 0))} has ${this.shape[depth]}`;
        }
        this.open.pop();
        this.closed();
      } else if (c === ',') {
        if (this.expectValue || this.open.length === 0) return this.malformed(c);
        this.expectValue = true;
      } else {
        if (!this.expectValue) return this.malformed(c);
        const kind = c === '"' ? 'a string' : c === '{' ? 'an object' : c === 'n' ? 'null' : c === 't' || c === 'f' ? 'a boolean' : undefined;
        if (kind === undefined) return this.malformed(c);
        return this.element(kind) ?? this.typeError(kind);
      }
    }
    return null;
  }

  /** An element starts at the current position: counts it in its array. */
  private element(kind: string): string | null {
    const n = this.open.length;
    if (n > 0) this.open[n - 1]!++;
    if (kind === 'a number') {
      if (this.rank === -1) this.rank = n;
      else if (n !== this.rank) return this.typeError(kind);
    } else if (kind === 'an array' && this.rank !== -1 && n >= this.rank) {
      return this.typeError(kind);
    }
    return null;
  }

  private typeError(kind: string): string {
    const path = this.path();
    if (this.rank === -1 || path.length === this.rank) return `${pathText(path)} is ${kind}, not a number`;
    return `${pathText(path)} is ${kind}, but ${pathText(path.map(() => 0))} is an array`;
  }

  private value(): string | null {
    const text = this.number;
    this.number = '';
    if (!this.expectValue) return this.malformed(text[0]!);
    if (!JSON_NUMBER.test(text)) return `malformed JSON (\`${excerpt(text)}\` is not a number, near byte ${this.offset})`;
    const err = this.element('a number') ?? this.out.add(Number(text));
    if (err !== null) return err;
    this.closed();
    return null;
  }

  /** A value (number or array) ended. */
  private closed(): void {
    this.expectValue = false;
    this.sawValue = true;
    if (this.open.length === 0) this.done = true;
  }

  private malformed(c: string): string {
    return `malformed JSON (unexpected \`${excerpt(c)}\` near byte ${this.offset})`;
  }

  finish(): LoadResult {
    if (this.number !== '') {
      const err = this.value();
      if (err !== null) return fail(err);
    }
    if (!this.done || !this.sawValue) return fail('malformed JSON (unexpected end of the file)');
    const shape = this.shape.slice(0, Math.max(0, this.rank));
    return { ok: true, data: this.out.result(), shape };
  }
}

/** Parses JSON text held in memory (the streaming reader fed at once). */
export function readJson(text: string, options: LoadOptions = {}): LoadResult {
  const r = new JsonReader(values(options));
  const err = r.push(text);
  return err !== null ? fail(err) : r.finish();
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
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(8 + lenBytes, dataStart));

  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(header)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    return fail(`malformed .npy header: ${excerpt(header.trim(), 60)}`);
  }
  const shape: number[] = [];
  for (const part of shapeText.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    if (!/^\d+L?$/.test(part)) return fail(`malformed .npy shape (${excerpt(shapeText, 60)})`);
    shape.push(Number.parseInt(part, 10));
  }
  const order = descr[0];
  const kind = descr.slice(1);
  if (order === '>' && kind !== 'u1' && kind !== 'i1') return fail(`big-endian data (${excerpt(descr, 12)}) is not supported; save with dtype '<${excerpt(kind, 12)}'`);
  const dtype = (order === '<' || order === '=' || order === '|') ? DTYPES[kind] : undefined;
  if (dtype === undefined) return fail(`unsupported dtype '${excerpt(descr, 12)}'; use float64 ('<f8'), float32, int32 or int64`);
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = count * dtype.size;
  const actual = bytes.length - dataStart;
  if (actual !== expected) {
    return fail(`the data has ${actual} bytes, but shape (${shape.join(', ')}) of '${excerpt(descr, 12)}' needs ${expected}`);
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
