// The embedded grammar recipe is current and parses exactly like the grammar built from text.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { layout } from '@descent/dsl';
import { GRAMMAR_TEXT } from '../../packages/dsl/src/grammar-embedded.js';
import { grammarFromText, loadGrammar } from '../../packages/dsl/src/grammar-recipe.js';
import { languageExamples } from './examples.js';

const ohmFile = new URL('../../packages/dsl/grammar/descent.ohm', import.meta.url);

it('the build embedded the current grammar text', () => {
  expect(GRAMMAR_TEXT).toBe(readFileSync(ohmFile, 'utf8'));
});

it('the recipe grammar and the text grammar agree on every example', () => {
  const fromText = grammarFromText();
  const fromRecipe = loadGrammar();
  for (const example of languageExamples()) {
    const text = layout(example).cooked;
    expect(fromRecipe.match(text).succeeded()).toBe(fromText.match(text).succeeded());
    const broken = `${text}\nloss = (`;
    const a = fromRecipe.match(broken);
    const b = fromText.match(broken);
    expect(a.failed() && b.failed() && a.shortMessage === b.shortMessage).toBe(true);
  }
});
