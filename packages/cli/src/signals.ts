// Ctrl-C and SIGTERM (and Slurm's SIGUSR1): a stop request that running loops (and sweep workers) see at the next step.

/** SIGUSR1 is what a Slurm task is sent before its time limit (`--signal=B:USR1@60`). */
export type StopSignalName = 'SIGINT' | 'SIGTERM' | 'SIGUSR1';

/** The shell convention: 128 + signal number. */
export const SIGNAL_EXIT: Readonly<Record<StopSignalName, number>> = { SIGINT: 130, SIGTERM: 143, SIGUSR1: 138 };

/**
 * Listens for SIGINT and SIGTERM while installed. The first one sets a flag in shared memory, so
 * loops in this thread and in worker threads (given `shared`) stop at their next step boundary
 * and write what they have; a second one exits at once (the log is still whole: it is written
 * one line per system call).
 */
export class StopRequest {
  /** 0 while running; 1 once a stop was asked for. Shareable with worker threads. */
  readonly shared = new Int32Array(new SharedArrayBuffer(4));
  signal: StopSignalName | null = null;
  private readonly handlers = new Map<StopSignalName, () => void>();

  constructor(private readonly onFirst?: (signal: StopSignalName) => void) {}

  /** Listens for `signals`; SIGUSR1 only where asked (it would replace Node's own use of it, the inspector). */
  install(signals: readonly StopSignalName[] = ['SIGINT', 'SIGTERM']): this {
    for (const sig of signals) {
      const h = (): void => {
        // a repeated SIGUSR1 (Slurm may send it again) is not a person insisting: the stop is under way
        if (sig === 'SIGUSR1' && this.signal !== null) return;
        if (this.signal !== null) process.exit(SIGNAL_EXIT[this.signal]);
        this.signal = sig;
        Atomics.store(this.shared, 0, 1);
        this.onFirst?.(sig);
      };
      this.handlers.set(sig, h);
      process.on(sig, h);
    }
    return this;
  }

  dispose(): void {
    for (const [sig, h] of this.handlers) process.off(sig, h);
    // a late SIGUSR1 must not open Node's inspector (its default action) while the process ends
    if (this.handlers.has('SIGUSR1') && process.listenerCount('SIGUSR1') === 0) process.on('SIGUSR1', ignore);
    this.handlers.clear();
  }

  /** For train's shouldStop. */
  readonly requested = (): boolean => Atomics.load(this.shared, 0) !== 0;

  /** The exit code of the stop (130 or 143), or undefined when none was asked for. */
  exitCode(): number | undefined {
    return this.signal ? SIGNAL_EXIT[this.signal] : undefined;
  }
}

function ignore(): void {}

/** A stop check reading a flag shared by the main thread (in a sweep worker). */
export function sharedStop(shared: Int32Array): () => boolean {
  return () => Atomics.load(shared, 0) !== 0;
}
