// The code blocks of LANGUAGE.md (the project's copy in test/fixtures/language), for tests that compile them.
import { fileURLToPath } from 'node:url';
import { languageMd } from '../fixtures/language.js';

export { languageMd };
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Every fenced block without a language tag, in order. */
export function languageExamples(): string[] {
  return [...languageMd.matchAll(/```\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** The whole programs among them (the claims block of section 6 is not one on its own). */
export function wholeExamples(): { name: string; source: string }[] {
  const names = ['relu-neuron', 'gradient-em', 'gradient-em-separated', 'score-matching', 'matrix-factorization'];
  return languageExamples()
    .filter((b) => /^\s*(loss|maximize)\b/m.test(b))
    .map((source, i) => ({ name: names[i] ?? `example-${i}`, source }));
}

/** The section-6 claims block. */
export function claimsExample(): string {
  return languageExamples().find((b) => !/^\s*(loss|maximize)\b/m.test(b) && /^claim /m.test(b))!;
}
