// Progress reporting: throttled TTY line, periodic plain lines, quiet, line contents.
import { describe, expect, it } from 'vitest';
import { Progress, progressBar, progressLine, type ProgressStream } from '../../packages/cli/src/progress.js';

function fakeStream(isTTY: boolean, columns?: number): ProgressStream & { out: string[] } {
  const out: string[] = [];
  return { out, isTTY, ...(columns ? { columns } : {}), write: (s: string) => out.push(s) };
}

/** A clock the test advances by hand (ms). */
function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1000;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('progressLine', () => {
  it('shows step/total, percentage, loss, speed and ETA', () => {
    expect(progressLine({ step: 12345, total: 100000, loss: 3.21e-5, stepsPerSecond: 8431.2, eta: 10.4, elapsed: 1.5 })).toBe(
      'step 12,345/100,000  12%  loss 3.21e-5  8,431 steps/s  ETA 10.4 s',
    );
    expect(progressLine({ step: 0, total: 10, loss: NaN, stepsPerSecond: NaN, eta: NaN, elapsed: 0 }, 'relu')).toBe(
      'relu  step 0/10  0%  loss NaN  – steps/s  ETA ?',
    );
  });

  it('bars in eighths', () => {
    expect(progressBar(0, 4)).toBe('    ');
    expect(progressBar(0.5, 4)).toBe('██  ');
    expect(progressBar(1 / 32, 4)).toBe('▏   ');
    expect(progressBar(2, 4)).toBe('████');
  });
});

describe('Progress', () => {
  it('on a TTY redraws one line at most every 100 ms', () => {
    const s = fakeStream(true, 200);
    const c = clock();
    const p = new Progress({ total: 10000, stream: s, now: c.now });
    for (let step = 0; step < 10000; step++) {
      c.advance(0.1); // 10,000 steps/s
      p.update(step, 1 / (step + 1));
    }
    // 1 s of run: about 10 redraws, each starting with a carriage return and clear-to-end
    expect(s.out.length).toBeGreaterThanOrEqual(9);
    expect(s.out.length).toBeLessThanOrEqual(11);
    for (const w of s.out) {
      expect(w.startsWith('\r\x1b[K')).toBe(true);
      expect(w).not.toContain('\n');
    }
    expect(s.out.at(-1)).toMatch(/steps\/s {2}ETA/);
    expect(s.out.at(-1)).toMatch(/(9,99\d|10,000) steps\/s/);
    p.finish(10000, 1e-4);
    expect(s.out.at(-1)).toMatch(/^\r\x1b\[Kstep 10,000\/10,000 {2}100% {2}loss 1e-4 .*\n$/);
  });

  it('cuts the TTY line to the terminal width', () => {
    const s = fakeStream(true, 40);
    const c = clock();
    const p = new Progress({ total: 100, stream: s, now: c.now });
    for (let step = 0; step < 100; step++) {
      c.advance(50);
      p.update(step, 0.5);
    }
    for (const w of s.out) expect([...w.replace('\r\x1b[K', '')].length).toBeLessThan(40);
  });

  it('otherwise prints a plain line every 10 s', () => {
    const s = fakeStream(false);
    const c = clock();
    const p = new Progress({ total: 1000, stream: s, now: c.now, label: 'relu' });
    for (let step = 0; step < 1000; step++) {
      c.advance(100); // 100 s in all
      p.update(step, 0.5);
    }
    expect(s.out.length).toBeGreaterThanOrEqual(9);
    expect(s.out.length).toBeLessThanOrEqual(10);
    for (const w of s.out) expect(w).toMatch(/^relu {2}step [\d,]+\/1,000 {2}\d+% {2}loss 0.5 {2}10 steps\/s {2}ETA .*\n$/);
    p.message('checkpoint written');
    expect(s.out.at(-1)).toBe('checkpoint written\n');
  });

  it('writes nothing when quiet', () => {
    const s = fakeStream(true);
    const c = clock();
    const p = new Progress({ total: 10, stream: s, now: c.now, quiet: true });
    for (let step = 0; step < 10; step++) {
      c.advance(1000);
      p.update(step, 1);
    }
    p.message('x');
    p.finish(10, 1);
    expect(s.out).toEqual([]);
  });

  it('clears its line before a message on a TTY', () => {
    const s = fakeStream(true);
    const c = clock();
    const p = new Progress({ total: 32, stream: s, now: c.now });
    for (let step = 0; step < 32; step++) {
      c.advance(200);
      p.update(step, 1);
    }
    p.message('diverged');
    expect(s.out.slice(-2)).toEqual(['\r\x1b[K', 'diverged\n']);
  });
});
