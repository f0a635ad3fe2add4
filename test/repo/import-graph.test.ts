// The packages' module graphs: no import cycle, and every built module loads when imported first, on its own.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const packages = ['autodiff', 'dsl', 'cli'];

/** The built module of every TypeScript source of a package (stale files in dist/ are not counted). */
function modulesOf(pkg: string): string[] {
  const src = path.join(root, 'packages', pkg, 'src');
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        found.push(path.join(root, 'packages', pkg, 'dist', path.relative(src, full).replace(/\.ts$/, '.js')));
      }
    }
  };
  walk(src);
  return found.sort();
}

/**
 * The relative modules a built file imports when it loads: static `import … from`, `export … from`
 * and bare `import '…'`. Type-only imports are gone from the JavaScript, and a dynamic import()
 * runs later, so neither can make a cycle at load time.
 */
function staticImports(file: string, code: string): string[] {
  const specifiers = [
    ...code.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s*['"](\.{1,2}\/[^'"]+)['"]/gm),
    ...code.matchAll(/^\s*import\s*['"](\.{1,2}\/[^'"]+)['"]/gm),
  ].map((m) => m[1]!);
  return specifiers.map((s) => path.resolve(path.dirname(file), s));
}

/** Strongly connected components of more than one module (or a module importing itself), by Tarjan. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('cycle finder', () => {
  it('finds a cycle of three, a self-import, and nothing in a chain', () => {
    const g = new Map([['a', ['b']], ['b', ['c']], ['c', ['a', 'd']], ['d', []], ['e', ['e']]]);
    expect(cycles(g)).toEqual([['a', 'b', 'c'], ['e']]);
    expect(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', []]]))).toEqual([]);
  });

  it('reads import, export-from and bare imports, not type-only or dynamic ones', () => {
    const code = [
      "import { a } from './a.js';",
      "export * from '../b.js';",
      "import {\n  c,\n  d,\n} from './c.js';",
      "import './side.js';",
      "import seedrandom from 'seedrandom';",
      "const later = () => import('./lazy.js');",
    ].join('\n');
    const names = staticImports('/p/dist/x/m.js', code).map((f) => path.relative('/p/dist', f));
    expect(names.sort()).toEqual(['b.js', 'x/a.js', 'x/c.js', 'x/side.js']);
  });
});

describe('the module graph of each package', () => {
  it.each(packages)('%s has no import cycle', (pkg) => {
    const graph = new Map<string, string[]>();
    for (const file of modulesOf(pkg)) graph.set(file, staticImports(file, fs.readFileSync(file, 'utf8')));
    const named = cycles(graph).map((c) => c.map((f) => path.relative(path.join(root, 'packages', pkg, 'dist'), f)).join(' → '));
    expect(named).toEqual([]);
  });
});

/** Executables run on import (the cli's main.js starts a command): they are run by the cli's tests instead. */
function isExecutable(file: string): boolean {
  return fs.readFileSync(file, 'utf8').startsWith('#!');
}

const run = promisify(execFile);

/** Imports `file` first in a fresh node process; resolves to the error's first line, or undefined when it loads. */
async function importAlone(file: string): Promise<string | undefined> {
  try {
    await run(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(file).href)});`], { cwd: root });
    return undefined;
  } catch (e) {
    const stderr = (e as { stderr?: string }).stderr ?? String(e);
    return stderr.split('\n').find((l) => /Error/.test(l)) ?? stderr;
  }
}

describe('every built module loads when imported first, in a fresh process', () => {
  it.each(packages)('%s', async (pkg) => {
    const modules = modulesOf(pkg).filter((f) => !isExecutable(f));
    expect(modules.length).toBeGreaterThan(10);
    const failures: string[] = [];
    // two at a time: the machine has two cores
    for (let k = 0; k < modules.length; k += 2) {
      const errors = await Promise.all(modules.slice(k, k + 2).map(importAlone));
      errors.forEach((e, i) => {
        if (e !== undefined) failures.push(`${path.relative(root, modules[k + i]!)}: ${e}`);
      });
    }
    expect(failures).toEqual([]);
  });

  it('reports a module that throws when imported first', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-alone-'));
    const broken = path.join(dir, 'broken.mjs');
    fs.writeFileSync(broken, "import { b } from './b.mjs';\nexport const a = 1;\n");
    fs.writeFileSync(path.join(dir, 'b.mjs'), "import { a } from './broken.mjs';\nexport const b = a + 1;\n");
    // a cycle whose modules read each other at load: one order throws, the other loads
    expect(await importAlone(broken)).toMatch(/ReferenceError: Cannot access 'a' before initialization/);
    expect(await importAlone(path.join(dir, 'b.mjs'))).toBeUndefined();
    fs.rmSync(dir, { recursive: true });
  });
});
