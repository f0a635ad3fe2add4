// The training loop: evaluate, log on log-spaced steps, take optimizer steps, stop on divergence or request.
import type { BulkRandomState } from '@descent/autodiff';
import type { Program } from '@descent/dsl';
import { createOptimizer, type Optimizer, type OptimizerSpec, type OptimizerState } from '@descent/autodiff/optim';
import { firstNonFinite } from './finite.js';
import { METRICS_PROTO } from './log-buffer.js';
import { logSteps, type LogRecord } from './runlog.js';

/** Why a run ended. */
export type RunStatus = 'completed' | 'diverged' | 'interrupted';

/** Where a diverging run first went non-finite. */
export interface Divergence {
  readonly step: number;
  /** 'loss', 'gradient of w', or 'parameter w'. */
  readonly what: string;
  /** For a non-finite loss with finite parameters: the parameter of largest magnitude. */
  readonly detail?: string;
}

/** "the largest parameter is w (max |entry| 3.1e+80)": which parameter blew up the loss. */
function largestParam(program: Program): string | undefined {
  let best = -1;
  let name = '';
  program.paramInfo.forEach((p, k) => {
    const a = program.params[k]!;
    for (let i = 0; i < a.length; i++) {
      const v = Math.abs(a[i]!);
      if (v > best) {
        best = v;
        name = p.name;
      }
    }
  });
  return best < 0 ? undefined : `parameters still finite; the largest is ${name} (max |entry| ${best.toPrecision(3)})`;
}

/**
 * The whole state of a run at a step boundary: enough to continue it bit for bit. Taken after
 * step `step` was evaluated (and logged, if it is a logged step) and before its optimizer step,
 * so a run continued from it re-evaluates `step` on the same parameters and batch (without
 * logging it again) and goes on exactly as the original would have.
 */
export interface TrainCheckpoint {
  readonly step: number;
  /** Every parameter of the program (descended and updated), after `step` updates. */
  readonly params: readonly Float64Array[];
  readonly optimizer: OptimizerState;
  /** Fresh sampling: the sample stream after drawing step `step`'s batch, and that batch. */
  readonly sampling: { readonly state: BulkRandomState; readonly batch: readonly Float64Array[] } | null;
  /** Wall and compute seconds of the run up to here (a continued run counts on from them). */
  readonly seconds: number;
  readonly computeSeconds: number;
  /** 'periodic' (every `checkpointEvery` steps) or 'stop' (at a stop request). */
  readonly reason: 'periodic' | 'stop';
}

export interface TrainOptions {
  readonly program: Program;
  readonly optimizer: OptimizerSpec;
  /**
   * Optimizer arguments that are schedules of `step`: the values for the optimizer step taken at
   * `step` (a pure function of it, so a continued run recomputes them bit for bit).
   */
  readonly schedule?: (step: number) => Readonly<Record<string, number>>;
  readonly steps: number;
  /** Number of log-spaced records (always including the first and last step). */
  readonly logCount: number;
  /** Called for every logged step, in order, with a new record. */
  readonly onRecord?: (record: LogRecord) => void;
  /**
   * Called for every logged step, in order, like onRecord but without making a record: the step's
   * values, and its metrics as Program.metricViews() (views valid only during the call: copy
   * them, e.g. into RecordRows), or null for a record without metrics (the step after a
   * parameter went non-finite). The cheap way to log: no allocation in the loop.
   */
  readonly onRow?: (step: number, loss: number, elapsed: number, metrics: readonly Float64Array[] | null) => void;
  /** Called after every step (throttle in the callee). */
  readonly onStep?: (step: number, loss: number) => void;
  /** Polled every step: true stops the run cleanly (Ctrl-C). */
  readonly shouldStop?: () => boolean;
  /**
   * The loop hands control back to the event loop about this often (ms), so that signal handlers
   * can run and set what `shouldStop` reads. Default 50; Infinity never yields.
   */
  readonly yieldMs?: number;
  /** Continue from this checkpoint instead of starting at the initialization. */
  readonly resume?: TrainCheckpoint;
  /** Take a checkpoint every this many steps (0 or absent: only at a stop request). */
  readonly checkpointEvery?: number;
  /**
   * Receives each checkpoint, synchronously, before the optimizer step of its step. Its arrays
   * are the live buffers: serialize them before returning.
   */
  readonly onCheckpoint?: (checkpoint: TrainCheckpoint) => void;
}

