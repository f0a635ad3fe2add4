// The training loop of a batched sweep: every seed of one BatchedProgram stepped together, each reported as its own run.
import type { BatchedProgram, Program } from '@descent/dsl';
import { createOptimizer, decodeF64, encodeF64, type Optimizer, type OptimizerSpec, type OptimizerState } from '@descent/autodiff/optim';
import { allFinite, firstNonFinite } from './finite.js';
import { logSteps } from './runlog.js';
import type { Divergence, RunStatus, TrainOptions, TrainResult } from './train.js';

/** Optimizers that update every value from its own gradient and state alone: run over the stacked seeds, each seed's values move as in its own run. */
export const ELEMENTWISE_OPTIMIZERS: ReadonlySet<OptimizerSpec['kind']> = new Set(['gd', 'momentum', 'adam']);

/** Steps between two looks at the clock (to yield to events every 50 ms or so). */
const YIELD_CHECK = 16;

/** Lets pending events (signals, timers, messages) run. */
const yieldToEvents = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Whether every value of every array of `arrays` is finite. */
function everyFinite(arrays: readonly Float64Array[]): boolean {
  for (let k = 0; k < arrays.length; k++) if (!allFinite(arrays[k]!)) return false;
  return true;
}

/** One seed's part of a batch: the options its run passed, and where its result goes. */
interface Seat {
  readonly options: TrainOptions;
  readonly resolve: (r: TrainResult) => void;
  readonly reject: (e: unknown) => void;
  /** Views of the seed's rows in the batch's parameter, gradient and metric buffers. */
  readonly params: Float64Array[];
  readonly grads: Float64Array[];
  readonly metrics: Float64Array[];
  readonly lastFinite: Float64Array[];
  lastFiniteStep: number;
  done: boolean;
}

/**
 * Trains the seeds of `batched` in lock step. Each seed's run (executeRun) hands its TrainOptions
 * to `trainerFor(s)` as it would to trainAsync; `run()` then trains every seed that did, calls
 * each seed's callbacks with its own values, and resolves each seed's result when the seed ends:
 * a diverging seed ends alone, at the step it diverges, as in its own run; the others go on. The
 * step, the log steps and a stop request are shared (every seed gets the same `steps` and log count).
 */
export class BatchTrainer {
  private readonly seats: (Seat | undefined)[];

  constructor(
    private readonly batched: BatchedProgram,
    /** Each seed's own program: its final parameters are written there. */
    private readonly programs: readonly Program[],
    private readonly spec: OptimizerSpec,
  ) {
    this.seats = programs.map(() => undefined);
  }

  /** Seed `s`'s trainer, to pass as executeRun's `trainer`. */
  trainerFor(s: number): (options: TrainOptions) => Promise<TrainResult> {
    return (options) => new Promise<TrainResult>((resolve, reject) => {
      if (options.resume) {
        reject(new Error('a batched sweep does not resume runs'));
        return;
      }
      this.seats[s] = {
        options, resolve, reject,
        params: this.batched.paramViews(s),
        grads: this.batched.gradViews(s),
        metrics: this.batched.metricViews(s),
        lastFinite: this.programs[s]!.params.map((p) => new Float64Array(p.length)),
        lastFiniteStep: 0,
        done: false,
      };
    });
  }

  /** Trains every seed whose run has asked (see trainerFor); resolves when all have ended. */
  async run(): Promise<void> {
    const seats = this.seats.flatMap((seat, s) => (seat ? [{ seat, s }] : []));
    if (seats.length === 0) return;
    try {
      await this.loop(seats);
    } catch (e) {
      for (const { seat } of seats) if (!seat.done) seat.reject(e);
    }
  }

