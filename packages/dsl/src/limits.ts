// The DSL's resource limits that callers share: the cli reads them from here rather than keeping copies.
import { totalmem } from 'node:os';

/** The memory budget when none is given (--max-memory): half of this machine's memory. */
export function defaultMemoryBudget(): number {
  return Math.floor(totalmem() / 2);
}

/** The largest file `load` reads, in bytes (1 GiB), whatever the memory budget. */
export const MAX_LOAD_BYTES = 2 ** 30;
