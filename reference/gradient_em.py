"""Gradient EM (arXiv 2407.00490): n equal-weight unit-variance components fit N(0, I_d).

KL(p* || p) up to a constant = -E_{x~N(0,I)}[ logsumexp_i(log pi_i + x.mu_i - |mu_i|^2/2) ];
its gradient is Fisher's identity, grad_{mu_i} = -E[psi_i(x) (x - mu_i)] (papers.md section 3).
The expectation is the K^d Gauss-Hermite grid, as the model's `expect quadrature(20)`.
"""
import numpy as np

from common import gauss_hermite_grid, logsumexp, softmax

NAME = "gradient-em"
MODEL = "gradient-em"
D, N, K = 2, 5, 20
SETTINGS = {"overrides": {}, "expect": {"quadrature": K}}
LR = 1.0
STEPS = 2000
RECORD = [0, 1, 10, 100, 1000, 2000]
X, WX = gauss_hermite_grid(K, D)
PI = np.full(N, 1.0 / N)


def init(rng):
    return {"mu": rng.standard_normal((N, D))}


def loss_and_grad(p):
    mu = p["mu"]
    logits = np.log(PI)[None, :] + X @ mu.T - 0.5 * np.sum(mu * mu, axis=1)[None, :]
    loss = -np.dot(WX, logsumexp(logits, axis=1))
    psi = softmax(logits, axis=1)                                  # [points, n]
    grad = -(psi * WX[:, None]).T @ X + np.sum(psi * WX[:, None], axis=0)[:, None] * mu
    return float(loss), {"mu": grad}
