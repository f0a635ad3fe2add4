// The run's log writer: records batched into whole-line writes at least every 0.25 s, so logging every step stays cheap.
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

/**
 * Appends records to log.jsonl. Lines are collected and written together, in one system call of
 * whole lines, when 64 KiB have gathered or when a record comes 0.25 s (of the run's own clock,
 * its `elapsed`) after the last write, and on flush(); so a killed process leaves whole lines
 * only, missing at most the last quarter second. A stopped, diverged or finished run flushes.
 */
export class LogBuffer {
  private pending: string[] = [];
  private bytes = 0;
  private lastWrite = -Infinity;
  private readonly writer: JsonlWriter;
  /** Bytes in the file after the last flush (its length: every write appends whole lines). */
  private written: number;
  /** Records in the file after the last flush. */
  private count: number;
  private pendingCount = 0;

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

  add(r: LogRecord): void {
    // JSON.stringify without a replacer is twice as fast; the replacer is only needed for NaN/inf
    const line = allFinite(r) ? `${JSON.stringify(r)}\n` : toJsonLine(r);
    this.pending.push(line);
    this.pendingCount++;
    this.bytes += line.length;
    if (this.bytes >= this.maxBytes || r.elapsed - this.lastWrite >= this.maxSeconds) {
      this.flush();
      this.lastWrite = r.elapsed;
    }
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.writer.writeLines(text);
    this.written += Buffer.byteLength(text, 'utf8');
    this.count += this.pendingCount;
    this.pending = [];
    this.pendingCount = 0;
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
