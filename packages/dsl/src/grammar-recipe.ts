// The grammar, loaded fast and without file access: the ohm recipe embedded at build time from grammar/descent.ohm.
import * as ohm from 'ohm-js';
import { GRAMMAR_RECIPE, GRAMMAR_TEXT } from './grammar-embedded.js';

/** Ohm's recipe API, present at run time but missing from its type declarations. */
interface RecipeApi {
  makeRecipe(recipe: string): ohm.Grammar;
}

/**
 * The grammar of descent.ohm, from the recipe the build embedded beside its text (~10 ms, where
 * building from the text costs ~150-200 ms). The build writes both from the same file, so they
 * cannot disagree; test/dsl/grammar-recipe.test.ts checks that they parse alike.
 */
export function loadGrammar(): ohm.Grammar {
  return (ohm as unknown as RecipeApi).makeRecipe(GRAMMAR_RECIPE);
}

/** The grammar built from the embedded .ohm text, without the recipe (slow; for tests). */
export function grammarFromText(): ohm.Grammar {
  return ohm.grammar(GRAMMAR_TEXT);
}
