// The run's log writer: records batched, and turned into JSON, at whole-line writes at least every 0.25 s, so logging every step stays cheap.
import { JsonlWriter, toJsonLine, type LogRecord } from './runlog.js';

function allFinite(r: LogRecord): boolean {
  if (!Number.isFinite(r.loss)) return false;
  for (const k in r.metrics) {
    const v = r.metrics[k]!;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return false;
    } else {
      for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i]!)) return false;
    }
  }
  return true;
}

/** The record's line: plain JSON when all its numbers are finite, else NaN/Infinity as strings. */
function lineOf(r: LogRecord): string {
  // JSON.stringify without a replacer is twice as fast; the replacer is only needed for NaN/inf
  return allFinite(r) ? `${JSON.stringify(r)}\n` : toJsonLine(r);
}

/**
 * At least the UTF-8 byte length of lineOf(r), counted without writing it: a number takes at
 * most 24 characters ("-1.2345678901234567e-300"; "-Infinity" quoted 11), a character of a name
 * at most 6 (an escape).
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
 * Appends records to log.jsonl. Records are collected, and their lines made and written together
 * in one system call of whole lines, when they may reach 64 KiB (counted from above, without
 * making the lines) or when a record comes 0.25 s (of the run's own clock, its `elapsed`) after
 * the last write, and on flush(); so a killed process leaves whole lines only, missing at most the
 * last quarter second. A stopped, diverged or finished run flushes.
 */
export class LogBuffer {
  private pending: LogRecord[] = [];
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
    this.pending.push(r);
    this.bytes += maxLineBytes(r);
    if (this.bytes >= this.maxBytes || r.elapsed - this.lastWrite >= this.maxSeconds) {
      this.flush();
      this.lastWrite = r.elapsed;
    }
  }

  flush(): void {
    const n = this.pending.length;
    if (n === 0) return;
    let text = '';
    for (let i = 0; i < n; i++) text += lineOf(this.pending[i]!);
    this.written += this.writer.writeLines(text);
    this.count += n;
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
