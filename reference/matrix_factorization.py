"""Four-layer matrix factorization with balancing regularizer (arXiv 2511.09925), real case.

L = 1/2 |S - W4 W3 W2 W1|_F^2 + a/4 sum_j |W_j W_j' - W_{j+1}' W_{j+1}|_F^2, gradients
grad_{W_j} = -(W_4..W_{j+1})' (S - W) (W_{j-1}..W_1)' - a W_j D_{j-1,j} + a D_{j,j+1} W_j
(papers.md section 2(b)).
"""
import numpy as np

NAME = "matrix-factorization"
MODEL = "matrix-factorization"
D, A = 3, 10.0
SETTINGS = {"overrides": {}, "expect": None}
LR = 0.02
STEPS = 3000
RECORD = [0, 1, 10, 100, 1000, 2000, 3000]
S = np.eye(D)


def init(rng):
    return {"W%d" % j: 0.3 * rng.standard_normal((D, D)) for j in range(1, 5)}


def loss_and_grad(p):
    W = [None] + [p["W%d" % j] for j in range(1, 5)]
    prod = W[4] @ W[3] @ W[2] @ W[1]
    R = S - prod
    delta = {j: W[j] @ W[j].T - W[j + 1].T @ W[j + 1] for j in range(1, 4)}
    loss = 0.5 * np.sum(R * R) + A / 4 * sum(np.sum(dj * dj) for dj in delta.values())
    eye = np.eye(D)
    grads = {}
    for j in range(1, 5):
        left = eye
        for k in range(4, j, -1):
            left = left @ W[k]                      # W_4 ... W_{j+1}
        right = eye
        for k in range(j - 1, 0, -1):
            right = right @ W[k]                    # W_{j-1} ... W_1
        g = -left.T @ R @ right.T
        if j > 1:
            g = g - A * W[j] @ delta[j - 1]
        if j < 4:
            g = g + A * delta[j] @ W[j]
        grads["W%d" % j] = g
    return float(loss), grads
