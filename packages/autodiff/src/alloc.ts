// Every Float64Array the library creates for tensor values goes through here, so tests can count them.

let buffers = 0;
let elements = 0;

/** A new zero-filled Float64Array of `n` elements, counted. */
export function allocate(n: number): Float64Array {
  buffers++;
  elements += n;
  return new Float64Array(n);
}

/** How many buffers (and elements) the library has allocated so far in this process. */
export function allocationCount(): { buffers: number; elements: number } {
  return { buffers, elements };
}
