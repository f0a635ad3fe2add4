// The grammar, loaded fast: a recipe precompiled from grammar/descent.ohm, checked against its hash.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as ohm from 'ohm-js';

const grammarFile = new URL('../grammar/descent.ohm', import.meta.url);
const recipeFile = new URL('../grammar/descent.recipe.json', import.meta.url);

/** Ohm's recipe API, present at run time but missing from its type declarations. */
interface RecipeApi {
  makeRecipe(recipe: string): ohm.Grammar;
}
type WithRecipe = ohm.Grammar & { toRecipe(): string };

interface StoredRecipe {
  /** sha256 of the .ohm text the recipe was made from. */
  readonly source: string;
  readonly recipe: string;
}

function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The grammar of descent.ohm. Building it from the text costs ~150-200 ms; a recipe made by
 * `writeGrammarRecipe()` at build time loads in ~10 ms. A recipe whose hash does not match the
 * current .ohm text is ignored, so editing the grammar never runs a stale one.
 */
export function loadGrammar(): ohm.Grammar {
  const text = readFileSync(grammarFile, 'utf8');
  if (existsSync(recipeFile)) {
    try {
      const stored = JSON.parse(readFileSync(recipeFile, 'utf8')) as StoredRecipe;
      if (stored.source === hashOf(text)) return (ohm as unknown as RecipeApi).makeRecipe(stored.recipe);
    } catch {
      // an unreadable recipe is rebuilt from the text below
    }
  }
  return ohm.grammar(text);
}

/** The grammar built from descent.ohm's text, without the recipe (slow; for the build and tests). */
export function grammarFromText(): ohm.Grammar {
  return ohm.grammar(readFileSync(grammarFile, 'utf8'));
}

/** Writes grammar/descent.recipe.json from descent.ohm (run by the build). */
export function writeGrammarRecipe(): void {
  const text = readFileSync(grammarFile, 'utf8');
  const stored: StoredRecipe = { source: hashOf(text), recipe: (grammarFromText() as WithRecipe).toRecipe() };
  writeFileSync(recipeFile, JSON.stringify(stored));
}
