// The bound program `check` returns: every name of a checked file resolved to what it declares or refers to.
import type { Ident, LossStmt, Name, ProgramAst } from '../ast.js';
import type { GlobalInfo, Local, Tables } from './scope.js';

/** `pi` or `inf` where the file does not declare them. */
export interface BuiltinConstant {
  readonly kind: 'constant';
  readonly name: string;
  readonly value: number;
}

/** `step`, the number of optimizer steps taken. */
export interface StepCounter {
  readonly kind: 'step';
  readonly name: string;
}

/**
 * What a name stands for: a global (dim, let, param, sample, function: its kind, shape literal
 * and randomness are in GlobalInfo), a local (index variable, `where` name, function argument)
 * or a built-in. Each is one object, so the lowering keys its values by it, never by spelling.
 */
export type Declaration = GlobalInfo | Local | BuiltinConstant | StepCounter;

/** A node that names something: a reference, a declaring or bound identifier, or the objective (it declares `loss`). */
export type Named = Name | Ident | LossStmt;

export const BUILTIN_CONSTANTS: ReadonlyMap<string, BuiltinConstant> = new Map([
  ['pi', { kind: 'constant', name: 'pi', value: Math.PI }],
  ['inf', { kind: 'constant', name: 'inf', value: Infinity }],
]);

export const STEP_COUNTER: StepCounter = { kind: 'step', name: 'step' };

/** The resolution of each name node, recorded by the checker where it resolves the name. */
export class Bindings {
  private readonly of = new Map<Named, Declaration>();

  bind(node: Named, declaration: Declaration): void {
    this.of.set(node, declaration);
  }

  /** What `node` names; undefined for a node the checker did not resolve (it reported an error there). */
  get(node: Named): Declaration | undefined {
    return this.of.get(node);
  }
}

/** A checked file: its AST, its global tables and the declaration every name resolves to. */
export interface BoundProgram {
  readonly ast: ProgramAst;
  readonly tables: Tables;
  readonly bindings: Bindings;
}

/** Whether `d` is a global of kind `kind`. */
export function isGlobal<K extends GlobalInfo['kind']>(d: Declaration | undefined, kind: K): d is GlobalInfo & { kind: K } {
  return d !== undefined && d.kind === kind && 'order' in d;
}
