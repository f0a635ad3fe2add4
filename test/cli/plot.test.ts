// Charts: SVG structure (ticks, superscripts, legend, fits, skipped points), PNG bytes, terminal chart.
import { describe, expect, it } from 'vitest';
import { fitSlope, type Fit } from '../../packages/cli/src/fit.js';
import { makeAxis, niceRange } from '../../packages/cli/src/plot/axes.js';
import { colorAt, PALETTE, settingPalette } from '../../packages/cli/src/plot/palette.js';
import { svgToPng } from '../../packages/cli/src/plot/png.js';
import { fitLabel, renderSvg, richText } from '../../packages/cli/src/plot/svg.js';
import { terminalChart } from '../../packages/cli/src/plot/terminal.js';
import { logSteps } from '../../packages/cli/src/runlog.js';

const steps = logSteps(100000, 200);
const loss = steps.map((s) => 0.05 / (1 + (s / 30) ** 2.93));
const fitResult = fitSlope(steps, loss, 1e4, 1e5);
const fit = (fitResult.ok ? fitResult.fit : null) as Fit;

describe('axes', () => {
  it('log axis: decade ticks labeled 10^k, minor ticks for few decades', () => {
    const a = makeAxis('log', 1, 1e5, 0, 500);
    expect(a.ticks.map((t) => t.label)).toEqual(['10^0', '10^1', '10^2', '10^3', '10^4', '10^5']);
    expect(a.toPixel(1e3)).toBeCloseTo(300, 9);
    expect(a.minor).toContain(2e4);
    expect(Number.isNaN(a.toPixel(0))).toBe(true);
  });

  it('log axis over many decades labels every k-th decade, keeping 10^0', () => {
    const a = makeAxis('log', 1e-20, 10, 400, 0);
    expect(a.ticks.length).toBeLessThanOrEqual(8);
    expect(a.ticks.map((t) => t.label)).toContain('10^0');
    expect(a.minor).toContain(1e-19);
  });

  it('linear axis: 1-2-5 steps, integers written out', () => {
    expect(makeAxis('linear', 0, 100000, 0, 1).ticks.map((t) => t.label)).toEqual(['0', '20000', '40000', '60000', '80000', '100000']);
    expect(makeAxis('linear', -1, 1, 0, 1).ticks.map((t) => t.label)).toEqual(['-1', '-0.5', '0', '0.5', '1']);
  });

  it('ranges skip what the axis cannot show and widen log ranges to decades', () => {
    expect(niceRange('log', [0, -1, NaN, 3e-7, 0.04], true)).toEqual([1e-7, 0.1]);
    expect(niceRange('log', [0, NaN], true)).toBeNull();
    expect(niceRange('linear', [2, 2], true)).toEqual([1, 3]);
  });
});

describe('renderSvg', () => {
  const svg = renderSvg([{ x: steps, y: loss, label: 'loss' }], {
    title: 'relu-neuron', xLabel: 'step', yLabel: 'loss', fits: [{ fit }],
  });

  it('is one well-formed-looking SVG document with a title and axis titles', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('>relu-neuron</text>');
    expect(svg).toContain('>step</text>');
    expect(svg).toMatch(/rotate\(-90[^>]*>loss<\/text>/);
    expect(svg.match(/<text/g)!.length).toBe(svg.match(/<\/text>/g)!.length);
  });

  it('labels decades with superscript exponents and a real minus sign', () => {
    expect(svg).toMatch(/>10<tspan baseline-shift="super"[^>]*>5<\/tspan>/);
    expect(svg).toMatch(/>10<tspan baseline-shift="super"[^>]*>−10<\/tspan>/);
  });

  it('draws the fit dashed over its window and names its slope in the legend', () => {
    expect(fitLabel(fit)).toBe('fit t^-2.93 over [1e4, 1e5]');
    expect(svg).toContain('stroke-dasharray="7 5"');
    expect(svg).toContain('fit t<tspan baseline-shift="super" font-size="9">−2.93</tspan> over [1e4, 1e5]');
  });

  it('skips step 0 on a log axis and breaks the line at NaN and non-positive values', () => {
    const s = renderSvg([{ x: [0, 1, 2, 3, 4, 5], y: [1, 1, NaN, 0.5, -1, 0.2], label: null }]);
    const d = /<path d="([^"]+)" stroke="#0072B2"/.exec(s)![1]!;
    expect(d.match(/M/g)!.length).toBe(3); // [1], [3], [5]: three pieces with one point each
    expect(d).not.toContain('NaN');
  });

  it('colors a sweep by setting: one legend entry and one color per label', () => {
    const color = settingPalette();
    expect([color('n=1'), color('n=2'), color('n=1')]).toEqual([PALETTE[0], PALETTE[1], PALETTE[0]]);
    expect(colorAt(40)).toMatch(/^hsl\(/);
    const runs = [1, 2, 5].flatMap((n) => [1, 2].map((seed) => ({ x: steps, y: loss.map((v) => v * n * seed), label: `n=${n}` })));
    const s = renderSvg(runs, { xScale: 'linear' });
    expect(s.match(/<line x1="[^"]+" y1="[^"]+" x2="[^"]+" y2="[^"]+" stroke="#/g)!.length).toBe(3);
    expect(s.match(new RegExp(`<path d="[^"]+" stroke="${PALETTE[2]}"`, 'g'))!.length).toBe(2);
  });

  it('escapes text and renders ^ exponents', () => {
    expect(richText('a<b & e^(-0.1 t)', 10)).toBe('a&lt;b &amp; e<tspan baseline-shift="super" font-size="7">−0.1 t</tspan>');
    expect(renderSvg([], { title: '<script>' })).toContain('&lt;script&gt;');
  });
});

describe('svgToPng', () => {
  it('renders a PNG of the chart at its size, or scaled', () => {
    const svg = renderSvg([{ x: steps, y: loss, label: 'loss' }], { width: 320, height: 200, fits: [{ fit }], title: 't' });
    const png = svgToPng(svg);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.toString('latin1', 12, 16)).toBe('IHDR');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([320, 200]);
    const big = svgToPng(svg, 2);
    expect([big.readUInt32BE(16), big.readUInt32BE(20)]).toEqual([640, 400]);
  });
});

describe('terminalChart', () => {
  it('draws a 60 × 12 braille curve with its ranges', () => {
    const lines = terminalChart(steps, loss).split('\n');
    expect(lines).toHaveLength(14);
    expect(lines[0]).toMatch(/^ {3}0\.05 ┤[⠀-⣿]/);
    expect(lines[11]).toMatch(/^2\.4e-12 ┤ +[⠀-⣿]+$/);
    expect(lines[13]).toMatch(/^ +1 +1e5 {2}step \(log-log\)$/);
    for (const l of lines.slice(0, 12)) expect([...l].length).toBeLessThanOrEqual(8 + 2 + 60);
  });

  it('has an ASCII mode and survives data it cannot show', () => {
    const t = terminalChart([0, 1, 10, 100], [1, 1, 0.1, NaN], { ascii: true, width: 20, height: 5 });
    expect(t).toMatch(/^ +1 \+\*+/);
    expect(/[^\x20-\x7e\n]/.test(t)).toBe(false);
    expect(terminalChart([1, 2], [0, -1])).toMatch(/nothing to plot/);
  });
});
