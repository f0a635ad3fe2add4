// run.json's model record (the model's text and the files it loaded) and the model re-made from it, for `descent run RUN_DIR`.
import { parse } from '@descent/dsl';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hashBounded } from './bounded-read.js';
import { CliError } from './errors.js';
import type { ModelSource } from './model.js';

/** Loaded files up to this size are stored in run.json whole; larger ones by their sha256 alone. */
export const LOADED_TEXT_LIMIT = 1 << 20;
/** The largest loaded file hashed: load()'s own cap (a larger one could not have been loaded). */
const LOADED_HASH_LIMIT = 2 ** 30;

/** A file the model read with `load("...")`, as run.json records it. */
export interface LoadedFile {
  /** The path as the model writes it. */
  readonly path: string;
  /** Where it was read from. */
  readonly resolved: string;
  readonly bytes: number;
  readonly sha256: string;
  /** The contents, when at most LOADED_TEXT_LIMIT bytes: UTF-8 text (CSV, JSON), else base64 (.npy). */
  readonly text?: string;
  readonly base64?: string;
}

/** run.json's `model`: what was run, whole. */
export interface RunModel {
  readonly name: string;
  readonly file: string;
  readonly sha256: string;
  /** The model's source text. */
  readonly source?: string;
  /** The folder `load` paths were relative to. */
  readonly dir?: string;
  readonly loaded?: readonly LoadedFile[];
}

const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** The folder a model's `load` paths are relative to (a model from standard input: the working folder). */
export function modelDir(model: ModelSource): string {
  return path.dirname(path.resolve(model.file));
}

/** The last source loadPaths parsed and its paths: a batched sweep records one model for each of its seeds, parsed once. */
let lastLoadPaths: { readonly source: string; readonly paths: readonly string[] } | undefined;

/** The paths of every `let x = load("...")` of a source text (none when it does not parse). */
export function loadPaths(source: string): string[] {
  if (lastLoadPaths?.source !== source) lastLoadPaths = { source, paths: parsedLoadPaths(source) };
  return [...lastLoadPaths.paths];
}

function parsedLoadPaths(source: string): string[] {
  // a source without the word has no load() call: no parse needed
  if (!source.includes('load')) return [];
  const r = parse(source, 'model.loss');
  if (!r.ok) return [];
  const out: string[] = [];
  for (const s of r.program.statements) {
    if (s.kind !== 'LetStmt' || s.value.kind !== 'Call' || s.value.callee.name !== 'load') continue;
    const arg = s.value.args[0];
    if (arg?.kind === 'Str' && !out.includes(arg.value)) out.push(arg.value);
  }
  return out;
}

/** The files the model loads, read now (after a successful compile, so they exist). */
export function loadedFiles(source: string, dir: string): LoadedFile[] {
  return loadPaths(source).flatMap((p) => {
    const resolved = path.resolve(dir, p);
    let read: ReturnType<typeof hashBounded>;
    try {
      // hashed in bounded chunks: a 300 MB data file is never held whole here
      read = hashBounded(resolved, LOADED_HASH_LIMIT, LOADED_TEXT_LIMIT);
    } catch {
      return [];
    }
    const data = read.contents;
    const binary = path.extname(resolved).toLowerCase() === '.npy';
    return [{
      path: p,
      resolved,
      bytes: read.bytes,
      sha256: read.sha256,
      ...(data !== undefined && !binary ? { text: data.toString('utf8') } : {}),
      ...(data !== undefined && binary ? { base64: data.toString('base64') } : {}),
    }];
  });
}

/** run.json's model record of a model about to run. */
export function runModel(model: ModelSource): RunModel {
  if (model.recorded) return model.recorded;
  const dir = modelDir(model);
  const loaded = loadedFiles(model.source, dir);
  return { name: model.name, file: model.file, sha256: sha256(model.source), source: model.source, dir, ...(loaded.length > 0 ? { loaded } : {}) };
}

function contents(f: LoadedFile): Buffer | null {
  if (f.text !== undefined) return Buffer.from(f.text, 'utf8');
  if (f.base64 !== undefined) return Buffer.from(f.base64, 'base64');
  return null;
}

function onDiskMatches(f: LoadedFile): boolean {
  try {
    return hashBounded(f.resolved, LOADED_HASH_LIMIT).sha256 === f.sha256;
  } catch {
    return false;
  }
}

/**
 * The model of a recorded run, to run again exactly: its stored text, and the files it loaded as
 * they were. When every loaded file is unchanged on disk the model compiles in its own folder;
 * otherwise the stored files are written into a temporary folder that mirrors the original paths
 * (a file too large to be stored must be unchanged on disk). `where` names the run for messages.
 */
export function recordedModel(m: RunModel, where: string, command = 'run'): ModelSource {
  if (typeof m.source !== 'string') {
    throw new CliError(`descent ${command}: ${where} does not hold its model's text (it was made by an older descent); run the model file again instead.`);
  }
  const dir = m.dir ?? path.dirname(path.resolve(m.file));
  const loaded = m.loaded ?? [];
  const base: ModelSource = { name: m.name, file: m.file, source: m.source, prebuilt: false, recorded: m };
  if (loaded.every(onDiskMatches)) return { ...base, compileAs: path.join(dir, path.basename(m.file)) };
  // the original folder, mirrored under a temporary root: relative load paths find the stored files
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'descent-rerun-'));
  const mirror = (p: string): string => path.join(root, path.resolve(p));
  for (const f of loaded) {
    if (onDiskMatches(f)) continue;
    const data = contents(f);
    if (path.isAbsolute(f.path) || data === null || sha256(data) !== f.sha256) {
      const why = path.isAbsolute(f.path) ? 'by an absolute path' : `(${f.bytes} bytes, too large to be stored in run.json)`;
      throw new CliError(`descent ${command}: ${where} loaded ${f.path} ${why}, and ${f.resolved} is no longer that file (its sha256 differs); restore it to run the model again exactly.`);
    }
    fs.mkdirSync(path.dirname(mirror(f.resolved)), { recursive: true });
    fs.writeFileSync(mirror(f.resolved), data);
  }
  for (const f of loaded) {
    if (fs.existsSync(mirror(f.resolved))) continue;
    fs.mkdirSync(path.dirname(mirror(f.resolved)), { recursive: true });
    fs.copyFileSync(f.resolved, mirror(f.resolved));
  }
  return { ...base, compileAs: path.join(mirror(dir), path.basename(m.file)) };
}