  private async loop(seats: readonly { seat: Seat; s: number }[]): Promise<void> {
    const b = this.batched;
    const first = seats[0]!.seat.options;
    const steps = first.steps;
    const schedule = first.schedule;
    const info = b.paramInfo;
    const sizes = info.map((p) => p.size);
    const optimizer = createOptimizer(this.spec, sizes.map((n) => n * b.size));
    const logged = new Set(logSteps(steps, first.logCount));
    const every = first.checkpointEvery ?? 0;
    b.initialize();
    // every seed's parameters before the last optimizer step (the last finite ones of a seed that then diverges)
    const before = b.params.map((p) => new Float64Array(p.length));
    const beforeRows = seats.map(({ s }) => info.map((p, i) => before[i]!.subarray(s * p.size, (s + 1) * p.size)));
    const params = b.params;
    const start = performance.now();
    let compute = 0;
    let lastYield = start;
    let active = seats.length;
    const finish = (k: number, status: RunStatus, step: number, loss: number, divergence?: Divergence): void => {
      const { seat, s } = seats[k]!;
      seat.done = true;
      active--;
      const own = this.programs[s]!;
      (status === 'diverged' ? seat.lastFinite : seat.params).forEach((p, i) => own.params[i]!.set(p));
      seat.resolve({
        status, step, loss, ...(divergence ? { divergence } : {}),
        params: own.params,
        paramsStep: status === 'diverged' ? seat.lastFiniteStep : step,
        seconds: (performance.now() - start) / 1000,
        // the batch's compute time, shared equally by its seeds
        computeSeconds: compute / 1000 / seats.length,
        optimizer: this.seedOptimizer(optimizer, sizes, s),
      });
    };
    const grads = b.grads;
    const gradAt = (_p: readonly Float64Array[], out: readonly Float64Array[]): void => {
      for (let k = 0; k < out.length; k++) out[k]!.set(grads[k]!);
    };
    // The clock is read every YIELD_CHECK steps and around the per-seed work of the steps that
    // have any (logged, stopping, checkpointing, diverging): compute is the loop's time less that
    // work and the yields.
    let notCompute = 0;
    for (let step = 0; step <= steps && active > 0; step++) {
      if (step % YIELD_CHECK === 0) {
        const now = performance.now();
        if (now - lastYield >= 50) {
          await yieldToEvents();
          lastYield = performance.now();
          notCompute += lastYield - now;
        }
      }
      b.setStep(step);
      b.evaluate();
      const isLogged = logged.has(step);
      const stopping = step < steps && first.shouldStop?.() === true;
      const checkpointing = every > 0 && step % every === 0 && step !== 0;
      // the common step: every seed running, every value finite, nothing to log: no per-seed work
      const quiet = active === seats.length && !isLogged && !stopping && !checkpointing && step < steps
        && allFinite(b.objective) && everyFinite(grads);
      if (!quiet) {
        const evaluated = performance.now();
        compute = evaluated - start - notCompute;
        const elapsed = (evaluated - start) / 1000;
        let metricsRun = false;
        seats.forEach(({ seat, s }, k) => {
          if (seat.done) return;
          const loss = b.objective[s]!;
          const badGrad = firstNonFinite(seat.grads);
          let divergence: Divergence | undefined;
          if (badGrad >= 0) divergence = { step, what: `gradient of ${info[badGrad]!.name}` };
          else if (!Number.isFinite(loss)) divergence = { step, what: 'loss', detail: largestParam(info.map((p) => p.name), seat.params) };
          if (divergence && firstNonFinite(seat.params) < 0) {
            seat.params.forEach((p, i) => seat.lastFinite[i]!.set(p));
            seat.lastFiniteStep = step;
          }
          if (isLogged || divergence) {
            if (!metricsRun) {
              b.computeMetrics();
              metricsRun = true;
            }
            seat.options.onRow?.(step, loss, elapsed, seat.metrics);
          }
          if (divergence) finish(k, 'diverged', step, loss, divergence);
          else if (step === steps) finish(k, 'completed', step, loss);
          else if (stopping) {
            this.checkpoint(seat, s, step, 'stop', optimizer, sizes, start, compute / seats.length);
            finish(k, 'interrupted', step, loss);
          } else {
            if (checkpointing) this.checkpoint(seat, s, step, 'periodic', optimizer, sizes, start, compute / seats.length);
            seat.options.onStep?.(step, loss);
          }
        });
        notCompute += performance.now() - evaluated;
      }
      if (active === 0 || step === steps) break;
      for (let i = 0; i < params.length; i++) before[i]!.set(params[i]!);
      if (schedule) optimizer.setHyper(schedule(step));
      optimizer.step(params, gradAt);
      if (everyFinite(params)) continue;
      compute = performance.now() - start - notCompute;
      seats.forEach(({ seat, s }, k) => {
        if (seat.done) return;
        const bad = firstNonFinite(seat.params);
        if (bad < 0) return;
        beforeRows[k]!.forEach((p, i) => seat.lastFinite[i]!.set(p));
        seat.lastFiniteStep = step;
        seat.options.onRow?.(step + 1, NaN, (performance.now() - start) / 1000, null);
        finish(k, 'diverged', step, b.objective[s]!, { step: step + 1, what: `parameter ${info[bad]!.name}` });
      });
    }
  }

  /** Seed `k`'s share of the stacked optimizer's state: its rows of every buffer. */
  private seedState(optimizer: Optimizer, sizes: readonly number[], k: number): OptimizerState {
    const state = optimizer.state();
    const buffers: Record<string, string[]> = {};
    for (const [name, list] of Object.entries(state.buffers)) {
      buffers[name] = list.map((b64, i) => encodeF64(decodeF64(b64).subarray(k * sizes[i]!, (k + 1) * sizes[i]!)));
    }
    return { ...state, sizes: [...sizes], buffers };
  }

  /** An optimizer of seed `k` alone, in the state its share of the batch is in. */
  private seedOptimizer(optimizer: Optimizer, sizes: readonly number[], s: number): Optimizer {
    const own = createOptimizer(this.spec, sizes);
    own.restore(this.seedState(optimizer, sizes, s));
    return own;
  }

  /** A checkpoint of one seed, as its own run would write it. */
  private checkpoint(seat: Seat, s: number, step: number, reason: 'periodic' | 'stop', optimizer: Optimizer, sizes: readonly number[], start: number, compute: number): void {
    seat.options.onCheckpoint?.({
      step,
      params: seat.params,
      optimizer: this.seedState(optimizer, sizes, s),
      sampling: null,
      seconds: (performance.now() - start) / 1000,
      computeSeconds: compute / 1000,
      reason,
    });
  }
}

/** "parameters still finite; the largest is w (max |entry| 3.1e+80)", as train.ts says it. */
function largestParam(names: readonly string[], params: readonly Float64Array[]): string | undefined {
  let best = -1;
  let name = '';
  params.forEach((a, k) => {
    for (let i = 0; i < a.length; i++) {
      const v = Math.abs(a[i]!);
      if (v > best) {
        best = v;
        name = names[k]!;
      }
    }
  });
  return best < 0 ? undefined : `parameters still finite; the largest is ${name} (max |entry| ${best.toPrecision(3)})`;
}
