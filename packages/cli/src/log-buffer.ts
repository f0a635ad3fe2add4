// The run's log writer: records batched (as objects, or as rows of numbers in preallocated storage), and turned into JSON, at whole-line writes at least every 0.25 s, so logging every step stays cheap.
import { JsonlWriter, plainNumber, toJsonLine, type LogRecord } from './runlog.js';

/** True when JSON.stringify writes every number of the record as log.jsonl does (see toJsonLine). */
function allPlain(r: LogRecord): boolean {
  if (!plainNumber(r.step) || !plainNumber(r.loss) || !plainNumber(r.elapsed)) return false;
  for (const k in r.metrics) {
    const v = r.metrics[k]!;
    if (typeof v === 'number') {
      if (!plainNumber(v)) return false;
    } else {
      for (let i = 0; i < v.length; i++) if (!plainNumber(v[i]!)) return false;
    }
  }
  return true;
}

/** The record's line: JSON.stringify's when every number is plain, else toJsonLine's (null and "nonfinite"). */
function lineOf(r: LogRecord): string {
  // JSON.stringify is twice as fast as the general writer, which only non-finite and huge values need
  return allPlain(r) ? `${JSON.stringify(r)}\n` : toJsonLine(r);
}

/**
 * About the UTF-8 byte length of lineOf(r), counted without writing it (to decide when to write a
 * batch): a number takes at most 24 characters ("-1.2345678901234567e-300"), a character of a
 * name at most 6 (an escape); the "nonfinite" map of a record with non-finite values is not counted.
 */
function maxLineBytes(r: LogRecord): number {
  let n = 48 + 3 * 24; // {"step":,"loss":,"metrics":{},"elapsed":}\n and three numbers
  const m = r.metrics;
  for (const k in m) {
    const v = m[k]!;
    n += 6 * k.length + 4 + (typeof v === 'number' ? 24 : 2 + 25 * v.length);
  }
  return n;
}

/**
 * The (empty, frozen) prototype of the metric objects of log records: no inherited names, so a
 * metric named `__proto__` is an own value like any other, as in Program.metrics(); unlike
 * Object.create(null), whose objects V8 keeps as slow dictionaries, objects made from it share
 * one fast layout.
 */
export const METRICS_PROTO: object = Object.freeze(Object.create(null) as object);

/** A metric as the program declares it (Program.metricInfo). */
export interface MetricLayout {
  readonly name: string;
  readonly shape: readonly number[];
}

/**
 * The training loop's records as rows of numbers in one growable Float64Array: [step, loss,
 * elapsed, the metric values flattened in metricInfo order]. Adding a record copies its values
 * and allocates nothing (the storage doubles when full); its JSON line (byte-identical to
 * toJsonLine of the record) and its LogRecord are made only when asked for.
 */
export class RecordRows {
  /** Numbers per row. */
  readonly width: number;
  private data: Float64Array;
  private n = 0;
  private readonly sizes: readonly number[];
  private readonly scalar: readonly boolean[];
  private readonly names: readonly string[];
  /** Where each metric's values start in a row. */
  private readonly offsets: readonly number[];
  /** Rows whose record has no metrics ({}: the record of a run diverging in its parameters). */
  private readonly bare = new Set<number>();
  /** maxLineBytes of a record with all the metrics, and of one with none. */
  private readonly fullBound: number;
  private readonly bareBound = 48 + 3 * 24;
  private made: LogRecord[] = [];
  /** The last row's `elapsed` and lineBound (what LogBuffer.addRow reads). */
  lastElapsed = NaN;
  lastBound = 0;

