// The precompiled grammar recipe is current and parses exactly like the grammar built from text.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { layout } from '@descent/dsl';
import { grammarFromText, loadGrammar } from '../../packages/dsl/src/grammar-recipe.js';
import { languageExamples } from './examples.js';

const ohmFile = new URL('../../packages/dsl/grammar/descent.ohm', import.meta.url);
const recipeFile = new URL('../../packages/dsl/grammar/descent.recipe.json', import.meta.url);

it('the build wrote a recipe of the current grammar text', () => {
  expect(existsSync(recipeFile)).toBe(true);
  const stored = JSON.parse(readFileSync(recipeFile, 'utf8')) as { source: string };
  expect(stored.source).toBe(createHash('sha256').update(readFileSync(ohmFile, 'utf8')).digest('hex'));
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
