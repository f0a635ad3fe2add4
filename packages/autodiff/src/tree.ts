// Pytrees: tensors nested in arrays and plain objects, as transformation arguments and results.
import { Tensor, toTensor, type TensorLike } from './tensor.js';

/** A tensor, a number, or arrays and plain objects of them, nested: `{ W: t, layers: [{ b: t }] }`. */
export type TreeLike = TensorLike | readonly TreeLike[] | { readonly [key: string]: TreeLike };

/** The structure of T with every leaf a Tensor: what gradients with respect to T look like. */
export type TensorTree<T> = T extends TensorLike
  ? Tensor
  : T extends readonly unknown[]
    ? { -readonly [K in keyof T]: TensorTree<T[K]> }
    : { -readonly [K in keyof T]: TensorTree<T[K]> };

/** What a caller may pass where T is expected: a number wherever T has a tensor. */
export type InputTree<T> = T extends Tensor
  ? TensorLike
  : T extends readonly unknown[]
    ? { [K in keyof T]: InputTree<T[K]> }
    : T extends object
      ? { [K in keyof T]: InputTree<T[K]> }
      : T;

/** A tree taken apart: its leaves in order and how to put leaves back into its shape. */
export interface FlatTree {
  readonly leaves: Tensor[];
  /** Where each leaf sits, for messages: `params.layers[1].W`. */
  readonly paths: string[];
  rebuild(leaves: readonly Tensor[]): unknown;
}

function isPlainObject(x: object): boolean {
  const proto: unknown = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/** Why `x` is not a tree, or undefined when it is one (checked before flattening, with its path). */
function refuse(x: unknown, path: string): string | undefined {
  if (x === undefined) return `${path} is missing (undefined)`;
  if (x === null) return `${path} is null: expected a tensor, a number, or an array or object of them`;
  if (ArrayBuffer.isView(x)) {
    const kind = x.constructor.name;
    return kind === 'Float64Array'
      ? `${path} is a Float64Array, which has no shape: wrap it with tensor(values, shape)`
      : `${path} is a ${kind}: descent computes in float64; convert it with tensor(Float64Array.from(values), shape)`;
  }
  if (typeof x === 'number' || x instanceof Tensor || Array.isArray(x)) return undefined;
  if (typeof x === 'object' && isPlainObject(x)) return undefined;
  return `${path} is ${typeof x === 'object' ? `a ${x.constructor.name}` : `a ${typeof x}`}: expected a tensor, a number, or an array or object of them`;
}

/** Leaves in order (arrays by index, objects by their keys in insertion order), numbers as scalar tensors. */
export function flattenTree(value: unknown, path: string): FlatTree {
  const leaves: Tensor[] = [];
  const paths: string[] = [];
  const walk = (x: unknown, p: string): ((next: () => Tensor) => unknown) => {
    const why = refuse(x, p);
    if (why !== undefined) throw new TypeError(why);
    if (typeof x === 'number' || x instanceof Tensor) {
      leaves.push(toTensor(x));
      paths.push(p);
      return (next) => next();
    }
    if (Array.isArray(x)) {
      const parts = x.map((item: unknown, i) => walk(item, `${p}[${i}]`));
      return (next) => parts.map((part) => part(next));
    }
    const entries = Object.entries(x as Record<string, unknown>).map(([k, v]) => [k, walk(v, `${p}.${k}`)] as const);
    return (next) => Object.fromEntries(entries.map(([k, part]) => [k, part(next)]));
  };
  const build = walk(value, path);
  return {
    leaves,
    paths,
    rebuild(values) {
      if (values.length !== leaves.length) throw new RangeError(`rebuild of ${path}: ${values.length} leaves for ${leaves.length} places`);
      let k = 0;
      return build(() => values[k++]!);
    },
  };
}
