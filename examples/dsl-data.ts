// A .loss model compiled from JavaScript with its data passed in, trained by the library's Adam over its named parameters.
import { Random } from '@descent/autodiff';
import { adam } from '@descent/autodiff/optim';
import { compile } from '@descent/dsl';

const source = `
dim n = 50, d = 3
let X[n, d] = load("x.csv")
let y[n] = load("y.csv")
param w[d] ~ normal(0, 1)
loss = mean_{i}((sum_{j}(X[i, j] * w[j]) - y[i])^2)
`;
const rng = new Random(1);
const X = rng.randn([50, 3]);
const y = Array.from({ length: 50 }, (_, i) => X.data[3 * i]! - 2 * X.data[3 * i + 1]! + 0.5 * X.data[3 * i + 2]!);

// `data` takes the place of the two load() calls: no file is read
const program = compile(source, { data: { X, y } });
const opt = adam(program.parameters, { lr: 0.05 });
let loss = 0;
for (let t = 0; t < 1000; t++) {
  const [value, grads] = program.valueAndGrad();
  loss = value;
  opt.update(program.parameters, grads);
}
console.log(`w = [${Array.from(program.parameters['w']!.data, (v) => v.toFixed(3)).join(', ')}], loss ${loss.toExponential(1)}`);
