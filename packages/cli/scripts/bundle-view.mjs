// Build step: the viewer page (packages/cli/view) and the uPlot files it draws with, copied into
// dist/view/static, so `descent view` serves everything itself and the page needs no network.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('..', import.meta.url));
const out = path.join(cli, 'dist', 'view', 'static');
const uplotDist = path.dirname(createRequire(path.join(cli, 'package.json')).resolve('uplot'));
fs.mkdirSync(out, { recursive: true });
for (const f of ['index.html', 'app.js', 'style.css']) fs.copyFileSync(path.join(cli, 'view', f), path.join(out, f));
for (const f of ['uPlot.iife.min.js', 'uPlot.min.css']) fs.copyFileSync(path.join(uplotDist, f), path.join(out, f));
// uPlot's licence travels with its copy
fs.copyFileSync(path.join(uplotDist, '..', 'LICENSE'), path.join(out, 'uPlot.LICENSE'));
