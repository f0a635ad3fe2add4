// The project's copies of the language requirements are those of ../shared, where ../shared exists.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script without types
import { FILES, outOfStep, sharedDir } from '../../scripts/sync-language.mjs';
import { fencedBlocks, language2Md, languageMd } from '../fixtures/language.js';

describe('test/fixtures/language', () => {
  it('holds both editions, with their code blocks', () => {
    expect(fencedBlocks(languageMd).length).toBeGreaterThanOrEqual(6);
    expect(fencedBlocks(language2Md).length).toBeGreaterThanOrEqual(6);
  });

  // only the authors' checkout has ../shared; a fresh clone skips this one check, saying why
  it.skipIf(!existsSync(sharedDir))(`is in step with ${sharedDir} (skipped where that folder does not exist)`, () => {
    expect(outOfStep() as string[], `run node scripts/sync-language.mjs to copy ${(FILES as string[]).join(', ')}`).toEqual([]);
  });
});