export interface TrainResult {
  readonly status: RunStatus;
  /** The last step whose values were computed (the stop step of an interrupted run). */
  readonly step: number;
  readonly loss: number;
  readonly divergence?: Divergence;
  /** Parameter values at the end; for a diverged run, the last finite values. */
  readonly params: readonly Float64Array[];
  /** The step whose parameters `params` are (for a diverged run, that of the last finite ones). */
  readonly paramsStep: number;
  readonly seconds: number;
  /** Seconds spent inside evaluations and optimizer steps (the rest is logging and bookkeeping). */
  readonly computeSeconds: number;
  readonly optimizer: Optimizer;
}

/**
 * Builds a record's metrics object from the program's metric views: the values of
 * Program.metrics(), with the same names in the same order, copied out (scalars as numbers,
 * others as arrays).
 */
function metricsBuilder(program: Program): () => LogRecord['metrics'] {
  const names = program.metricInfo.map((m) => m.name);
  const scalar = program.metricInfo.map((m) => m.shape.length === 0);
  return () => {
    const views = program.metricViews();
    const values = Object.create(METRICS_PROTO) as Record<string, number | number[]>;
    for (let k = 0; k < names.length; k++) {
      const data = views[k]!;
      if (scalar[k]) {
        values[names[k]!] = data[0]!;
      } else {
        const a = new Array<number>(data.length);
        for (let i = 0; i < data.length; i++) a[i] = data[i]!;
        values[names[k]!] = a;
      }
    }
    return values;
  };
}

/** Lets pending events (signals, timers, messages) run. */
const yieldToEvents = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Runs gradient descent (or the chosen optimizer) on a program from its initial parameters,
 * without ever yielding (a signal cannot be seen until it returns; use trainAsync in the CLI).
 * Step s is logged with the loss and metrics at the parameters after s updates.
 */
export function train(options: TrainOptions): TrainResult {
  const loop = trainLoop({ ...options, yieldMs: Infinity });
  for (;;) {
    const r = loop.next();
    if (r.done) return r.value;
  }
}

/**
 * train, handing control to the event loop about every `yieldMs` (default 50 ms) so that SIGINT
 * handlers run and `shouldStop` can see them. The computation between yields is the same, so the
 * results are bit-identical to train's.
 */
export async function trainAsync(options: TrainOptions): Promise<TrainResult> {
  const loop = trainLoop(options);
  for (;;) {
    const r = loop.next();
    if (r.done) return r.value;
    await yieldToEvents();
  }
}

