// Fuzz inputs: the seed corpus (prebuilt models, LANGUAGE.md examples, CLI fixtures) and byte-level mutations.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { fencedBlocks, languageMd } from '../fixtures/language.js';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const modelsDir = path.join(repoRoot, 'packages/models');
const fixturesDir = path.join(repoRoot, 'test/cli/fixtures');

export interface Seed {
  readonly name: string;
  /** Where the seed lives: `load` paths in a mutated copy resolve relative to its folder. */
  readonly file: string;
  readonly bytes: Buffer;
}

const lossFiles = (dir: string): Seed[] =>
  fs.readdirSync(dir).filter((f) => f.endsWith('.loss')).sort().map((f) => ({ name: f, file: path.join(dir, f), bytes: fs.readFileSync(path.join(dir, f)) }));

/** Every prebuilt model file in packages/models. */
export const modelSeeds: readonly Seed[] = lossFiles(modelsDir);

/** Every fenced code block of LANGUAGE.md (the language's own examples, as copied into test/fixtures/language). */
export const languageSeeds: readonly Seed[] = fencedBlocks(languageMd)
  .map((block, i) => ({ name: `LANGUAGE.md block ${i + 1}`, file: path.join(repoRoot, `language-${i + 1}.loss`), bytes: Buffer.from(block, 'utf8') }));

export const fixtureSeeds: readonly Seed[] = lossFiles(fixturesDir);

export const seeds: readonly Seed[] = [...modelSeeds, ...languageSeeds, ...fixtureSeeds];

/** Text that is likely to reach deep into the compiler when spliced in. */
const TOKENS = [
  '(', ')', '[', ']', '{', '}', '|', '^', '*', '/', '-', '+', ',', '=', '~', '<', '>', '!=', '+-', '.', '_',
  '0', '1', '-1', '1e308', '1e-320', '9999999999', '2147483648', '0.5', 'NaN', 'inf', '-inf', '1e', '.e3',
  'sum_i ', 'sum_{i,j} ', 'E[', 'grad(', 'relu(', 'relu_kernel(', 'log(', 'exp(', 'sqrt(', 'dot(', 'onehot(d, 0)',
  'dim ', 'let ', 'param ', 'sample ', 'loss = ', 'metric ', 'claim ', 'update ', 'optimizer ', 'steps ', 'log ',
  'expect samples(8, fresh)', 'expect quadrature(5)', 'maximize ', 'minimize ', 'where ', 'normal(0, 1)', 'uniform(0, 1)',
  'load("x.csv")', 'load("/dev/zero")', 'load("../../package.json")', 'load("")',
  '#', '"', "'", '`', '${', '$', '\\', '\\u0077', '\u0000', '\ufeff', '\u202e', '\r', '\t', '\n', '\n\n', 'µ', '\u{1F600}',
  'process', 'require("fs")', 'constructor', '__proto__', 'globalThis', 'eval(', 'Function(',
];

export type Mutation =
  | { readonly kind: 'flip'; readonly at: number; readonly bit: number }
  | { readonly kind: 'byte'; readonly at: number; readonly value: number }
  | { readonly kind: 'delete'; readonly at: number; readonly length: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: readonly number[] }
  | { readonly kind: 'token'; readonly at: number; readonly token: number }
  | { readonly kind: 'duplicate'; readonly at: number; readonly from: number; readonly length: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'line'; readonly at: number; readonly seed: number; readonly line: number }
  | { readonly kind: 'swap'; readonly a: number; readonly b: number }
  | { readonly kind: 'digits'; readonly at: number; readonly digits: string };

