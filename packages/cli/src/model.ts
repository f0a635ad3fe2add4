// Model arguments: a path to a .loss file or the name of a prebuilt model in packages/models.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError, didYouMean, suggest } from './errors.js';
import type { RunModel } from './run-model.js';

/** A model found on disk, with its source text. */
export interface ModelSource {
  /** "relu-neuron": the prebuilt name, or the file name without `.loss`. */
  readonly name: string;
  /** Absolute path of the .loss file. */
  readonly file: string;
  readonly source: string;
  readonly prebuilt: boolean;
  /** The path to compile it as, when not `file` (a recorded run's model, re-made in a temporary folder). */
  readonly compileAs?: string;
  /** run.json's record of the model, for a model re-made from a recorded run (see run-model.ts). */
  readonly recorded?: RunModel;
}

/** The name and file of a model read from standard input (`-`); `load` paths are relative to the working folder. */
export const STDIN_MODEL = { name: 'stdin', file: '<stdin>' } as const;

let stdinText: string | undefined;

/** Standard input, read once (commands resolve a model more than once). */
function readStdin(command: string): string {
  if (stdinText === undefined) {
    try {
      stdinText = fs.readFileSync(0, 'utf8');
    } catch (e) {
      throw new CliError(`descent ${command}: cannot read the model from standard input: ${(e as Error).message}.`);
    }
  }
  return stdinText;
}

/** One line of `descent models`. */
export interface ModelEntry {
  readonly name: string;
  readonly file: string;
  readonly summary: string;
}

/**
 * The prebuilt models' folder: $DESCENT_MODELS, else the installed @descent/models package (a
 * dependency of this one), else packages/models beside this package (from both src/ and dist/).
 */
export function modelsDir(): string {
  const env = process.env['DESCENT_MODELS'];
  if (env) return path.resolve(env);
  try {
    return path.dirname(createRequire(import.meta.url).resolve('@descent/models/models.json'));
  } catch {
    return fileURLToPath(new URL('../../models/', import.meta.url));
  }
}

interface ManifestEntry {
  readonly name?: unknown;
  readonly file?: unknown;
  readonly summary?: unknown;
  readonly description?: unknown;
  readonly title?: unknown;
}

function readManifest(dir: string): ManifestEntry[] {
  try {
    const raw = JSON.parse(fs.readFileSync(path.join(dir, 'models.json'), 'utf8')) as { models?: unknown } | unknown[];
    const list = Array.isArray(raw) ? raw : raw && typeof raw === 'object' ? (raw as { models?: unknown }).models : undefined;
    return Array.isArray(list) ? (list.filter((m) => m && typeof m === 'object') as ManifestEntry[]) : [];
  } catch {
    return [];
  }
}

/** The first comment line of a .loss file, without `#`: its one-line description by convention. */
export function firstComment(source: string): string {
  for (const line of source.split('\n')) {
    const t = line.trim();
    if (t === '') continue;
    if (!t.startsWith('#')) return '';
    const text = t.replace(/^#+\s*/, '');
    if (text !== '') return text;
  }
  return '';
}

const str = (x: unknown): string | undefined => (typeof x === 'string' && x.trim() !== '' ? x.trim() : undefined);

/**
 * The prebuilt models, sorted by name: from models.json where it lists them (its summary,
 * description or title), completed by every other .loss file in the folder (its first comment line).
 */
export function listModels(dir = modelsDir()): ModelEntry[] {
  let files: string[] = [];
  try {
    files = fs.readdirSync(dir).filter((f) => f.endsWith('.loss'));
  } catch {
    return [];
  }
  const byName = new Map<string, ModelEntry>();
  const describe = (file: string): string => {
    try {
      return firstComment(fs.readFileSync(path.join(dir, file), 'utf8'));
    } catch {
      return '';
    }
  };
  for (const m of readManifest(dir)) {
    const name = str(m.name);
    if (!name) continue;
    const file = str(m.file) ?? `${name}.loss`;
    if (!fs.existsSync(path.join(dir, file))) continue;
    byName.set(name, { name, file: path.join(dir, file), summary: str(m.summary) ?? str(m.description) ?? str(m.title) ?? describe(file) });
  }
  for (const f of files) {
    const name = f.slice(0, -'.loss'.length);
    if (![...byName.values()].some((e) => e.file === path.join(dir, f)) && !byName.has(name)) {
      byName.set(name, { name, file: path.join(dir, f), summary: describe(f) });
    }
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Looks like a path rather than a model name. */
function isPathLike(arg: string): boolean {
  return arg.endsWith('.loss') || arg.includes('/') || arg.includes(path.sep) || arg.startsWith('.');
}

/**
 * Resolves a model argument: `-` (standard input), an existing file, or a prebuilt model's name. Throws CliError
 * (exit 2) for a missing file or an unknown name, suggesting close names.
 * @example resolveModel('relu-neuron').file  // …/packages/models/relu-neuron.loss
 */
export function resolveModel(arg: string, command = 'run'): ModelSource {
  const read = (file: string, name: string, prebuilt: boolean): ModelSource => {
    try {
      return { name, file, source: fs.readFileSync(file, 'utf8'), prebuilt };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new CliError(`descent ${command}: cannot read ${file}: ${code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message}.`);
    }
  };
  if (arg === '-' || arg === STDIN_MODEL.file) return { ...STDIN_MODEL, source: readStdin(command), prebuilt: false };
  const asFile = path.resolve(arg);
  if (fs.existsSync(asFile) && fs.statSync(asFile).isFile()) return read(asFile, path.basename(arg).replace(/\.loss$/, ''), false);
  if (!isPathLike(arg)) {
    // the common case without listing the folder: the manifest's file, or NAME.loss
    const dir = modelsDir();
    const entry = readManifest(dir).find((m) => str(m.name) === arg);
    const file = path.join(dir, str(entry?.file) ?? `${arg}.loss`);
    if (fs.existsSync(file)) return read(file, arg, true);
  }
  const models = listModels();
  if (isPathLike(arg)) {
    const dir = path.dirname(asFile);
    const near = fs.existsSync(dir) ? suggest(path.basename(arg), fs.readdirSync(dir).filter((f) => f.endsWith('.loss'))) : [];
    throw new CliError(`descent ${command}: no such file ${arg}.${didYouMean(near.map((n) => path.join(path.dirname(arg), n)))}`);
  }
  const names = models.map((m) => m.name);
  const hint = didYouMean(suggest(arg, names));
  const known = names.length > 0 ? ` Prebuilt models: ${names.join(', ')} (\`descent models\` describes them).` : ' No prebuilt models are installed.';
  throw new CliError(`descent ${command}: unknown model "${arg}": not a prebuilt model and no such file.${hint}${known} A path to a .loss file works too.`);
}
