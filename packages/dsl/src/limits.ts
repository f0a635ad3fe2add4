// The DSL's resource limits that callers share: the cli reads them from here rather than keeping copies.
// (The default memory budget needs the machine's memory, so it lives with the Node host: host-node.ts.)

/** The largest file `load` reads, in bytes (1 GiB), whatever the memory budget. */
export const MAX_LOAD_BYTES = 2 ** 30;
