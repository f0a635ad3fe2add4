// What each declaration stands for while lowering, in nested scopes. Names were resolved by the
// checker (check/bound.ts): scopes are keyed by the declaration, never by a name's spelling.
import type { FuncStmt } from '../ast.js';
import type { GlobalInfo, Local } from '../check/scope.js';
import type { Val } from './values.js';

/** What a declaration is bound to while lowering. */
export type Binding =
  | { readonly kind: 'value'; readonly val: Val }
  | { readonly kind: 'dim'; readonly value: number }
  /**
   * An index variable bound by a reduction, softmax or `metric name[i]`: `w[i]` names an axis.
   * `size` is its range when known before the body is lowered (needed to use `i` as a value).
   */
  | { readonly kind: 'index'; readonly size?: number }
  /** A global whose statement failed to lower: uses of it add no second error. */
  | { readonly kind: 'failed' }
  | { readonly kind: 'function'; readonly stmt: FuncStmt };

/** A declaration that holds a value while lowering (built-in constants and `step` need no scope). */
export type Bound = GlobalInfo | Local;

export class Scope {
  private readonly values = new Map<Bound, Binding>();

  constructor(private readonly parent?: Scope) {}

  get(declaration: Bound): Binding | undefined {
    return this.values.get(declaration) ?? this.parent?.get(declaration);
  }

  set(declaration: Bound, binding: Binding): void {
    this.values.set(declaration, binding);
  }

  child(): Scope {
    return new Scope(this);
  }
}
