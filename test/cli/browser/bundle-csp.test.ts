// @descent/dsl and @descent/autodiff bundled by esbuild for the browser (no Node built-ins), compiling and
// training a .loss model in headless Chromium, with and without a strict Content-Security-Policy.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Random, setKernelBackend } from '@descent/autodiff';
import { adam } from '@descent/autodiff/optim';
import { compile } from '@descent/dsl';
import { launch, waitFor, type Browser } from './chromium.js';

const repo = path.resolve(import.meta.dirname, '../../..');
const SOURCE = fs.readFileSync(path.join(import.meta.dirname, 'fixtures', 'mlp.loss'), 'utf8');
const STEPS = 300;

// The page's program: the built packages as a user imports them, bundled for the browser.
const ENTRY = `
import { compile } from '@descent/dsl';
import { kernelMode, Random, setKernelBackend } from '@descent/autodiff';
import { adam } from '@descent/autodiff/optim';
window.train = (source, steps) => {
  // plain-JS matmul and exp, as in the Node reference (a strict CSP also blocks WebAssembly)
  for (const op of ['matmul', 'softmax', 'logsumexp']) setKernelBackend(op, 'js');
  const r = new Random(5);
  const program = compile(source, { data: { X: r.randn([8, 2]), y: r.randn([8]) } });
  const opt = adam(program.parameters, program.settings.optimizer.args);
  const losses = [];
  for (let t = 0; t < steps; t++) {
    const [loss, grads] = program.valueAndGrad();
    losses.push(loss);
    opt.update(program.parameters, grads);
  }
  return { mode: kernelMode(), losses, state: JSON.stringify(opt.state()) };
};
window.ready = true;
`;

interface Trained {
  readonly mode: 'generated' | 'interpreted';
  readonly losses: number[];
  readonly state: string;
}

/** The same training in Node, generated kernels, plain-JS backends. */
function trainInNode(): Trained {
  for (const op of ['matmul', 'softmax', 'logsumexp'] as const) setKernelBackend(op, 'js');
  const r = new Random(5);
  const program = compile(SOURCE, { data: { X: r.randn([8, 2]), y: r.randn([8]) } });
  const opt = adam(program.parameters, program.settings.optimizer.args);
  const losses: number[] = [];
  for (let t = 0; t < STEPS; t++) {
    const [loss, grads] = program.valueAndGrad();
    losses.push(loss);
    opt.update(program.parameters, grads);
  }
  return { mode: 'generated', losses, state: JSON.stringify(opt.state()) };
}

describe('the library bundled for a browser', () => {
  let bundle: string;
  let inputs: string[];
  let server: http.Server;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    const result = await build({
      stdin: { contents: ENTRY, resolveDir: path.join(repo, 'packages/cli'), sourcefile: 'page.js', loader: 'js' },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    bundle = result.outputFiles[0]!.text;
    inputs = Object.keys(result.metafile.inputs);
    const csp = "default-src 'self'; script-src 'self'";
    server = http.createServer((req, res) => {
      const strict = req.url?.startsWith('/strict/') ?? false;
      const headers: Record<string, string> = strict ? { 'Content-Security-Policy': csp } : {};
      if (req.url?.endsWith('/listen.js')) {
        // a classic script runs before the module: it sees the violations the library's probe causes
        res.writeHead(200, { 'Content-Type': 'text/javascript', ...headers });
        res.end("window.violations = []; document.addEventListener('securitypolicyviolation', (e) => window.violations.push(e.blockedURI + ' ' + e.effectiveDirective));");
      } else if (req.url?.endsWith('/bundle.js')) {
        res.writeHead(200, { 'Content-Type': 'text/javascript', ...headers });
        res.end(bundle);
      } else {
        res.writeHead(200, { 'Content-Type': 'text/html', ...headers });
        res.end('<!doctype html><title>descent</title><script src="listen.js"></script><script type="module" src="bundle.js"></script>');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  it('bundles with no Node built-in (esbuild for the browser platform refuses them) and no file of the Node host', () => {
    expect(inputs.filter((f) => f.startsWith('node:') || /host-node|load-node/.test(f))).toEqual([]);
    expect(inputs.some((f) => f.includes('dsl/dist/browser.js'))).toBe(true);
    expect(inputs.some((f) => f.includes('grammar-embedded'))).toBe(true);
  });

  const trainIn = async (dir: string): Promise<Trained> => {
    const page = browser.page;
    await page.goto(`${base}/${dir}/index.html`);
    await waitFor(page, 'window.ready === true');
    return (await page.evaluate(`window.train(${JSON.stringify(SOURCE)}, ${STEPS})`)) as Trained;
  };

  let openRun: Trained | undefined;

  it('compiles and trains a .loss model: generated kernels, the losses of Node to 1e-12', async () => {
    const node = trainInNode();
    const open = await trainIn('open');
    expect(open.mode).toBe('generated');
    expect(open.losses[STEPS - 1]!).toBeLessThan(0.5 * open.losses[0]!);
    // Chromium's V8 is not Node's: its Math functions may differ in the last bit (measured: 3e-14 relative by step 300)
    const rel = open.losses.map((l, t) => Math.abs(l - node.losses[t]!) / Math.abs(node.losses[t]!));
    expect(Math.max(...rel)).toBeLessThan(1e-12);
    openRun = open;
    expect(browser.errors).toEqual([]);
  });

  it("under script-src 'self' (no unsafe-eval) it detects that, interprets the kernels and gets the generated kernels' bits", async () => {
    const strict = await trainIn('strict');
    expect(strict.mode).toBe('interpreted');
    expect(openRun).toBeDefined();
    expect(strict.losses).toEqual(openRun!.losses);
    expect(strict.state).toBe(openRun!.state);
    // the policy was in force: Chromium reported refusing the library's probe of new Function
    expect(await browser.page.evaluate('window.violations')).toContain('eval script-src');
  });
});
