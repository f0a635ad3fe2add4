// A sweep worker thread: receives entries one at a time, runs each into its folder, reports back.
import { parentPort, workerData } from 'node:worker_threads';
import { CliError } from './errors.js';
import { sharedStop } from './signals.js';
import type { PlannedRun } from './sweep-plan.js';
import { runEntry, type EntryResult, type SweepJob } from './sweep-run.js';

/** From the main thread: run this entry. */
export interface WorkerTask {
  readonly entry: PlannedRun;
}

/** To the main thread: a finished entry, or why it could not run. */
export type WorkerReply =
  | { readonly kind: 'done'; readonly result: EntryResult }
  | { readonly kind: 'error'; readonly index: number; readonly message: string; readonly exitCode: number; readonly internal: boolean };

interface WorkerData {
  readonly job: SweepJob;
  readonly stop: Int32Array;
}

if (parentPort) {
  const port = parentPort;
  const { job, stop } = workerData as WorkerData;
  const shouldStop = sharedStop(stop);
  port.on('message', (task: WorkerTask) => {
    runEntry(job, task.entry, shouldStop).then(
      (result) => port.postMessage({ kind: 'done', result } satisfies WorkerReply),
      (e: unknown) => {
        const internal = !(e instanceof CliError);
        const message = internal && e instanceof Error && process.env['DESCENT_DEBUG'] === '1' ? (e.stack ?? e.message) : e instanceof Error ? e.message : String(e);
        port.postMessage({ kind: 'error', index: task.entry.index, message, exitCode: e instanceof CliError ? e.exitCode : 70, internal } satisfies WorkerReply);
      },
    );
  });
}
