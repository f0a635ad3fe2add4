"""Score matching (arXiv 2511.22069): the student score of an equal-weight GMM against N(0, I).

L = E_{x~N(0,I)} |sum_i w_i(x) mu_i|^2 with w = softmax_i(x.mu_i - |mu_i|^2/2) (the model's
E|grad log p(x) + x|^2); grad_{mu_i} L = 2 E[ w_i v + w_i ((mu_i - v).v)(x - mu_i) ] with
v = sum_i w_i mu_i (papers.md section 1(b)). Quadrature replaces the model's fresh samples.
"""
import numpy as np

from common import gauss_hermite_grid, softmax

NAME = "score-matching"
MODEL = "score-matching"
D, N, K = 3, 5, 8
SETTINGS = {"overrides": {"M": 4}, "expect": {"quadrature": K}}
LR = 0.01
STEPS = 2000
RECORD = [0, 1, 10, 100, 1000, 2000]
X, WX = gauss_hermite_grid(K, D)


def init(rng):
    # the paper's cluster at (M, 0, 0), spread 1e-2 instead of 1e-7 so the break-up stays gentle
    return {"mu": np.array([4.0, 0.0, 0.0])[None, :] + 1e-2 * rng.standard_normal((N, D))}


def loss_and_grad(p):
    mu = p["mu"]
    w = softmax(X @ mu.T - 0.5 * np.sum(mu * mu, axis=1)[None, :], axis=1)   # [points, n]
    v = w @ mu                                                               # [points, d]
    loss = np.dot(WX, np.sum(v * v, axis=1))
    grad = np.zeros_like(mu)
    for i in range(N):
        c = np.sum((mu[i][None, :] - v) * v, axis=1)                         # (mu_i - v).v
        term = w[:, i:i + 1] * (v + c[:, None] * (X - mu[i][None, :]))
        grad[i] = 2 * WX @ term
    return float(loss), {"mu": grad}
