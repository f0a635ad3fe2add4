// The optimizers a .loss file (or --optimizer) can name: @descent/autodiff/optim's one table, as (name, default) pairs.
import { OPTIMIZERS, type OptimizerKind } from '@descent/autodiff/optim';

/**
 * Each optimizer's arguments in positional order with their defaults, read from the library's
 * optimizer table: the lowering fills `optimizer adam(1e-3)`'s other arguments from here, and the
 * CLI uses it for `--optimizer adam` on a file that says `gd(lr = 0.1)`.
 */
const pairs = (kind: OptimizerKind): readonly (readonly [string, number])[] => OPTIMIZERS[kind].args.map((a) => [a.name, a.default] as const);

export const OPTIMIZER_DEFAULTS: Readonly<Record<OptimizerKind, readonly (readonly [string, number])[]>> = {
  gd: pairs('gd'),
  momentum: pairs('momentum'),
  adam: pairs('adam'),
  flow: pairs('flow'),
};
