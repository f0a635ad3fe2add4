// `descent view` in headless Chromium: a real sweep (decaying, reaching 0, diverged), a live run,
// both non-finite log conventions, and 1,000 runs × 200 records for the table and overlay times.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, descent, env, fixture, repo, scratch } from '../e2e/helpers.js';
import { logSteps } from '../../../packages/cli/src/runlog.js';
import { launch, waitFor, type Browser } from './chromium.js';
import { startView, type StartedView } from '../view-server.js';

interface CurveInfo {
  readonly label: string;
  readonly points: number;
  readonly fit: boolean;
  readonly key: string | null;
}


const lines = (file: string): number => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').length : 0);

/** A finished run folder with a hand-written log: for the two ways a log writes non-finite numbers. */
function writeRun(dir: string, model: string, records: readonly string[], extra: Record<string, unknown> = {}): void {
  fs.mkdirSync(dir, { recursive: true });
  const runJson = { format: 'descent-run/1', status: 'completed', model: { name: model }, settings: { seed: 0, steps: records.length - 1, optimizer: { name: 'gd', args: { lr: 0.1 } } }, ...extra };
  fs.writeFileSync(path.join(dir, 'run.json'), `${JSON.stringify(runJson)}\n`);
  fs.writeFileSync(path.join(dir, 'log.jsonl'), records.map((r) => `${r}\n`).join(''));
}

/** 20 records of loss 1/(t+1) and norm [t, 1]; at step 10 the loss is NaN, at step 15 norm[1] is +∞. */
function nonFiniteLogs(root: string): void {
  const rec = (t: number, style: 'strings' | 'null'): string => {
    const loss = t === 10 ? (style === 'strings' ? '"NaN"' : 'null') : String(1 / (t + 1));
    const n1 = t === 15 ? (style === 'strings' ? '"Infinity"' : 'null') : '1';
    const nonfinite = style === 'null' && (t === 10 || t === 15) ? `,"nonfinite":${t === 10 ? '{"loss":"NaN"}' : '{"metrics.norm[1]":"Infinity"}'}` : '';
    return `{"step":${t},"loss":${loss},"metrics":{"norm":[${t},${n1}]},"elapsed":0${nonfinite}}`;
  };
  const steps = Array.from({ length: 20 }, (_, t) => t);
  writeRun(path.join(root, 'old-strings'), 'nonfinite-strings', steps.map((t) => rec(t, 'strings')));
  writeRun(path.join(root, 'new-null'), 'nonfinite-null', steps.map((t) => rec(t, 'null')));
}

/** 1,000 finished runs of 200 log-spaced records each, as one sweep over a = 0..9 with seeds 1..100. */
function bigSweep(root: string): void {
  const dir = path.join(root, 'big');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'sweep.json'), `${JSON.stringify({ format: 'descent-sweep/1', model: { name: 'big' }, runs: [] })}\n`);
  const steps = logSteps(1e6, 200, 1);
  for (let i = 0; i < 1000; i++) {
    const a = Math.floor(i / 100);
    const seed = (i % 100) + 1;
    const p = 0.5 + a / 10;
    const wobble = 1 + 0.1 * Math.sin(seed);
    const log = steps.map((t, k) => `{"step":${t},"loss":${(a + 1) * wobble * t ** -p},"metrics":{"norm":[${1 / t},${k}]},"elapsed":${k * 0.01}}\n`).join('');
    const run = path.join(dir, `${String(i).padStart(4, '0')}_a=${a}_seed=${seed}`);
    fs.mkdirSync(run);
    const finalLoss = (a + 1) * wobble * 1e6 ** -p;
    fs.writeFileSync(path.join(run, 'log.jsonl'), log);
    fs.writeFileSync(path.join(run, 'run.json'), `${JSON.stringify({
      format: 'descent-run/1', status: 'completed', model: { name: 'big' },
      settings: { seed, steps: 1e6, optimizer: { name: 'gd', args: { lr: 0.1 } } },
      sweep: { index: i, group: `a=${a}`, settings: [{ name: 'a', value: a }], seed },
      summary: { status: 'completed', step: 1e6, steps: 1e6, finalLoss, metrics: {}, slope: { value: -p, window: [1e5, 1e6], r2: 1, points: 33 }, claims: [], claimsPassed: 0, allClaimsPass: true },
    })}\n`);
  }
}

