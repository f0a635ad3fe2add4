// Build step: precompiles grammar/descent.ohm into grammar/descent.recipe.json (fast start-up).
import { writeGrammarRecipe } from '../dist/grammar-recipe.js';

writeGrammarRecipe();
