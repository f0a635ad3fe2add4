# The same MLP in JAX + optax, for comparison (not run by CI: no JAX here). Same shapes, data rule and steps.
import jax, jax.numpy as jnp, optax

k1, k2, k3 = jax.random.split(jax.random.PRNGKey(0), 3)
X = jax.random.normal(k1, (64, 2))
Y = jnp.sin(X.sum(1, keepdims=True))
params = {"W1": 0.5 * jax.random.normal(k2, (2, 16)), "b1": jnp.zeros(16), "W2": 0.5 * jax.random.normal(k3, (16, 1)), "b2": jnp.zeros(1)}

net = lambda p, x: jnp.tanh(x @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]
loss = lambda p, x, y: jnp.mean((net(p, x) - y) ** 2)

opt = optax.adam(1e-2)
opt_state = opt.init(params)
@jax.jit
def step(params, opt_state, x, y):
    l, g = jax.value_and_grad(loss)(params, x, y)
    updates, opt_state = opt.update(g, opt_state)
    return optax.apply_updates(params, updates), opt_state, l
losses = []
for i in range(2000):
    params, opt_state, l = step(params, opt_state, X, Y)
    losses.append(float(l))

hv = jax.jvp(jax.grad(lambda p: loss(p, X, Y)), (params,), (params,))[1]
d2 = jax.grad(lambda x: jax.grad(lambda z: net(params, z).sum())(x).sum())(X)
print(f"loss {losses[0]:.3f} -> {losses[-1]:.2e}, (H·p)[W2][0] = {hv['W2'][0, 0]:.4g}, d²net/dx² at x0 = {d2[0, 0]:.4g}")
