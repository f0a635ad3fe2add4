// Derivative rules of the primitives that mark where gradients start and stop.
import type { RulesOf } from '../derivative.js';
import type { gradientPrimitives } from '../primitives/gradient.js';

export const gradientRules: RulesOf<typeof gradientPrimitives> = {
  identity: (g) => [g],
  // stop(e) has no derivative by definition
  stopGradient: () => [null],
};
