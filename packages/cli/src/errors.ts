// The CLI's user-facing error: a one-paragraph message and an exit code, never a stack trace.
import { editDistance } from '@descent/dsl';

/**
 * Exit codes: 1 for a failed claim or check, 2 for bad input of any kind (flags, model, settings,
 * files), 3 for a diverged run, 70 for an internal error (EX_SOFTWARE); an interrupted run exits
 * 130 (SIGINT) or 143 (SIGTERM).
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, diverged: 3, internal: 70 } as const;

/** An error to print as is (one paragraph) and exit with `exitCode`. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
  ) {
    super(message);
  }
}

// edit distance (insertions, deletions, substitutions, adjacent swaps): the language's own
export { editDistance };

/**
 * The candidates closest to `word` (at most `max`), if any is close enough to be a likely typo:
 * distance ≤ max(1, ⌊len/3⌋), or `word` is a prefix of the candidate.
 * @example suggest('stpes', ['steps', 'seed']) // ['steps']
 */
export function suggest(word: string, candidates: Iterable<string>, max = 3): string[] {
  const limit = Math.max(1, Math.floor(word.length / 3));
  const scored: [string, number][] = [];
  for (const c of candidates) {
    const dist = editDistance(word.toLowerCase(), c.toLowerCase());
    if (dist <= limit || (word.length >= 2 && c.startsWith(word))) scored.push([c, dist]);
  }
  scored.sort((x, y) => x[1] - y[1] || x[0].localeCompare(y[0]));
  return scored.slice(0, max).map(([c]) => c);
}

/** " Did you mean --steps?" / " Did you mean --seed or --seeds?", or "" when nothing is close. */
export function didYouMean(options: readonly string[]): string {
  if (options.length === 0) return '';
  const list = options.length === 1 ? options[0]! : `${options.slice(0, -1).join(', ')} or ${options[options.length - 1]!}`;
  return ` Did you mean ${list}?`;
}