describe('descent view in Chromium', () => {
  let browser: Browser;
  let root: string;
  let view: StartedView;
  let live: ChildProcess;
  const liveLog = (): string => path.join(root, 'live', 'log.jsonl');

  const page = () => browser.page;
  const curves = async (): Promise<CurveInfo[]> => (await page().evaluate('window.descentView.curves()')) as CurveInfo[];
  const drawnCurves = async (n: number): Promise<void> => {
    await waitFor(page(), `document.getElementById('chart').dataset.curves === '${n}'`);
  };
  const rows = (): Promise<number> => page().locator('#runs tbody tr').count();
  const filter = async (text: string): Promise<void> => {
    await page().fill('#filter', text);
  };

  beforeAll(async () => {
    root = path.join(scratch('descent-view-browser-'), 'runs');
    fs.mkdirSync(root);
    const sweep = descent(['sweep', fixture('view-sweep'), '--set', 'lr=0.01,0.05,0.5,1.5', '--seeds', '1-2', '--out', path.join(root, 'sw'), '--quiet']);
    // lr = 1.5 diverges on purpose, so the sweep exits 3 (docs/cli.md: a sweep exits with its runs' state)
    expect(sweep.code, sweep.stderr).toBe(3);
    nonFiniteLogs(root);
    // a run that keeps going through the tests: its log grows by a record every fraction of a second
    live = spawn(process.execPath, [cli, 'run', fixture('forever'), '--steps', '3e7', '--log', '5000', '--out', path.join(root, 'live'), '--quiet'], { env: env() });
    for (let i = 0; i < 300 && lines(liveLog()) < 5; i++) await new Promise((r) => setTimeout(r, 100));
    view = await startView([root]);
    browser = await launch();
    await page().goto(view.url);
    await waitFor(page(), 'window.descentView && window.descentView.ready', 60_000);
  });

  afterAll(async () => {
    await browser?.close();
    view?.child.kill('SIGTERM');
    live?.kill('SIGTERM');
  });

  it('lists every run, the running one as running, and draws them all (11 curves)', async () => {
    expect(await rows()).toBe(11);
    await drawnCurves(11);
    const status = await page().locator('#runs tbody tr', { hasText: 'forever' }).locator('td.status-running').count();
    expect(status).toBe(1);
    expect(await page().textContent('#live')).toContain('1 running');
  });

  it('filters and sorts the table, and overlays only the selected runs', async () => {
    await filter('lr=0.5');
    expect(await rows()).toBe(2);
    await page().click('#select-none');
    await drawnCurves(0);
    await page().click('#select-shown');
    await drawnCurves(2);
    expect((await curves()).map((c) => c.label).sort()).toEqual(['lr=0.5 seed=1', 'lr=0.5 seed=2']);
    await filter('view-sweep');
    expect(await rows()).toBe(8);
    // sorting by final loss puts the diverged runs (+∞) last, the zeros first
    await page().click('th[data-col="finalLoss"]');
    const last = await page().locator('#runs tbody tr').last().textContent();
    expect(last).toContain('diverged');
    const first = await page().locator('#runs tbody tr').first().textContent();
    expect(first).toContain('lr=0.5');
    // a click on a row adds it to the plot
    await page().locator('#runs tbody tr', { hasText: 'lr=0.01_seed=1' }).click();
    await drawnCurves(3);
  });

  it('keeps log axes for a run that reaches 0: the zeros are gaps with a note, not a switch to linear', async () => {
    await page().selectOption('#yscale', 'log');
    await page().selectOption('#xscale', 'log');
    await drawnCurves(3);
    const byLabel = new Map((await curves()).map((c) => [c.label, c.points]));
    expect(byLabel.get('lr=0.5 seed=1')).toBe(0); // 0 from step 1 on, and step 0 has no log x
    expect(byLabel.get('lr=0.01 seed=1')).toBeGreaterThan(50);
    expect(await page().textContent('#notes')).toMatch(/at or below 0 left out of the log y axis/);
    expect(await page().textContent('#legend')).toContain('reaches 0 at step 1');
    // linear y shows the zeros; linear x adds step 0
    await page().selectOption('#yscale', 'linear');
    await page().selectOption('#xscale', 'linear');
    const linear = new Map((await curves()).map((c) => [c.label, c.points]));
    expect(linear.get('lr=0.5 seed=1')).toBe(60); // every record, step 0 included
    expect(await page().textContent('#notes')).not.toMatch(/left out of the log y axis/);
    await page().selectOption('#yscale', 'log');
    await page().selectOption('#xscale', 'log');
  });

  it('does not let a diverged run (to 1e289) set the y range', async () => {
    await page().click('#select-none');
    await filter('lr=0.01 seed=1');
    await page().click('#select-shown');
    await filter('lr=1.5');
    await page().click('#select-shown');
    await drawnCurves(3);
    const range = (await page().evaluate('window.descentView.scales()')) as { y: [number, number] };
    expect(range.y[1]).toBeLessThanOrEqual(1); // log10 of the top: at most 10, not 1e289
    expect(await page().textContent('#notes')).toMatch(/non-finite value/);
    await page().uncheck('#clip');
    const unclipped = (await page().evaluate('window.descentView.scales()')) as { y: [number, number] };
    expect(unclipped.y[1]).toBeGreaterThan(280);
    await page().check('#clip');
  });

  it('reads both non-finite conventions of log.jsonl (null + "nonfinite", and "NaN" strings)', async () => {
    await page().click('#select-none');
    await filter('nonfinite');
    expect(await rows()).toBe(2);
    await page().click('#select-shown');
    await drawnCurves(2);
    await page().selectOption('#series', 'norm[1]');
    await page().selectOption('#yscale', 'linear');
    await page().selectOption('#xscale', 'linear');
    const points = (await curves()).map((c) => c.points);
    expect(points).toEqual([19, 19]); // 20 records, one +∞ left out of each
    await page().selectOption('#series', 'loss');
    expect((await curves()).map((c) => c.points)).toEqual([19, 19]); // one NaN each
    expect(await page().textContent('#notes')).toContain('2 non-finite values');
    await page().selectOption('#yscale', 'log');
    await page().selectOption('#xscale', 'log');
  });

  it('groups a sweep by setting: a median curve and a band per setting, and fits power laws', async () => {
    await filter('view-sweep');
    await page().click('#select-none');
    await page().click('#select-shown');
    await drawnCurves(8);
    await page().check('#group');
    await drawnCurves(4);
    expect((await curves()).map((c) => c.label).sort()).toEqual(['lr=0.01 (median of 2)', 'lr=0.05 (median of 2)', 'lr=0.5 (median of 2)', 'lr=1.5 (median of 2)']);
    await page().check('#fit');
    await page().fill('#fit-from', '10');
    await page().fill('#fit-to', '100');
    await page().press('#fit-to', 'Enter');
    await waitFor(page(), `document.getElementById('legend').textContent.includes('slope')`);
    const fits = (await curves()).filter((c) => c.fit);
    expect(fits.length).toBe(3); // the setting that is 0 throughout the window has no fit
    await page().uncheck('#fit');
    await page().uncheck('#group');
    await drawnCurves(8);
  });

  it('shows the step and value under the cursor', async () => {
    const box = (await page().locator('#chart .u-over').boundingBox())!;
    await page().mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.2);
    await page().mouse.move(box.x + box.width * 0.35, box.y + box.height * 0.25);
    await waitFor(page(), `!document.getElementById('tooltip').hidden`);
    expect(await page().textContent('#tooltip')).toMatch(/^step \d+\n.+: /);
  });

  it('exports the plot as SVG (vector paths) and PNG', async () => {
    const [svgDl] = await Promise.all([page().waitForEvent('download'), page().click('#export-svg')]);
    const svg = fs.readFileSync((await svgDl.path())!, 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect((svg.match(/<path d="M/g) ?? []).length).toBeGreaterThanOrEqual(6);
    const [pngDl] = await Promise.all([page().waitForEvent('download'), page().click('#export-png')]);
    const png = fs.readFileSync((await pngDl.path())!);
    expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    expect(png.length).toBeGreaterThan(5000);
  });

  it("grows the running run's curve as its log grows", async () => {
    await filter('forever');
    await page().click('#select-none');
    await page().click('#select-shown');
    await drawnCurves(1);
    const points = async (): Promise<number> => (await curves())[0]!.points;
    const start = await points();
    // the page draws every record after step 0 (x is log): it should catch up with the file
    let fileAt = NaN;
    let pageAt = NaN;
    const t0 = Date.now();
    while (Date.now() - t0 < 30_000 && Number.isNaN(pageAt)) {
      if (Number.isNaN(fileAt) && lines(liveLog()) - 1 > start) fileAt = Date.now();
      if ((await points()) > start) pageAt = Date.now();
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(pageAt, 'the live curve did not grow within 30 s').not.toBeNaN();
    console.log(`live update: the curve grew ${Number.isNaN(fileAt) ? '(file growth not seen first)' : `${pageAt - fileAt} ms after the log did`} (${start} → ${await points()} points)`);
    if (process.env['DESCENT_VIEW_SCREENSHOT']) {
      await page().click('#select-none');
      await filter('view-sweep');
      await page().click('#select-shown');
      await filter('');
      await page().check('#group');
      await page().check('#fit');
      await page().fill('#fit-from', '');
      await page().fill('#fit-to', '');
      await page().press('#fit-to', 'Enter');
      await page().waitForTimeout(1500);
      await page().screenshot({ path: path.resolve(repo, process.env['DESCENT_VIEW_SCREENSHOT']) });
    }
  });

  it('logged no console error', () => {
    expect(browser.errors).toEqual([]);
  });
});

describe('descent view with 1,000 runs of 200 records', () => {
  let browser: Browser;
  let view: StartedView;

  beforeAll(async () => {
    const root = path.join(scratch('descent-view-big-'), 'runs');
    bigSweep(root);
    view = await startView([root]);
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    view?.child.kill('SIGTERM');
  });

  it('shows the table and draws a 100-curve overlay (times printed)', async () => {
    const page = browser.page;
    await page.goto('about:blank'); // the browser's first navigation sets up its profile: not the page's time
    const t0 = Date.now();
    await page.goto(view.url);
    await waitFor(page, `document.querySelectorAll('#runs tbody tr').length === 1000`, 60_000);
    const tableWall = Date.now() - t0;
    const tableMs = (await page.evaluate('window.descentView.timings.tableMs')) as number;
    await waitFor(page, 'window.descentView.ready');
    await page.fill('#filter', 'a=3');
    expect(await page.locator('#runs tbody tr').count()).toBe(100);
    await page.evaluate('window.descentView.timings.drawMs = NaN');
    const t1 = Date.now();
    await page.click('#select-shown');
    await waitFor(page, `document.getElementById('chart').dataset.curves === '100' && Number.isFinite(window.descentView.timings.drawMs)`, 60_000);
    const overlayWall = Date.now() - t1;
    const drawMs = (await page.evaluate('window.descentView.timings.drawMs')) as number;
    const c = (await page.evaluate('window.descentView.curves()')) as CurveInfo[];
    expect(c.length).toBe(100);
    expect(c.every((x) => x.points === 200)).toBe(true); // steps 1 … 1e6, all drawn on log axes
    console.log(JSON.stringify(await page.evaluate('window.descentView.timings')));
    console.log(`1,000 runs × 200 records: table on screen ${tableMs.toFixed(0)} ms after navigation start (${tableWall} ms as the test saw it); 100-curve overlay drawn ${drawMs.toFixed(0)} ms after the click, logs fetched included (${overlayWall} ms as the test saw it)`);
    // generous budgets (a shared machine): the numbers above are what the issue's 1 s targets are read from
    expect(tableMs).toBeLessThan(10_000);
    expect(drawMs).toBeLessThan(10_000);
    expect(browser.errors).toEqual([]);
  });
});
