// The same MLP written positionally, without named parameters or library optimizers: Adam by hand in one compiled plan.
import { add, compile, div, grad, hvp, matmul, mean, mul, Random, sin, sqrt, square, sub, sum, tanh, valueAndGrad, zeros, type Tensor } from '@descent/autodiff';

const rng = new Random(0);
const X = rng.randn([64, 2]);
const Y = sin(sum(X, 1, { keepDims: true }));
const params = [mul(0.5, rng.randn([2, 16])), zeros([16]), mul(0.5, rng.randn([16, 1])), zeros([1])];
const shapes = params.map((p) => p.shape);

const net = (W1: Tensor, b1: Tensor, W2: Tensor, b2: Tensor, x: Tensor): Tensor => add(matmul(tanh(add(matmul(x, W1), b1)), W2), b2);
const loss = (W1: Tensor, b1: Tensor, W2: Tensor, b2: Tensor): Tensor => mean(square(sub(net(W1, b1, W2, b2, X), Y)));

const [lr, beta1, beta2, eps] = [1e-2, 0.9, 0.999, 1e-8];
// inputs: 4 parameters, 4 first moments, 4 second moments, then the bias corrections 1 − β₁ᵗ, 1 − β₂ᵗ
const step = compile((...a: Tensor[]) => {
  const [p, m, v, [c1, c2]] = [a.slice(0, 4), a.slice(4, 8), a.slice(8, 12), a.slice(12, 14)];
  const [l, g] = valueAndGrad(loss, [0, 1, 2, 3])(p[0]!, p[1]!, p[2]!, p[3]!);
  const m2 = m.map((mi, i) => add(mul(beta1, mi), mul(1 - beta1, g[i]!)));
  const v2 = v.map((vi, i) => add(mul(beta2, vi), mul(mul(1 - beta2, g[i]!), g[i]!)));
  const p2 = p.map((pi, i) => sub(pi, div(mul(lr, div(m2[i]!, c1!)), add(sqrt(div(v2[i]!, c2!)), eps))));
  return [l, ...p2, ...m2, ...v2];
}, [...shapes, ...shapes, ...shapes, [], []]);

let state: readonly Tensor[] = [...params, ...shapes.map((s) => zeros(s)), ...shapes.map((s) => zeros(s))];
export const losses: number[] = [];
for (let t = 1; t <= 2000; t++) {
  const out = step.run([...state, Float64Array.of(1 - Math.pow(beta1, t)), Float64Array.of(1 - Math.pow(beta2, t))]);
  losses.push(out[0]!.item());
  state = out.slice(1);
}

const [W1, b1, W2, b2] = state.slice(0, 4) as [Tensor, Tensor, Tensor, Tensor];
export const hv = hvp((p: Tensor[]) => loss(p[0]!, p[1]!, p[2]!, p[3]!), [W1, b1, W2, b2], [W1, b1, W2, b2]);
export const d2 = grad((x: Tensor) => sum(grad((z: Tensor) => sum(net(W1, b1, W2, b2, z)))(x)))(X);
console.log(`loss ${losses[0]!.toFixed(3)} -> ${losses[1999]!.toExponential(2)}, (H·p)[W2][0] = ${hv[2]!.data[0]!.toPrecision(4)}, d²net/dx² at x0 = ${d2.data[0]!.toPrecision(4)}`);
