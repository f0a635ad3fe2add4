// The Node host: `load` reads the local disk under the model's folder; the budget is half the machine's memory.
import { totalmem } from 'node:os';
import type { DslHost } from './host.js';
import { loadTensor } from './load-node.js';

export const nodeHost: DslHost = {
  load: loadTensor,
  defaultMemoryBytes: () => Math.floor(totalmem() / 2),
};
