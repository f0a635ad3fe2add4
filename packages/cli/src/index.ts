// @descent/cli as a library: the building blocks of the descent command.
export * from './args.js';
export * from './claims.js';
export * from './commands.js';
export * from './errors.js';
export * from './fit.js';
export * from './format.js';
export * from './optimizers/index.js';
export * from './plot/axes.js';
export * from './plot/palette.js';
export * from './plot/png.js';
export * from './plot/svg.js';
export * from './plot/terminal.js';
export * from './progress.js';
export * from './runlog.js';
export * from './sweep-plan.js';
