// Loading the project's WebAssembly kernels: the few JS-API types used, and synchronous instantiation.

/** A module's linear memory. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

// The project's lib has no DOM and @types/node does not declare WebAssembly: these are the parts used.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
};

/**
 * Instantiates a module given as base64 (the bytes the build assembled from a .wat file), or
 * returns null where WebAssembly or its SIMD instructions are unavailable: callers keep JS kernels.
 */
export function instantiate(base64: string, imports: object = {}): Record<string, unknown> | null {
  try {
    if (typeof WebAssembly !== 'object') return null;
    const bin = atob(base64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new WebAssembly.Instance(new WebAssembly.Module(bytes), imports).exports;
  } catch {
    return null;
  }
}
