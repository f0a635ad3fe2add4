"""ReLU neuron (arXiv 2302.10034): n students learn one teacher, closed-form population loss.

L = 1/2 [ sum_{i,j} g(w_i, w_j) - 2 sum_i g(w_i, v) + g(v, v) ], with the arc-cosine kernel
g(u, w) = |u||w| (sin th + (pi - th) cos th) / (2 pi), th = angle(u, w); and its gradient
dg(u, w)/dw = ((pi - th) u + sin th |u| w/|w|) / (2 pi) (papers.md section 4).
"""
import numpy as np

NAME = "relu-neuron"
MODEL = "relu-neuron"
D, N = 5, 2
SETTINGS = {"overrides": {}, "expect": None}
LR = 0.1
STEPS = 3000
RECORD = [0, 1, 10, 100, 1000, 2000, 3000]
V = np.eye(D)[0]


def angle(u, w):
    c = np.dot(u, w) / (np.linalg.norm(u) * np.linalg.norm(w))
    return np.arccos(np.clip(c, -1.0, 1.0))


def g(u, w):
    th = angle(u, w)
    return np.linalg.norm(u) * np.linalg.norm(w) * (np.sin(th) + (np.pi - th) * np.cos(th)) / (2 * np.pi)


def dg_dw(u, w):
    th = angle(u, w)
    return ((np.pi - th) * u + np.sin(th) * np.linalg.norm(u) * w / np.linalg.norm(w)) / (2 * np.pi)


def init(rng):
    # a spread larger than the model's 1e-3, so that 3000 steps leave the first phase
    return {"w": 0.1 * rng.standard_normal((N, D))}


def loss_and_grad(p):
    w = p["w"]
    loss = sum(g(w[i], w[j]) for i in range(N) for j in range(N)) - 2 * sum(g(w[i], V) for i in range(N)) + g(V, V)
    grad = np.zeros_like(w)
    for i in range(N):
        # d/dw_i of sum_{j,k} g(w_j, w_k): both slots; g(w_i, w_i) = |w_i|^2/2 gives w_i
        grad[i] = w[i] + sum(2 * dg_dw(w[j], w[i]) for j in range(N) if j != i) - 2 * dg_dw(V, w[i])
    return float(0.5 * loss), {"w": 0.5 * grad}