/** The loop itself: a generator that yields (to its driver) when it is time to let events run. */
function* trainLoop(options: TrainOptions): Generator<void, TrainResult, void> {
  const { program, steps } = options;
  const info = program.paramInfo;
  const descended = info.map((p, i) => (p.updated ? -1 : i)).filter((i) => i >= 0);
  const from = options.resume;
  program.initialize();
  if (from) {
    if (from.params.length !== program.params.length) throw new Error(`checkpoint has ${from.params.length} parameters, the program ${program.params.length}`);
    from.params.forEach((p, i) => {
      if (p.length !== program.params[i]!.length) throw new Error(`checkpoint parameter ${info[i]!.name} has ${p.length} values, the program ${program.params[i]!.length}`);
      program.params[i]!.set(p);
    });
    if (program.freshSampling !== (from.sampling !== null)) throw new Error('checkpoint and program disagree on fresh sampling');
    if (from.sampling) program.restoreSampleState(from.sampling.state, from.sampling.batch);
  }
  // the loop's own parameter arrays: the optimizer may ask for gradients at trial points, which
  // are copied into the program's buffers, so these stay untouched until it commits a step
  const live = descended.map((i) => Float64Array.from(program.params[i]!));
  const lastFinite = program.params.map((p) => Float64Array.from(p));
  let lastFiniteStep = from ? from.step : 0;
  const updateValues = program.paramInfo.filter((p) => p.updated).map((p) => new Float64Array(p.size));
  const optimizer = createOptimizer(options.optimizer, live.map((p) => p.length));
  if (from) optimizer.restore(from.optimizer);
  const logged = new Set(logSteps(steps, options.logCount));
  const metrics = metricsBuilder(program);
  const { onRecord, onRow } = options;
  // a continued run's clocks count on from the checkpoint's
  const start = performance.now() - (from ? from.seconds * 1000 : 0);
  let compute = from ? from.computeSeconds * 1000 : 0;
  const firstStep = from ? from.step : 0;
  const every = options.checkpointEvery ?? 0;
  const checkpoint = (at: number, reason: TrainCheckpoint['reason']): void => {
    options.onCheckpoint?.({
      step: at,
      params: program.params,
      optimizer: optimizer.state(),
      sampling: program.freshSampling ? { state: program.sampleState(), batch: program.currentBatch() } : null,
      seconds: (performance.now() - start) / 1000,
      computeSeconds: compute / 1000,
      reason,
    });
  };

  let cachedFor: readonly Float64Array[] | null = null;
  let cachedGrads: readonly Float64Array[] = [];
  const gradAt = (p: readonly Float64Array[], out: readonly Float64Array[]): void => {
    if (p === cachedFor) {
      cachedGrads.forEach((g, k) => out[k]!.set(g));
      cachedFor = null;
      return;
    }
    descended.forEach((i, k) => program.params[i]!.set(p[k]!));
    program.evaluate().grads.forEach((g, k) => out[k]!.set(g));
  };

  let status: RunStatus = 'completed';
  let divergence: Divergence | undefined;
  let loss = NaN;
  let step = firstStep;
  const yieldMs = options.yieldMs ?? 50;
  let lastYield = start;
  // the clock is read every `stride` steps, adapted so that reads happen about every yieldMs / 8
  let stride = 1;
  let sinceRead = 0;
  let lastRead = start;
  for (; step <= steps; step++) {
    if (yieldMs !== Infinity && ++sinceRead >= stride) {
      const now = performance.now();
      stride = Math.max(1, Math.min(1 << 16, Math.floor((sinceRead * yieldMs) / 8 / Math.max(now - lastRead, 1e-3))));
      sinceRead = 0;
      lastRead = now;
      if (now - lastYield >= yieldMs) {
        yield;
        lastYield = performance.now();
      }
    }
    const t0 = performance.now();
    descended.forEach((i, k) => program.params[i]!.set(live[k]!));
    // a continued run's first step has its batch from the checkpoint
    if (program.freshSampling && !(from && step === firstStep)) program.resample();
    program.setStep(step);
    const evaluation = program.evaluate();
    // this clock reading also dates the step's record (no second reading for it)
    const evaluated = performance.now();
    compute += evaluated - t0;
    loss = evaluation.objective;
    const badGrad = firstNonFinite(evaluation.grads);
    if (badGrad >= 0) {
      status = 'diverged';
      divergence = { step, what: `gradient of ${info[descended[badGrad]!]!.name}` };
    } else if (!Number.isFinite(loss)) {
      status = 'diverged';
      divergence = { step, what: 'loss', detail: largestParam(program) };
    }
    if (status === 'diverged' && firstNonFinite(program.params) < 0) {
      // the parameters that gave the non-finite loss or gradient are themselves finite: keep them
      program.params.forEach((p, i) => lastFinite[i]!.set(p));
      lastFiniteStep = step;
    }
    // (the first step of a continued run is in the log already)
    if ((logged.has(step) && !(from && step === firstStep)) || status === 'diverged') {
      const elapsed = (evaluated - start) / 1000;
      if (onRow) onRow(step, loss, elapsed, program.metricViews());
      if (onRecord) onRecord({ step, loss, metrics: metrics(), elapsed });
    }
    if (status === 'diverged' || step === steps) break;
    // a stop request ends the run here, at a step boundary: the parameters and loss of `step` are
    // the result, and the log holds only scheduled records (a resumed run continues it seamlessly)
    if (options.shouldStop?.()) {
      status = 'interrupted';
      checkpoint(step, 'stop');
      break;
    }
    if (every > 0 && step % every === 0 && step !== firstStep) checkpoint(step, 'periodic');
    program.params.forEach((p, i) => lastFinite[i]!.set(p));
    lastFiniteStep = step;
    const t1 = performance.now();
    evaluation.updates.forEach((u, k) => updateValues[k]!.set(u));
    cachedFor = live;
    cachedGrads = evaluation.grads;
    if (options.schedule) optimizer.setHyper(options.schedule(step));
    optimizer.step(live, gradAt);
    cachedFor = null;
    program.applyUpdates(updateValues);
    compute += performance.now() - t1;
    const badParam = firstNonFinite(live);
    if (badParam >= 0) {
      status = 'diverged';
      divergence = { step: step + 1, what: `parameter ${info[descended[badParam]!]!.name}` };
      const elapsed = (performance.now() - start) / 1000;
      if (onRow) onRow(step + 1, NaN, elapsed, null);
      if (onRecord) onRecord({ step: step + 1, loss: NaN, metrics: {}, elapsed });
      break;
    }
    options.onStep?.(step + 1, loss);
  }
  if (status !== 'diverged') descended.forEach((i, k) => program.params[i]!.set(live[k]!));
  return {
    status,
    step,
    loss,
    ...(divergence ? { divergence } : {}),
    params: status === 'diverged' ? lastFinite : program.params,
    paramsStep: status === 'diverged' ? lastFiniteStep : step,
    seconds: (performance.now() - start) / 1000,
    computeSeconds: compute / 1000,
    optimizer,
  };
}
