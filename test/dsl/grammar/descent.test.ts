// Runs the `//+` (must match) and `//-` (must not match) examples written above rules in descent.ohm.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { descentGrammar } from '@descent/dsl';
import { repoRoot } from '../helpers.js';

const grammarText = readFileSync(path.join(repoRoot, 'packages/dsl/grammar/descent.ohm'), 'utf8');

/** [rule, example, shouldMatch] for every example comment, attached to the next rule definition. */
function examples(text: string): Array<[string, string, boolean]> {
  const out: Array<[string, string, boolean]> = [];
  let pending: Array<[string, boolean]> = [];
  for (const line of text.split('\n')) {
    const ex = /^\s*\/\/([+-])\s*(".*")\s*$/.exec(line);
    if (ex !== null) {
      pending.push([JSON.parse(ex[2] ?? '""') as string, ex[1] === '+']);
      continue;
    }
    const rule = /^\s*([A-Za-z_]\w*)\s*(?:<[^>]*>)?\s*(?:\([^)]*\))?\s*(?:=|:=|\+=)/.exec(line);
    if (rule !== null) {
      for (const [example, positive] of pending) out.push([rule[1] ?? '', example, positive]);
      pending = [];
    }
  }
  return out;
}

describe('grammar examples', () => {
  const all = examples(grammarText);
  it('has examples', () => {
    expect(all.length).toBeGreaterThan(30);
  });
  it.each(all)('%s %j (matches: %s)', (rule, example, positive) => {
    expect(descentGrammar().match(example, rule).succeeded()).toBe(positive);
  });
});
