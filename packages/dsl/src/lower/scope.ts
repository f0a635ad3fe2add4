// Lexical scopes of the lowering: what each name stands for where it is used.
import type { FuncStmt } from '../ast.js';
import type { Val } from './values.js';

/** What a name is bound to while lowering. */
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

export class Scope {
  private readonly names = new Map<string, Binding>();

  constructor(private readonly parent?: Scope) {}

  get(name: string): Binding | undefined {
    return this.names.get(name) ?? this.parent?.get(name);
  }

  set(name: string, binding: Binding): void {
    this.names.set(name, binding);
  }

  child(): Scope {
    return new Scope(this);
  }

  /** Every visible name, innermost first (for "did you mean"). */
  visible(): string[] {
    return [...this.names.keys(), ...(this.parent?.visible() ?? [])];
  }
}
