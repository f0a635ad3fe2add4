// Parameter values as JSON: nested arrays shaped like the declarations, both ways, with shape errors.
import type { ParamInfo } from '@descent/dsl';
import { JSON_READ_LIMIT, readTextBounded, ReadRefused } from './bounded-read.js';
import { CliError } from './errors.js';

export type Nested = number | Nested[];

/** A flat row-major array as nested arrays of `shape` ([] gives the number itself). */
export function nest(data: ArrayLike<number>, shape: readonly number[]): Nested {
  if (shape.length === 0) return data[0]!;
  let i = 0;
  const build = (d: number): Nested[] => {
    const out: Nested[] = [];
    for (let k = 0; k < shape[d]!; k++) out.push(d === shape.length - 1 ? data[i++]! : build(d + 1));
    return out;
  };
  return build(0);
}

/**
 * An empty record without a prototype, for keys that are user names: a parameter, metric or
 * `--set` name such as `__proto__` or `constructor` is then a key like any other.
 */
export function nameRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** Every parameter, by name, as nested arrays. */
export function paramsToJson(info: readonly ParamInfo[], values: readonly Float64Array[]): Record<string, Nested> {
  const out = nameRecord<Nested>();
  info.forEach((p, k) => (out[p.name] = nest(values[k]!, p.shape)));
  return out;
}

const shapeText = (shape: readonly number[]): string => (shape.length === 0 ? 'a number' : `shape [${shape.join(', ')}]`);

/**
 * Writes the nested value into `out` (row-major), checking it has `shape`; the error names the
 * parameter and the path of the first mismatch: `w[1]` has 4 entries, want 5.
 */
export function flattenInto(value: unknown, shape: readonly number[], out: Float64Array, name: string, file: string): void {
  let i = 0;
  const walk = (v: unknown, d: number, where: string): void => {
    if (d === shape.length) {
      if (typeof v !== 'number' && !(typeof v === 'string' && ['NaN', 'Infinity', '-Infinity'].includes(v))) {
        throw new CliError(`${file}: ${where} should be a number, got ${JSON.stringify(v)?.slice(0, 40) ?? String(v)} (${name} has ${shapeText(shape)}).`);
      }
      out[i++] = Number(v);
      return;
    }
    if (!Array.isArray(v)) {
      throw new CliError(`${file}: ${where} should be an array of ${shape[d]} (${name} has ${shapeText(shape)}), got ${typeof v === 'number' ? 'a number' : JSON.stringify(v)?.slice(0, 40)}.`);
    }
    if (v.length !== shape[d]) {
      throw new CliError(`${file}: ${where} has ${v.length} entr${v.length === 1 ? 'y' : 'ies'}, want ${shape[d]} (${name} has ${shapeText(shape)}).`);
    }
    v.forEach((x, k) => walk(x, d + 1, `${where}[${k}]`));
  };
  walk(value, 0, name);
}

/**
 * Reads parameter values from a JSON file: `{"w": [[...]], ...}`, or a run.json (its "params").
 * Every parameter of the model must be given, and nothing else.
 */
export function readParams(file: string, info: readonly ParamInfo[]): Float64Array[] {
  let raw: unknown;
  let text: string;
  try {
    // a regular file of bounded size: a FIFO, a device (/dev/zero) or a huge file is refused unread
    text = readTextBounded(file, JSON_READ_LIMIT);
  } catch (e) {
    if (!(e instanceof ReadRefused)) throw e;
    throw new CliError(`descent eval: cannot read --params ${file}: it ${e.reason}.`);
  }
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CliError(`descent eval: cannot read --params ${file}: not valid JSON (${(e as Error).message.slice(0, 200)}).`);
  }
  if (raw && typeof raw === 'object' && !Array.isArray(raw) && 'params' in raw && typeof (raw as { params: unknown }).params === 'object') {
    raw = (raw as { params: unknown }).params; // a run.json
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new CliError(`descent eval: --params ${file} should hold an object of parameter values, e.g. {"${info[0]?.name ?? 'w'}": [...]}.`);
  }
  const obj = raw as Record<string, unknown>;
  const names = info.map((p) => p.name);
  const extra = Object.keys(obj).filter((k) => !names.includes(k));
  if (extra.length > 0) throw new CliError(`descent eval: --params ${file} gives ${extra.map((e) => `"${e}"`).join(', ')}, which ${extra.length === 1 ? 'is not a parameter' : 'are not parameters'} of the model; its parameters are ${names.join(', ')}.`);
  const missing = info.filter((p) => !(p.name in obj));
  if (missing.length > 0) throw new CliError(`descent eval: --params ${file} has no value for ${missing.map((p) => `${p.name} (${shapeText(p.shape)})`).join(', ')}; give every parameter.`);
  return info.map((p) => {
    const out = new Float64Array(p.size);
    flattenInto(obj[p.name], p.shape, out, p.name, file);
    return out;
  });
}
