// A 2-layer tanh MLP with named parameters, trained by the library's Adam; a Hessian-vector product and a grad of a grad.
import { add, compileTree, grad, hvp, matmul, mean, mul, Random, sin, square, sub, sum, tanh, valueAndGrad, zeros, type Tensor } from '@descent/autodiff';
import { adam } from '@descent/autodiff/optim';

const rng = new Random(0);
const X = rng.randn([64, 2]);
const Y = sin(sum(X, 1, { keepDims: true }));
const params = { W1: mul(0.5, rng.randn([2, 16])), b1: zeros([16]), W2: mul(0.5, rng.randn([16, 1])), b2: zeros([1]) };
type Params = typeof params;

const net = (p: Params, x: Tensor): Tensor => add(matmul(tanh(add(matmul(x, p.W1), p.b1)), p.W2), p.b2);
const loss = (p: Params, x: Tensor, y: Tensor): Tensor => mean(square(sub(net(p, x), y)));

const step = compileTree(valueAndGrad(loss), [params, X, Y]);
const opt = adam(params, { lr: 1e-2 });
export const losses: number[] = [];
for (let i = 0; i < 2000; i++) {
  const [l, g] = step(params, X, Y);
  losses.push(l.item());
  opt.update(params, g);
}

export const hv = hvp((p: Params) => loss(p, X, Y), params, params);
export const d2 = grad((x: Tensor) => sum(grad((z: Tensor) => sum(net(params, z)))(x)))(X);
console.log(`loss ${losses[0]!.toFixed(3)} -> ${losses[1999]!.toExponential(2)}, (H·p)[W2][0] = ${hv.W2.data[0]!.toPrecision(4)}, d²net/dx² at x0 = ${d2.data[0]!.toPrecision(4)}`);
