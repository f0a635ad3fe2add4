// The edge-of-stability section of the report: the sharpness rising to 2/lr and staying there.
import { COLORS, curve, figure } from './figures.mjs';
import { f3, g, range, table, within } from './format.mjs';
import { loadSweep, steps, values } from './runs.mjs';
import { PLAN } from './settings.mjs';

/**
 * Edge of stability: the exact Hessian spectrum against 2/lr.
 * @param {import('./report.mjs').Report} out the claims table's rows (`key`) and the markdown (`md`), appended to
 */
export function edgeOfStabilitySection(out) {
  const { key, md } = out;
  // ---------------- edge of stability
  const eos = loadSweep('eos');
  const EOS_LR = 0.8;
  const edge = 2 / EOS_LR;
  const eosRows = eos.map((r) => {
    const sharp = values(r.records, 'sharp');
    const st = steps(r.records);
    const late = sharp.filter((_, i) => st[i] >= 3000);
    const early = sharp.filter((_, i) => st[i] >= 20 && st[i] <= 200);
    return { seed: r.seed, r, first: sharp[0], earlyMin: Math.min(...early), lateMin: Math.min(...late), lateMax: Math.max(...late), final: sharp.at(-1), loss: r.records.at(-1).loss };
  });
  const hovers = eosRows.every((x) => x.lateMin > 0.9 * edge && x.lateMax < 1.1 * edge && within(x.final, edge, 0.05));
  key.push([
    'Edge of stability (2103.00065)', `full-batch GD: the sharpness rises to 2/lr = ${edge} and hovers there`,
    `final sharpness ${range(eosRows.map((x) => x.final), f3)}; over [3000, 1e4] within [${f3(Math.min(...eosRows.map((x) => x.lateMin)))}, ${f3(Math.max(...eosRows.map((x) => x.lateMax)))}]`,
    `edge-of-stability, seeds ${PLAN.find((p) => p.key === 'eos').seeds}`,
    hovers ? 'agrees' : '**differs**',
  ]);
  md.push(`## Edge of stability (Cohen et al., ICLR 2021, arXiv 2103.00065)

A one-hidden-layer tanh network (16 units, 96 parameters) fit by full-batch gradient descent with
lr = ${EOS_LR} to y = sin(x₁) on 64 Gaussian inputs (\`packages/models/edge-of-stability.loss\`; the
network and data are our choice, small enough that the whole Hessian is computed exactly at every
logged step with \`sharpness(loss)\`, \`hessian_eigs(loss, 3)\` and \`hessian_trace(loss)\`). A
quadratic with curvature above 2/lr = ${edge} makes gradient descent diverge; the paper observes that
on neural networks the sharpness instead rises to 2/lr ("progressive sharpening") and then hovers
there while the loss keeps falling.

${table(
    ['seed', 'sharpness at step 0', 'min over [20, 200]', 'min / max over [3000, 1e4]', 'final sharpness', 'final loss'],
    eosRows.map((x) => [x.seed, f3(x.first), f3(x.earlyMin), `${f3(x.lateMin)} / ${f3(x.lateMax)}`, f3(x.final), g(x.loss)]),
  )}

Every seed starts above 2/lr (sharpness ~3), is thrown out of that region in the first steps (the
loss jumps, the "catapult"), comes back below 2/lr, and then sharpens progressively until it
reaches 2/lr, where it stays within ${hovers ? '10%' : 'the band shown'} for the rest of the run
while the loss falls to ${range(eosRows.map((x) => x.loss), g)}.

${figure(
    'eos-sharpness',
    [
      ...eosRows.map((x, i) => curve(x.r.records, 'sharp', `sharpness, seed ${x.seed}`, COLORS[i])),
      { x: [1, 10000], y: [edge, edge], label: '2 / lr', color: '#222222' },
    ],
    { title: `Edge of stability: sharpness against 2/lr = ${edge} (lr = ${EOS_LR}), 4 seeds`, yLabel: 'largest Hessian eigenvalue (exact)', yScale: 'linear', yRange: [1.5, 3.5] },
    'Sharpness of four runs against step, rising to the line 2/lr and staying there',
  )}
`);

}
