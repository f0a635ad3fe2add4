// The page's one global: uPlot, loaded by its own <script> tag before app.js (its IIFE build).
declare const uPlot: {
  new (options: object, data: unknown[], target: HTMLElement): any;
  join(tables: unknown[][], nullModes?: number[][]): unknown[];
};
