// Types of population.mjs (the score-matching population loss by quadrature), for the tests.
export declare function gaussHermite(n: number): { x: number[]; w: number[] };
export interface Grid {
  /** Trapezoid step along the axis between the nearest and the farthest mean (default 0.02). */
  readonly h?: number;
  /** Gauss–Hermite nodes on each transverse axis (default 10). */
  readonly k?: number;
}
export declare function populationLoss(mu: readonly (readonly number[])[], grid?: Grid): number;
export declare function populationStats(mu: readonly (readonly number[])[], grid?: Grid): { loss: number; far: number };
