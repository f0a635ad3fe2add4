// `pnpm bench`: every benchmark section, printed as numbers beside hand-written references.
import { benchAutodiff } from './autodiff.mjs';
import { benchDsl } from './dsl.mjs';
import { benchCli } from './cli.mjs';
import { benchCurvature } from './curvature.mjs';
import { benchCompileCost } from './compile-cost.mjs';
import { benchExamples } from './examples.mjs';
import { benchVmap } from './vmap.mjs';
import { benchRandom } from './random.mjs';
import { benchSweep } from './sweep.mjs';

console.log(`descent benchmarks — node ${process.version}, ${new Date().toISOString()}`);
benchAutodiff();
benchDsl();
benchCurvature();
benchCompileCost();
await benchExamples();
benchVmap();
benchRandom();
benchSweep({ seeds: 8, steps: 2000 });
await benchCli();