  constructor(metrics: readonly MetricLayout[], capacity = 64) {
    this.names = metrics.map((m) => m.name);
    this.scalar = metrics.map((m) => m.shape.length === 0);
    this.sizes = metrics.map((m) => m.shape.reduce((a, b) => a * b, 1));
    const offsets: number[] = [];
    let width = 3;
    for (const size of this.sizes) {
      offsets.push(width);
      width += size;
    }
    this.offsets = offsets;
    this.width = width;
    this.data = new Float64Array(Math.max(1, capacity) * this.width);
    let bound = this.bareBound;
    metrics.forEach((m, k) => {
      bound += 6 * m.name.length + 4 + (this.scalar[k] ? 24 : 2 + 25 * this.sizes[k]!);
    });
    this.fullBound = bound;
  }

  /** Rows held. */
  get length(): number {
    return this.n;
  }

  private row(): number {
    const w = this.width;
    if ((this.n + 1) * w > this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    return this.n++ * w;
  }

  /**
   * Adds a record: the step's values, and its metrics as Program.metricViews() gives them (one
   * array per metric in metricInfo order, copied here), or null for a record without metrics.
   */
  push(step: number, loss: number, elapsed: number, metrics: readonly Float64Array[] | null): void {
    const i = this.n;
    const o = this.row();
    const d = this.data;
    d[o] = step;
    d[o + 1] = loss;
    d[o + 2] = elapsed;
    this.lastElapsed = elapsed;
    if (metrics === null) {
      this.bare.add(i);
      this.lastBound = this.bareBound;
      return;
    }
    this.lastBound = this.fullBound;
    const sizes = this.sizes;
    let p = o + 3;
    for (let k = 0; k < sizes.length; k++) {
      const v = metrics[k]!;
      const s = sizes[k]!;
      for (let j = 0; j < s; j++) d[p + j] = v[j]!;
      p += s;
    }
  }

  /** Row i's `elapsed`. */
  elapsed(i: number): number {
    return this.data[i * this.width + 2]!;
  }

  /** At least the UTF-8 byte length of row i's line (as LogBuffer counts a record's). */
  lineBound(i: number): number {
    return this.bare.has(i) ? this.bareBound : this.fullBound;
  }

  /**
   * Row i's JSON line: exactly toJsonLine(this.record(i)). A row of plain numbers is written by
   * JSON.stringify of its record (which formats numbers faster than String() does, and the record
   * is kept for records()); others, rare (a diverging run's last), by toJsonLine.
   */
  line(i: number): string {
    const d = this.data;
    const o = i * this.width;
    for (let p = o, end = o + this.width; p < end; p++) {
      if (!plainNumber(d[p]!)) return toJsonLine(this.recordOf(i));
    }
    return `${JSON.stringify(this.recordOf(i))}\n`;
  }

  /** Row i as a record (metrics with the prototype METRICS_PROTO, vectors as arrays). */
  record(i: number): LogRecord {
    const d = this.data;
    const o = i * this.width;
    const metrics = Object.create(METRICS_PROTO) as Record<string, number | number[]>;
    if (!this.bare.has(i)) {
      const { sizes, scalar, names } = this;
      let p = o + 3;
      for (let k = 0; k < sizes.length; k++) {
        const n = sizes[k]!;
        if (scalar[k]) {
          metrics[names[k]!] = d[p]!;
        } else {
          const a = new Array<number>(n);
          for (let j = 0; j < n; j++) a[j] = d[p + j]!;
          metrics[names[k]!] = a;
        }
        p += n;
      }
    }
    return { step: d[o]!, loss: d[o + 1]!, metrics, elapsed: d[o + 2]! };
  }

  /** Row i's record, kept if it is the next of `made`. */
  private recordOf(i: number): LogRecord {
    if (i < this.made.length) return this.made[i]!;
    const r = this.record(i);
    if (i === this.made.length) this.made.push(r);
    return r;
  }

  /** All rows as records, made once (later calls make only the rows not made yet). */
  records(): readonly LogRecord[] {
    for (let i = this.made.length; i < this.n; i++) this.made.push(this.record(i));
    return this.made;
  }
}

/**
 * Appends records to log.jsonl: LogRecord objects (add), or the rows of an attached RecordRows
 * (addRow; the training loop's way, nothing allocated per record). Either is only queued: records
 * are collected, and their lines made and written together
 * in one system call of whole lines, when they may reach 64 KiB (counted from above, without
 * making the lines) or when a record comes 0.25 s (of the run's own clock, its `elapsed`) after
 * the last write, and on flush(); so a killed process leaves whole lines only, missing at most the
 * last quarter second. A stopped, diverged or finished run flushes.
 */
export class LogBuffer {
  private pending: LogRecord[] = [];
  /** The rows added with addRow, and how many of them are in the file. */
  private rows: RecordRows | null = null;
  private rowsWritten = 0;
  /** An upper bound on the UTF-8 length of the pending records' lines. */
  private bytes = 0;
  private lastWrite = -Infinity;
  private readonly writer: JsonlWriter;
  /** Bytes in the file after the last flush (its length: every write appends whole lines). */
  private written: number;
  /** Records in the file after the last flush. */
  private count: number;

