// The one table of optimizers: names, arguments in positional order, defaults and valid ranges.
import { OptimizerError, type OptimizerKind, type OptimizerSpec } from './types.js';

/** One argument of an optimizer: its default and the range it must lie in. */
export interface OptimizerArg {
  readonly name: string;
  readonly default: number;
  readonly valid: (x: number) => boolean;
  /** The range in words, for messages: "positive", "in [0, 1)". */
  readonly want: string;
}

export interface OptimizerEntry {
  readonly kind: OptimizerKind;
  /** What it does, one line (for help texts). */
  readonly summary: string;
  /** Arguments in positional order: `adam(1e-3, 0.9)` sets lr and beta1. */
  readonly args: readonly OptimizerArg[];
  /** The step-size argument, which `--lr` sets: lr, or dt for gradient flow. */
  readonly rate: string;
}

const positive = { valid: (x: number) => x > 0, want: 'positive' } as const;
const nonNegative = { valid: (x: number) => x >= 0, want: 'non-negative' } as const;
const decay = { valid: (x: number) => x >= 0 && x < 1, want: 'in [0, 1)' } as const;

/**
 * Every optimizer, for the library constructors, the `.loss` checker and lowering (`optimizer
 * adam(1e-3)` fills the rest from here) and the CLI (`--optimizer`, `--lr`, `--set beta=…`).
 */
export const OPTIMIZERS: { readonly [K in OptimizerKind]: OptimizerEntry } = {
  gd: { kind: 'gd', summary: 'gradient descent', rate: 'lr', args: [{ name: 'lr', default: 0.01, ...positive }] },
  momentum: {
    kind: 'momentum',
    summary: 'heavy-ball momentum',
    rate: 'lr',
    args: [{ name: 'lr', default: 0.01, ...positive }, { name: 'beta', default: 0.9, ...decay }],
  },
  adam: {
    kind: 'adam',
    summary: 'Adam with bias correction',
    rate: 'lr',
    args: [
      { name: 'lr', default: 0.001, ...positive },
      { name: 'beta1', default: 0.9, ...decay },
      { name: 'beta2', default: 0.999, ...decay },
      { name: 'eps', default: 1e-8, ...nonNegative },
    ],
  },
  flow: { kind: 'flow', summary: 'gradient flow (adaptive Dormand–Prince)', rate: 'dt', args: [{ name: 'dt', default: 0.01, ...positive }] },
};

/** Tolerances of gradient flow's error control: options of the library, not of `.loss` files. */
export const FLOW_TOLERANCES = { rtol: 1e-9, atol: 1e-12 } as const;

/** The optimizer names in table order: gd, momentum, adam, flow. */
export const OPTIMIZER_KINDS = Object.keys(OPTIMIZERS) as OptimizerKind[];

/** "gd, momentum, adam or flow", for messages. */
export function optimizerList(): string {
  return `${OPTIMIZER_KINDS.slice(0, -1).join(', ')} or ${OPTIMIZER_KINDS[OPTIMIZER_KINDS.length - 1]}`;
}

export function isOptimizerKind(name: string): name is OptimizerKind {
  return Object.prototype.hasOwnProperty.call(OPTIMIZERS, name);
}

/** Throws unless `x` is a finite number in the range the table gives for this argument. */
export function requireArg(kind: OptimizerKind, name: string, x: number, label = name): void {
  const arg = OPTIMIZERS[kind].args.find((a) => a.name === name);
  const ok = arg ? arg.valid : positive.valid;
  const want = arg ? arg.want : positive.want;
  if (!Number.isFinite(x) || !ok(x)) throw new OptimizerError(`${kind}: ${label} must be ${want}, got ${x}`);
}

/**
 * The spec of optimizer `kind` from named arguments; missing ones take the table's defaults.
 * Unknown argument names and out-of-range values are errors naming them.
 */
export function optimizerSpec(kind: OptimizerKind, args: Readonly<Record<string, number>> = {}): OptimizerSpec {
  const entry = OPTIMIZERS[kind];
  const extra = kind === 'flow' ? Object.keys(FLOW_TOLERANCES) : [];
  for (const k of Object.keys(args)) {
    if (!entry.args.some((a) => a.name === k) && !extra.includes(k)) {
      throw new OptimizerError(`${kind}: no argument ${k}; it takes ${[...entry.args.map((a) => a.name), ...extra].join(', ')}`);
    }
  }
  const v = (name: string): number => {
    const x = args[name] ?? entry.args.find((a) => a.name === name)!.default;
    requireArg(kind, name, x);
    return x;
  };
  switch (kind) {
    case 'gd':
      return { kind, lr: v('lr') };
    case 'momentum':
      return { kind, lr: v('lr'), beta: v('beta') };
    case 'adam':
      return { kind, lr: v('lr'), beta1: v('beta1'), beta2: v('beta2'), eps: v('eps') };
    case 'flow':
      return {
        kind,
        dt: v('dt'),
        ...(args['rtol'] !== undefined ? { rtol: args['rtol'] } : {}),
        ...(args['atol'] !== undefined ? { atol: args['atol'] } : {}),
      };
  }
}
