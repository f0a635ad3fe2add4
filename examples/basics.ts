// First steps: a gradient, a gradient of a gradient, a Hessian-vector product, a compiled training loop.
import { compile, grad, hvp, mul, Random, sin, sub, sum, tensor, valueAndGrad, type Tensor } from '@descent/autodiff';

// A gradient: f(x) = Σ sin(x_i) x_i, so ∂f/∂x_i = cos(x_i) x_i + sin(x_i).
const f = (x: Tensor): Tensor => sum(mul(sin(x), x));
const x = tensor([0, 1, 2]);
console.log('grad f:', grad(f)(x).toArray());

// A gradient of a gradient: d²/dx² of x³ at x = 2 is 12.
const cube = (x: Tensor): Tensor => sum(mul(mul(x, x), x));
const secondDerivative = grad((x: Tensor) => sum(grad(cube)(x)));
console.log('d2 x^3 at 2:', secondDerivative(tensor([2])).toArray());

// A Hessian-vector product: the Hessian of Σ x_i³ is diag(6 x).
console.log('hvp:', hvp(cube, x, tensor([1, 1, 1])).toArray());

// A compiled training loop: least squares, one plan for loss + gradient + update.
const rng = new Random(0);
const A = rng.randn([20, 3]);
const b = sum(mul(A, tensor([1, -2, 0.5])), 1); // targets from a known w
const loss = (w: Tensor): Tensor => {
  const r = sub(sum(mul(A, w), 1), b); // A w − b
  return mul(0.5, sum(mul(r, r)));
};
const step = compile((w: Tensor) => {
  const [value, g] = valueAndGrad(loss)(w);
  return [value, sub(w, mul(0.02, g))];
}, [[3]]);
let w: Tensor = tensor([0, 0, 0]);
let first = 0;
let last = 0;
for (let i = 0; i < 500; i++) {
  const [value, next] = step.run([w]);
  if (i === 0) first = value!.item();
  last = value!.item();
  w = next!;
}
console.log('loss falls:', first > 1e6 * last);
