// Checksums over JSON state (checkpoint.json, run.json's identity): one over the whole, one per field, so a mismatch names the field.
import { createHash } from 'node:crypto';

/**
 * The checksums of a JSON value: `sha256` of its canonical text, and per field (each leaf: a
 * number, string, boolean, null or array of numbers, by its path such as `optimizer.buffers.m[0]`)
 * the first 16 hex digits of its own sha256.
 */
export interface Seal {
  readonly algorithm: 'sha256';
  readonly sha256: string;
  readonly fields: Readonly<Record<string, string>>;
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** JSON text with object keys sorted at every level (non-finite numbers as strings, as the run files write them). */
export function canonicalJson(v: unknown): string {
  if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : JSON.stringify(String(v));
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isObj(v)) {
    return `{${Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Every leaf of `v` with its path; arrays of numbers are one leaf, other arrays are walked. */
function leaves(v: unknown, at: string, out: Map<string, unknown>): Map<string, unknown> {
  if (isObj(v)) {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined);
    if (keys.length === 0) out.set(at, v);
    for (const k of keys) leaves(v[k], at === '' ? k : `${at}.${k}`, out);
  } else if (Array.isArray(v) && v.some((x) => typeof x === 'object' && x !== null || typeof x === 'string')) {
    v.forEach((x, i) => leaves(x, `${at}[${i}]`, out));
    if (v.length === 0) out.set(at, v);
  } else {
    out.set(at, v);
  }
  return out;
}

/** The checksums of `value`. */
export function seal(value: unknown): Seal {
  const fields: Record<string, string> = {};
  for (const [p, x] of leaves(value, '', new Map())) fields[p] = sha256(canonicalJson(x)).slice(0, 16);
  return { algorithm: 'sha256', sha256: sha256(canonicalJson(value)), fields };
}

/** Whether `x` has the form of a Seal. */
export function isSeal(x: unknown): x is Seal {
  return isObj(x) && x['algorithm'] === 'sha256' && typeof x['sha256'] === 'string' && isObj(x['fields']) && Object.values(x['fields']).every((h) => typeof h === 'string');
}

/**
 * What differs between `value` and the seal it was written with: [] when intact; else the fields
 * changed, missing or added, by path ("the checksum table" itself when only the seal was edited).
 */
export function brokenFields(value: unknown, s: Seal): string[] {
  const now = seal(value);
  if (now.sha256 === s.sha256) return [];
  const out: string[] = [];
  for (const [p, h] of Object.entries(now.fields)) {
    if (!(p in s.fields)) out.push(`${p} (added)`);
    else if (s.fields[p] !== h) out.push(p);
  }
  for (const p of Object.keys(s.fields)) if (!(p in now.fields)) out.push(`${p} (removed)`);
  return out.length > 0 ? out : ['the checksums themselves'];
}

/** "field a", "fields a, b and c" (the first few). */
export function fieldList(paths: readonly string[], max = 4): string {
  const shown = paths.slice(0, max);
  const more = paths.length > max ? ` and ${paths.length - max} more` : '';
  const list = shown.length === 1 ? shown[0]! : `${shown.slice(0, -1).join(', ')}${more ? '' : ' and '}${more ? `, ${shown[shown.length - 1]!}` : shown[shown.length - 1]!}`;
  return `field${paths.length === 1 ? '' : 's'} ${list}${more}`;
}