  /**
   * Starts a new log, or with `append`, continues one cut to `append.bytes` bytes holding
   * `append.records` records (a resumed run: the caller truncated it to its checkpoint).
   */
  constructor(
    file: string,
    private readonly maxBytes = 1 << 16,
    private readonly maxSeconds = 0.25,
    append?: { readonly bytes: number; readonly records: number },
  ) {
    this.writer = new JsonlWriter(file, append ? {} : { truncate: true });
    this.written = append?.bytes ?? 0;
    this.count = append?.records ?? 0;
  }

  /** Where the log stands once flushed: its byte length and number of records (for a checkpoint). */
  position(): { readonly bytes: number; readonly records: number } {
    this.flush();
    return { bytes: this.written, records: this.count };
  }

  /** Flushes and asks the disk to persist the file (before a checkpoint refers to its length). */
  sync(): void {
    this.flush();
    this.writer.sync();
  }

  /**
   * Queues a record. It is turned into its line when the batch is written (flush), not here: the
   * training loop only hands over the record, and the JSON text, by far the larger cost of a
   * record, is made once per batch, at most every 0.25 s of the run or at its end. The record must
   * not change afterwards (the loop makes a new one for every logged step).
   */
  add(r: LogRecord): void {
    // (rows added before it go first)
    if (this.rows !== null && this.rowsWritten < this.rows.length) this.flush();
    this.pending.push(r);
    this.bytes += maxLineBytes(r);
    if (this.bytes >= this.maxBytes || r.elapsed - this.lastWrite >= this.maxSeconds) {
      this.flush();
      this.lastWrite = r.elapsed;
    }
  }

  /**
   * Logs the records of `rows` from now on: each addRow() queues its last row, like add() a
   * record. The rows it holds already are not logged.
   */
  attach(rows: RecordRows): void {
    this.flush();
    this.rows = rows;
    this.rowsWritten = rows.length;
  }

  /**
   * Queues the last row of the attached rows (call it right after each RecordRows.push). Its line
   * is made from the row when the batch is written; the row must not change.
   */
  addRow(): void {
    const rows = this.rows!;
    this.bytes += rows.lastBound;
    const elapsed = rows.lastElapsed;
    if (this.bytes >= this.maxBytes || elapsed - this.lastWrite >= this.maxSeconds) {
      this.flush();
      this.lastWrite = elapsed;
    }
  }

  flush(): void {
    const n = this.pending.length;
    const rows = this.rows;
    const to = rows === null ? 0 : rows.length;
    if (n === 0 && this.rowsWritten >= to) return;
    let text = '';
    for (let i = 0; i < n; i++) text += lineOf(this.pending[i]!);
    for (let i = this.rowsWritten; i < to; i++) text += rows!.line(i);
    this.written += this.writer.writeLines(text);
    this.count += n + (to - this.rowsWritten);
    this.rowsWritten = to;
    this.pending = [];
    this.bytes = 0;
  }

  close(): void {
    try {
      this.flush();
    } finally {
      this.writer.close();
    }
  }
}
