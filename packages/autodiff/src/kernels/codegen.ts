// Whether kernels are generated as JavaScript (`new Function`) or interpreted: detected once, at start.

/**
 * A strict Content-Security-Policy (`script-src 'self'` without 'unsafe-eval') makes
 * `new Function` throw; the kernels then run through kernels/interpret.ts with the same results.
 */
function probe(): boolean {
  try {
    return (new Function('return 2') as () => number)() === 2;
  } catch {
    return false;
  }
}

/** Whether this runtime lets the library build kernels with `new Function`. */
export const codegenAvailable: boolean = probe();

let mode: 'generated' | 'interpreted' = codegenAvailable ? 'generated' : 'interpreted';

/** How kernels of plans compiled from now on run: 'generated' JavaScript or 'interpreted'. */
export function kernelMode(): 'generated' | 'interpreted' {
  return mode;
}

/**
 * Chooses how kernels of plans compiled from now on run (plans already compiled keep theirs).
 * 'interpreted' is the fallback a strict CSP forces, offered here for tests and comparison;
 * 'generated' is refused where `new Function` is not allowed.
 */
export function setKernelMode(next: 'generated' | 'interpreted'): void {
  if (next === 'generated' && !codegenAvailable) {
    throw new Error("kernels cannot be generated here: this runtime forbids new Function (a Content-Security-Policy without 'unsafe-eval')");
  }
  mode = next;
}
