"""Shared pieces of the independent numpy references: quadrature, gradient descent, fixture output.

Each problem module defines NAME, MODEL (a prebuilt model of packages/models), SETTINGS (the
overrides and expectation the test compiles it with), LR, STEPS, RECORD (steps whose loss is
stored), init(rng) -> dict of arrays, and loss_and_grad(params) -> (loss, dict of gradients),
written from the mathematics of the papers, not from descent's code.
"""
import json
import os

import numpy as np

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "models", "fixtures", "reference")


def gauss_hermite_grid(K, d):
    """Tensor-product Gauss-Hermite rule for E over x ~ N(0, I_d): points [K^d, d], weights summing to 1."""
    x, w = np.polynomial.hermite_e.hermegauss(K)
    w = w / w.sum()
    grids = np.meshgrid(*([x] * d), indexing="ij")
    wgrids = np.meshgrid(*([w] * d), indexing="ij")
    points = np.stack([g.ravel() for g in grids], axis=1)
    weights = np.prod(np.stack([g.ravel() for g in wgrids], axis=1), axis=1)
    return points, weights


def logsumexp(a, axis):
    m = np.max(a, axis=axis, keepdims=True)
    return (m + np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True))).squeeze(axis)


def softmax(a, axis):
    e = np.exp(a - np.max(a, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def trajectory(problem, params):
    """Plain gradient descent p <- p - lr * grad for STEPS steps; the loss at RECORD steps (the loss
    at step t is evaluated before update t+1, as descent logs it) and the final parameters."""
    record = set(problem.RECORD)
    losses = []
    for t in range(problem.STEPS + 1):
        loss, grad = problem.loss_and_grad(params)
        if t in record:
            losses.append(loss)
        if t == problem.STEPS:
            break
        params = {k: v - problem.LR * grad[k] for k, v in params.items()}
    return losses, params


def write_fixture(problem, seed=0):
    rng = np.random.default_rng(seed)
    init = problem.init(rng)
    loss0, grad0 = problem.loss_and_grad(init)
    losses, final = trajectory(problem, dict(init))
    out = {
        "about": "written by reference/%s.py (numpy %s); regenerate with python3 reference/generate.py" % (problem.NAME, np.__version__),
        "model": problem.MODEL,
        "settings": problem.SETTINGS,
        "lr": problem.LR,
        "steps": problem.STEPS,
        "init": {k: v.tolist() for k, v in init.items()},
        "initial": {"loss": loss0, "grad": {k: v.tolist() for k, v in grad0.items()}},
        "record": list(problem.RECORD),
        "loss": losses,
        "final": {k: v.tolist() for k, v in final.items()},
    }
    os.makedirs(FIXTURES, exist_ok=True)
    path = os.path.join(FIXTURES, problem.NAME + ".json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)  # json writes floats with repr: they round-trip exactly
        f.write("\n")
    return path
