#!/usr/bin/env node
// Keeps test/fixtures/language/ (the project's copies of LANGUAGE.md and LANGUAGE-2.md) in step
// with ../shared, where that folder exists (the authors' checkout; users clone the project alone).
//   node scripts/sync-language.mjs           copy ../shared's files over the project's copies
//   node scripts/sync-language.mjs --check   exit 1 if a copy differs from ../shared, naming it
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FILES = ['LANGUAGE.md', 'LANGUAGE-2.md'];
export const sharedDir = fileURLToPath(new URL('../../shared/', import.meta.url));
export const copiesDir = fileURLToPath(new URL('../test/fixtures/language/', import.meta.url));

/** The files whose project copy differs from ../shared's (missing ones included). */
export function outOfStep(shared = sharedDir, copies = copiesDir) {
  return FILES.filter((f) => !existsSync(copies + f) || !readFileSync(shared + f).equals(readFileSync(copies + f)));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (!existsSync(sharedDir)) {
    console.log(`sync-language: no ${sharedDir} beside this checkout; nothing to compare (the copies in ${copiesDir} stand).`);
    process.exit(0);
  }
  const stale = outOfStep();
  if (process.argv.includes('--check')) {
    if (stale.length > 0) {
      console.error(`sync-language: ${stale.join(', ')} in ${copiesDir} differ from ${sharedDir}; run node scripts/sync-language.mjs`);
      process.exit(1);
    }
    console.log(`sync-language: ${FILES.join(', ')} are in step with ${sharedDir}`);
  } else {
    for (const f of stale) writeFileSync(copiesDir + f, readFileSync(sharedDir + f));
    console.log(stale.length > 0 ? `sync-language: copied ${stale.join(', ')} from ${sharedDir}` : 'sync-language: already in step');
  }
}
