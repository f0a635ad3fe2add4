// Runs one prebuilt model with train() and checks its claims: node packages/models/scripts/try.mjs NAME [--steps N] [--set k=v ...] [--seed S] [--ci] [--every]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { compileSource, formatDiagnostics } from '@descent/dsl';
import { evaluateClaims, train } from '@descent/cli';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const args = process.argv.slice(2);
const name = args.shift();
const manifest = JSON.parse(readFileSync(join(root, 'models.json'), 'utf8'));
const entry = manifest.models.find((m) => m.name === name) ?? { name, file: `${name}.loss` };
let steps;
let seed;
let log;
let ci = false;
let show = false;
const overrides = {};
const extraClaims = [];
let dump;
const expect = {};
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--steps') steps = Number(args[++i]);
  else if (a === '--seed') seed = Number(args[++i]);
  else if (a === '--log') log = Number(args[++i]);
  else if (a === '--ci') ci = true;
  else if (a === '--show') show = true;
  else if (a === '--samples') expect.samples = Number(args[++i]);
  else if (a === '--fresh') expect.fresh = args[++i] === 'true';
  else if (a === '--quadrature') expect.quadrature = Number(args[++i]);
  else if (a === '--claim') extraClaims.push(args[++i]);
  else if (a === '--dump') dump = args[++i];
  else if (a === '--set') {
    const [k, v] = args[++i].split('=');
    overrides[k] = Number(v);
  }
}
let claimsFrom = null;
if (ci && entry.ci) {
  Object.assign(overrides, entry.ci.set ?? {}, { ...overrides });
  steps ??= entry.ci.steps;
  if (entry.ci.expect) Object.assign(expect, entry.ci.expect);
  if (entry.ciClaims) claimsFrom = entry.ciClaims;
}
const file = join(root, entry.file);
const source = readFileSync(file, 'utf8') + extraClaims.map((c) => `\nclaim ${c}`).join('') + '\n';
const compiled = compileSource(source, { file, overrides, ...(seed !== undefined ? { seed } : {}), expect });
if (!compiled.ok) {
  console.error(formatDiagnostics(compiled.diagnostics, source));
  process.exit(2);
}
const program = compiled.program;
const s = program.settings;
const opt = s.optimizer;
const optimizer = { kind: opt.name, ...opt.args };
steps ??= s.steps;
const records = [];
const t0 = performance.now();
const result = train({ program, optimizer, steps, logCount: log ?? s.log, onRecord: (r) => records.push(r) });
const wall = (performance.now() - t0) / 1000;
if (dump) (await import('node:fs')).writeFileSync(dump, JSON.stringify(records));
let claims = program.claims.map((c) => ({ fn: c.fn, series: c.series, args: c.args, op: c.op, value: c.value, ...(c.tol !== undefined ? { tol: c.tol } : {}) }));
if (claimsFrom) {
  const src2 = claimsFrom.map((c) => `claim ${c}`).join('\n');
  const c2 = compileSource(source + '\n' + src2 + '\n', { file, overrides, expect });
  claims = c2.program.claims.slice(program.claims.length).map((c) => ({ fn: c.fn, series: c.series, args: c.args, op: c.op, value: c.value, ...(c.tol !== undefined ? { tol: c.tol } : {}) }));
}
const fmt = (v) => (typeof v === 'number' ? v.toPrecision(4) : '[' + v.map((x) => x.toPrecision(3)).join(', ') + ']');
const pick = show ? records : records.filter((r, i) => i === 0 || i === records.length - 1 || Math.log10(r.step) % 1 === 0 || i % Math.ceil(records.length / 12) === 0);
for (const r of pick) console.log(`${String(r.step).padStart(7)}  loss ${r.loss.toExponential(4)}  ${Object.entries(r.metrics).map(([k, v]) => `${k} ${fmt(v)}`).join('  ')}`);
console.log(`${name}: status ${result.status} steps ${steps} seed ${program.seed} wall ${wall.toFixed(2)} s (${((wall / Math.max(1, steps)) * 1000).toFixed(3)} ms/step) constants ${JSON.stringify(program.constants)}`);
const { results, allPass } = evaluateClaims(claims, records);
for (const r of results) console.log('  ' + r.text);
console.log(allPass ? 'ALL PASS' : 'SOME FAIL');
process.exitCode = allPass ? 0 : 1;
