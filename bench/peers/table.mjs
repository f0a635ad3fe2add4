// Markdown tables for docs/performance.md from one run_all.sh raw.jsonl (descent in the same run):
// ms per step per peer at 1 thread, descent/peer ratios, the issue's targets, peak memory.
// Usage: node bench/peers/table.mjs RAW.jsonl
import { readFileSync } from 'node:fs';

const rows = readFileSync(process.argv[2], 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
const one = rows.filter((r) => String(r.threads) === '1' && r.problem && r.size && r.ms_median !== undefined);
const cells = [];
for (const r of one) if (!cells.some((c) => c.problem === r.problem && c.size === r.size)) cells.push({ problem: r.problem, size: r.size });
const get = (c, peer) => one.find((r) => r.problem === c.problem && r.size === c.size && r.peer === peer);
const fmt = (x) => (x === undefined ? '-' : x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x >= 0.01 ? x.toFixed(3) : x.toPrecision(2));
const ratio = (a, b) => (a === undefined || b === undefined ? '-' : `${(a / b).toFixed(2)}x`);
const small = new Set(['P1/small', 'P1c/small', 'P2/small', 'P3/small', 'P4/d10']);
const peers = ['numpy-hand', 'torch-eager', 'torch-jit', 'torch-dbl', 'tfjs-cpu', 'tfjs-wasm', 'js-hand'];
// P5 on one fixed batch: descent-fixed (p5-fixed.loss) against numpy-hand-fixed (p5_fixed_numpy.py)
const fixedPeers = [['descent-fixed', 'numpy-hand-fixed']];

const out = [];
const own = ['descent', 'descent-dbl', 'descent-fixed', 'numpy-hand-fixed'];
out.push('| problem | size | ' + [...own, ...peers].join(' | ') + ' |');
out.push('|---|---|' + '---|'.repeat(own.length + peers.length));
for (const c of cells) {
  const ms = (p) => get(c, p)?.ms_median;
  out.push(`| ${c.problem} | ${c.size} | ${[...own, ...peers].map((p) => fmt(ms(p))).join(' | ')} |`);
}
out.push('');
out.push('| cell | target | descent / numpy-hand | / torch-eager | / tfjs-wasm | / js-hand | / best other peer (which) | met? | peak RSS MB | RSS after warm-up → end MB | buffers allocated while timed |');
out.push('|---|---|---|---|---|---|---|---|---|---|---|');
for (const c of cells) {
  const key = `${c.problem}/${c.size}`;
  const d = get(c, 'descent');
  if (!d) continue;
  const t = (p) => get(c, p)?.ms_median;
  const others = peers.filter((p) => p !== 'js-hand' && p !== 'torch-dbl' && t(p) !== undefined);
  const best = others.reduce((b, p) => (b === undefined || t(p) < t(b) ? p : b), undefined);
  let target, met;
  if (c.problem === 'P5' || c.problem === 'P6') {
    target = 'faster than numpy-hand and torch-eager';
    met = d.ms_median < t('numpy-hand') && d.ms_median < t('torch-eager');
  } else if (small.has(key)) {
    target = 'faster than every peer but js-hand; <= 3x js-hand';
    met = others.every((p) => d.ms_median < t(p)) && d.ms_median <= 3 * t('js-hand');
  } else {
    const np = { P1: 1.5, P2: 1.5, P3: 1.5, P4: c.size === 'd400' ? 4 : undefined }[c.problem];
    target = `faster than torch-eager and tfjs-wasm${np ? `; <= ${np}x numpy-hand` : ''}`;
    met = d.ms_median < t('torch-eager') && d.ms_median < t('tfjs-wasm') && (!np || d.ms_median <= np * t('numpy-hand'));
  }
  out.push(`| ${key} | ${target} | ${ratio(d.ms_median, t('numpy-hand'))} | ${ratio(d.ms_median, t('torch-eager'))} | ${ratio(d.ms_median, t('tfjs-wasm'))} | ${ratio(d.ms_median, t('js-hand'))} | ${ratio(d.ms_median, t(best))} (${best}) | ${met ? 'yes' : '**no**'} | ${d.peak_rss_mb} | ${d.rss_after_warmup_mb} → ${d.rss_end_mb} | ${d.buffers_allocated_while_timed} |`);
}
const p3 = cells.filter((c) => c.problem === 'P3').map((c) => {
  const a = get(c, 'descent'), b = get(c, 'descent-dbl');
  return a && b ? `P3 ${c.size}: descent-dbl / descent = ${(b.ms_median / a.ms_median).toFixed(2)}x (${fmt(b.ms_median)} / ${fmt(a.ms_median)} ms; target <= 1.5x; torch-dbl / torch-eager = ${ratio(get(c, 'torch-dbl')?.ms_median, get(c, 'torch-eager')?.ms_median)}); peak RSS ${b.peak_rss_mb} MB` : '';
});
out.push('', ...p3.filter(Boolean).map((s) => `- ${s}`));
for (const c of cells) {
  for (const [mine, theirs] of fixedPeers) {
    const a = get(c, mine), b = get(c, theirs);
    if (!a || !b) continue;
    out.push(`- ${c.problem} ${c.size}, fixed batch: ${mine} / ${theirs} = ${ratio(a.ms_median, b.ms_median)} (${fmt(a.ms_median)} / ${fmt(b.ms_median)} ms; target <= 1x${c.size === 'large' ? '' : ', not a target at this size'}); buffers allocated while timed ${a.buffers_allocated_while_timed}, RSS ${a.rss_after_warmup_mb} → ${a.rss_end_mb} MB`);
  }
}
console.log(out.join('\n'));
