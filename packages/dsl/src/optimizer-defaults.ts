// The optimizers a .loss file (or --optimizer) can name, with their arguments in positional order and defaults.
import type { OptimizerSetting } from './lowered.js';

/**
 * The one table of optimizer arguments and defaults, used by the lowering (`optimizer adam(1e-3)`
 * fills the rest from here) and by the CLI (`--optimizer adam` on a file that says `gd(lr = 0.1)`).
 * Order matters: positional arguments are matched in this order.
 */
export const OPTIMIZER_DEFAULTS: Readonly<Record<OptimizerSetting['name'], readonly (readonly [string, number])[]>> = {
  gd: [['lr', 0.01]],
  momentum: [['lr', 0.01], ['beta', 0.9]],
  adam: [['lr', 0.001], ['beta1', 0.9], ['beta2', 0.999], ['eps', 1e-8]],
  flow: [['dt', 0.01]],
};
