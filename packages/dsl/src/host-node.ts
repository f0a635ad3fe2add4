// The Node host: `load` reads the local disk under the model's folder; the budget is half the machine's memory.
import { totalmem } from 'node:os';
import type { DslHost } from './host.js';
import { loadTensor } from './load-node.js';

/** The memory budget when none is given (--max-memory): half of this machine's memory. */
export function defaultMemoryBudget(): number {
  return Math.floor(totalmem() / 2);
}

export const nodeHost: DslHost = {
  load: loadTensor,
  defaultMemoryBytes: defaultMemoryBudget,
};
