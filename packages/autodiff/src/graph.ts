// Graph walks: iterative topological order of the tracked nodes behind some outputs.
import type { Tensor } from './tensor.js';

/** Every node reachable from `outputs` through recorded inputs, each after all its inputs. */
export function topoSort(outputs: readonly Tensor[]): Tensor[] {
  const order: Tensor[] = [];
  const state = new Map<number, 1 | 2>(); // 1: on the stack, 2: emitted
  const stack: { node: Tensor; next: number }[] = [];
  for (const root of outputs) {
    if (state.has(root.id)) continue;
    stack.push({ node: root, next: 0 });
    state.set(root.id, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.next < top.node.inputs.length) {
        const child = top.node.inputs[top.next++]!;
        if (!state.has(child.id)) {
          state.set(child.id, 1);
          stack.push({ node: child, next: 0 });
        }
      } else {
        stack.pop();
        state.set(top.node.id, 2);
        order.push(top.node);
      }
    }
  }
  return order;
}
