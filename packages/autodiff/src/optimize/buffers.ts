// Liveness-based buffer assignment: a step's output takes a buffer no longer needed by any later
// step, so a plan holds about as much memory as its widest point instead of one buffer per node.

/** One kernel launch as the allocator sees it: the buffer owners it reads and the one it writes. */
export interface BufferStep {
  readonly reads: readonly number[];
  readonly writes: number;
  readonly size: number;
}

/**
 * Assigns a Float64Array to the output of every step. Owners in `pinned` (plan outputs) keep
 * their own buffer. Another owner's buffer returns to the pool after its last reader has run,
 * never before the reader's own output is assigned, so a kernel never writes a buffer it reads.
 * A recycled buffer may be longer than needed: the step then gets a view of its first elements.
 */
export function assignBuffers(
  steps: readonly BufferStep[],
  pinned: ReadonlySet<number>,
  allocate: (n: number) => Float64Array,
  reuse = true,
): Map<number, Float64Array> {
  const lastRead = new Map<number, number>();
  steps.forEach((s, k) => {
    for (const r of s.reads) lastRead.set(r, k);
  });
  const out = new Map<number, Float64Array>();
  const whole = new Map<number, Float64Array>(); // owner -> the full pooled buffer behind its view
  const pool: Float64Array[] = [];
  const release = (owner: number): void => {
    const b = whole.get(owner);
    if (b !== undefined) pool.push(b);
  };
  steps.forEach((s, k) => {
    let buf: Float64Array | undefined;
    if (reuse && !pinned.has(s.writes)) {
      // best fit among free buffers at least as long, and at most twice as long (or 64 more); of
      // equal fits the one released last, whose lines are likeliest still in cache
      let best = -1;
      for (let i = 0; i < pool.length; i++) {
        const len = pool[i]!.length;
        if (len >= s.size && len <= Math.max(2 * s.size, s.size + 64) && (best < 0 || len <= pool[best]!.length)) best = i;
      }
      if (best >= 0) {
        buf = pool[best]!;
        pool.splice(best, 1);
      }
    }
    buf ??= allocate(s.size);
    if (!pinned.has(s.writes)) whole.set(s.writes, buf);
    out.set(s.writes, buf.length === s.size ? buf : buf.subarray(0, s.size));
    if (!reuse) return;
    for (const r of new Set(s.reads)) if (lastRead.get(r) === k && !pinned.has(r)) release(r);
    // an output nobody reads (kept for a side table) is free at once
    if (!lastRead.has(s.writes) && !pinned.has(s.writes)) release(s.writes);
  });
  return out;
}
