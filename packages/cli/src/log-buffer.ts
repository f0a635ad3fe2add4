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

  constructor(
    file: string,
    private readonly maxBytes = 1 << 16,
    private readonly maxSeconds = 0.25,
  ) {
    this.writer = new JsonlWriter(file, { truncate: true });
  }

  add(r: LogRecord): void {
    // JSON.stringify without a replacer is twice as fast; the replacer is only needed for NaN/inf
    const line = allFinite(r) ? `${JSON.stringify(r)}\n` : toJsonLine(r);
    this.pending.push(line);
    this.bytes += line.length;
    if (this.bytes >= this.maxBytes || r.elapsed - this.lastWrite >= this.maxSeconds) {
      this.flush();
      this.lastWrite = r.elapsed;
    }
  }

  flush(): void {
    if (this.pending.length === 0) return;
    this.writer.writeLines(this.pending.join(''));
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
