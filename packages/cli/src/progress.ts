// Progress while a run trains: one updating line on a TTY, periodic plain lines otherwise, on stderr.
import { fmt, fmtDuration } from './format.js';

/** Where progress goes: process.stderr, or anything with the same write/isTTY/columns. */
export interface ProgressStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressOptions {
  /** Steps in the run (for the percentage and the ETA). */
  readonly total: number;
  /** Default process.stderr. */
  readonly stream?: ProgressStream;
  /** `--quiet`: print nothing at all. */
  readonly quiet?: boolean;
  /** Overrides the stream's isTTY (tests; `--progress=plain`). */
  readonly tty?: boolean;
  /** Minimum time between redraws of the TTY line. Default 100 ms (~10 Hz). */
  readonly ttyIntervalMs?: number;
  /** Time between plain lines. Default 10 s. */
  readonly plainIntervalMs?: number;
  /** Monotonic clock in milliseconds; default performance.now. */
  readonly now?: () => number;
  /** Printed before the numbers, e.g. the model name. */
  readonly label?: string;
}

/** The numbers a progress line shows. */
export interface ProgressSnapshot {
  readonly step: number;
  readonly total: number;
  readonly loss: number;
  readonly stepsPerSecond: number;
  /** Seconds left at the current average speed (NaN before any step). */
  readonly eta: number;
  readonly elapsed: number;
}

const CLEAR_LINE = '\r\x1b[K';
/** Clock reads per redraw interval: the clock is read every `stride` updates, adapted to the speed. */
const READS_PER_INTERVAL = 10;

/** Digits grouped by thousands: 100000 → "100,000". */
function grouped(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** "step 12,345/100,000  12%  loss 3.21e-5  8,431 steps/s  ETA 10.4 s". */
export function progressLine(s: ProgressSnapshot, label?: string): string {
  const pct = s.total > 0 ? Math.floor((100 * s.step) / s.total) : 100;
  const parts = [
    `${label ? `${label}  ` : ''}step ${grouped(s.step)}/${grouped(s.total)}`,
    `${pct}%`,
    `loss ${fmt(s.loss)}`,
    Number.isFinite(s.stepsPerSecond) && s.stepsPerSecond > 0 ? `${grouped(s.stepsPerSecond)} steps/s` : '– steps/s',
    `ETA ${Number.isFinite(s.eta) ? fmtDuration(s.eta) : '?'}`,
  ];
  return parts.join('  ');
}

/** A bar of `width` cells for the fraction done, in eighths: "███▍      ". */
export function progressBar(fraction: number, width: number): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const eighths = Math.round(f * width * 8);
  const full = Math.floor(eighths / 8);
  const part = eighths % 8;
  const partial = part > 0 ? String.fromCharCode(0x2590 - part) : '';
  return `${'█'.repeat(full)}${partial}`.padEnd(width, ' ');
}

/**
 * Reports training progress. Call `update(step, loss)` as often as every step: it returns
 * immediately unless a redraw is due. `finish` ends the TTY line. Nothing is written when quiet.
 * @example
 *   const p = new Progress({ total: 1e5 }); for (…) p.update(t, loss); p.finish(1e5, loss);
 */
export class Progress {
  private readonly stream: ProgressStream;
  private readonly tty: boolean;
  private readonly quiet: boolean;
  private readonly interval: number;
  private readonly now: () => number;
  private readonly start: number;
  private firstStep = NaN;
  private lastDraw: number;
  private sinceRead = 0;
  private stride = 1;
  private lastRead: number;
  private lineShown = false;

  constructor(private readonly options: ProgressOptions) {
    this.stream = options.stream ?? process.stderr;
    this.tty = options.tty ?? this.stream.isTTY === true;
    this.quiet = options.quiet ?? false;
    this.interval = this.tty ? (options.ttyIntervalMs ?? 100) : (options.plainIntervalMs ?? 10_000);
    this.now = options.now ?? (() => performance.now());
    this.start = this.now();
    this.lastDraw = this.start;
    this.lastRead = this.start;
  }

  /** The numbers at `step` (speed averaged since the first update, so a resumed run counts its own steps). */
  snapshot(step: number, loss: number): ProgressSnapshot {
    const elapsed = (this.now() - this.start) / 1000;
    const done = Number.isNaN(this.firstStep) ? 0 : step - this.firstStep;
    const rate = elapsed > 0 && done > 0 ? done / elapsed : NaN;
    const eta = rate > 0 ? (this.options.total - step) / rate : NaN;
    return { step, total: this.options.total, loss, stepsPerSecond: rate, eta, elapsed };
  }

  update(step: number, loss: number): void {
    if (this.quiet) return;
    if (Number.isNaN(this.firstStep)) this.firstStep = step;
    // Reading the clock costs ~30 ns; at a million steps/s that would matter, so it is read only
    // about READS_PER_INTERVAL times per redraw interval, whatever the speed.
    if (++this.sinceRead < this.stride && step !== this.options.total) return;
    const t = this.now();
    const perMs = this.sinceRead / Math.max(t - this.lastRead, 1e-3);
    this.stride = Math.max(1, Math.min(1 << 16, Math.floor((perMs * this.interval) / READS_PER_INTERVAL)));
    this.sinceRead = 0;
    this.lastRead = t;
    if (t - this.lastDraw < this.interval) return;
    this.lastDraw = t;
    this.draw(step, loss);
  }

  /** Prints a message on its own line without garbling the TTY line (which is redrawn next update). */
  message(text: string): void {
    if (this.quiet) return;
    this.clear();
    this.stream.write(`${text}\n`);
  }

  /** Ends the display: the final line stays on a TTY; a last plain line otherwise. */
  finish(step: number, loss: number): void {
    if (this.quiet) return;
    const line = progressLine(this.snapshot(step, loss), this.options.label);
    this.stream.write(this.tty ? `${CLEAR_LINE}${this.fit(line)}\n` : `${line}\n`);
    this.lineShown = false;
  }

  /** Removes the TTY line (before an error message, or on Ctrl-C). */
  clear(): void {
    if (this.tty && this.lineShown) this.stream.write(CLEAR_LINE);
    this.lineShown = false;
  }

  private draw(step: number, loss: number): void {
    const snap = this.snapshot(step, loss);
    const line = progressLine(snap, this.options.label);
    if (this.tty) {
      const bar = progressBar(step / this.options.total, 20);
      this.stream.write(`${CLEAR_LINE}${this.fit(`${bar} ${line}`)}`);
      this.lineShown = true;
    } else {
      this.stream.write(`${line}\n`);
    }
  }

  /** Cuts a line to the terminal width, so it never wraps (a wrapped line cannot be redrawn with \r). */
  private fit(line: string): string {
    const cols = this.stream.columns;
    return cols && cols > 1 && [...line].length >= cols ? [...line].slice(0, cols - 1).join('') : line;
  }
}