const nat = fc.nat({ max: 1 << 20 });

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: nat, bit: fc.nat({ max: 7 }) }),
  fc.record({ kind: fc.constant('byte' as const), at: nat, value: fc.nat({ max: 255 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: nat, length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: nat, bytes: fc.array(fc.nat({ max: 255 }), { minLength: 1, maxLength: 4 }) }),
  fc.record({ kind: fc.constant('token' as const), at: nat, token: fc.nat({ max: TOKENS.length - 1 }) }),
  fc.record({ kind: fc.constant('token' as const), at: nat, token: fc.nat({ max: TOKENS.length - 1 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: nat, from: nat, length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: nat }),
  fc.record({ kind: fc.constant('line' as const), at: nat, seed: nat, line: nat }),
  fc.record({ kind: fc.constant('swap' as const), a: nat, b: nat }),
  fc.record({ kind: fc.constant('digits' as const), at: nat, digits: fc.stringMatching(/^[0-9]{1,7}$/) }),
);

/** Applies byte-level mutations to a copy of `bytes`. */
export function mutate(bytes: Buffer, ops: readonly Mutation[]): Buffer {
  let b = Buffer.from(bytes);
  const pos = (at: number, extra = 0): number => (b.length + extra === 0 ? 0 : at % (b.length + extra));
  for (const op of ops) {
    switch (op.kind) {
      case 'flip':
        if (b.length > 0) b[pos(op.at)]! ^= 1 << op.bit;
        break;
      case 'byte':
        if (b.length > 0) b[pos(op.at)] = op.value;
        break;
      case 'delete': {
        const at = pos(op.at);
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + op.length)]);
        break;
      }
      case 'insert': {
        const at = pos(op.at, 1);
        b = Buffer.concat([b.subarray(0, at), Buffer.from(op.bytes), b.subarray(at)]);
        break;
      }
      case 'token': {
        const at = pos(op.at, 1);
        b = Buffer.concat([b.subarray(0, at), Buffer.from(TOKENS[op.token]!, 'utf8'), b.subarray(at)]);
        break;
      }
      case 'digits': {
        // replace a run of digits (the sizes, rates and counts) by other digits
        const text = b.toString('latin1');
        const runs = [...text.matchAll(/\d+/g)];
        if (runs.length === 0) break;
        const m = runs[op.at % runs.length]!;
        b = Buffer.concat([b.subarray(0, m.index), Buffer.from(op.digits, 'latin1'), b.subarray(m.index + m[0].length)]);
        break;
      }
      case 'duplicate': {
        const from = pos(op.from);
        const piece = Buffer.from(b.subarray(from, from + op.length));
        const at = pos(op.at, 1);
        b = Buffer.concat([b.subarray(0, at), piece, b.subarray(at)]);
        break;
      }
      case 'truncate':
        b = b.subarray(0, pos(op.at, 1));
        break;
      case 'line': {
        // a line of another seed file in place of one of this one
        const donor = seeds[op.seed % seeds.length]!.bytes.toString('utf8').split('\n');
        const lines = b.toString('utf8').split('\n');
        lines[op.at % lines.length] = donor[op.line % donor.length]!;
        b = Buffer.from(lines.join('\n'), 'utf8');
        break;
      }
      case 'swap': {
        const lines = b.toString('utf8').split('\n');
        const i = op.a % lines.length;
        const j = op.b % lines.length;
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
        b = Buffer.from(lines.join('\n'), 'utf8');
        break;
      }
    }
  }
  return b;
}

/** One fuzz input: the seed it came from and its bytes; printed short (name and text) in failures. */
export interface FuzzInput {
  readonly seed: Seed;
  readonly bytes: Buffer;
}

function input(seed: Seed, bytes: Buffer): FuzzInput {
  return { seed, bytes, [fc.toStringMethod]: () => `${seed.name}, mutated to ${JSON.stringify(bytes.toString('utf8'))}` } as FuzzInput;
}

/** A seed and 1-6 mutations of it. */
export const mutatedSeed: fc.Arbitrary<FuzzInput> = fc.record({
  seed: fc.nat({ max: seeds.length - 1 }),
  ops: fc.array(mutation, { minLength: 1, maxLength: 6 }),
}).map(({ seed, ops }) => input(seeds[seed]!, mutate(seeds[seed]!.bytes, ops)));

/** Programs assembled from the corpus's own lines, shuffled and recombined (mostly valid syntax). */
export const recombined: fc.Arbitrary<FuzzInput> = fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 14 }).map((picks) => {
  const lines = picks.map(([s, l]) => {
    const donor = seeds[s % seeds.length]!.bytes.toString('utf8').split('\n');
    return donor[l % donor.length]!;
  });
  return input(seeds[picks[0]![0] % seeds.length]!, Buffer.from(lines.join('\n'), 'utf8'));
});
