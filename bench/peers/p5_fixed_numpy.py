"""numpy-hand on P5 with one fixed batch (peer "numpy-hand-fixed"): the peers' own p5_loss_grad and
timing harness on make_data(..., fixed_batch=True), beside descent's "descent-fixed" (p5-fixed.loss).
Usage: PEERS_DIR=../shared/peers OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python3 bench/peers/p5_fixed_numpy.py
(one JSON line per P5 size, same fields as the peers' bench_numpy.py)."""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.environ.get("PEERS_DIR", os.path.join(here, "..", "..", "..", "shared", "peers")), "py"))

import numpy as np  # noqa: E402

import harness  # noqa: E402
import problems as P  # noqa: E402

for prob, size, dims in P.SIZES:
    if prob != "P5" or not harness.selected(prob, size, "numpy-hand-fixed"):
        continue
    params, consts = P.make_data(prob, dims, fixed_batch=True)

    def step():
        L, grads = P.p5_loss_grad(params, consts)
        params[0] -= P.LR * grads[0]
        return float(L)

    r = harness.time_steps(step)
    r.update(problem=prob, size=size, dims=dims, peer="numpy-hand-fixed", dtype=str(params[0].dtype),
             threads="1", info="numpy %s; fixed batch (make_data fixed_batch=True)" % np.__version__)
    harness.emit(r)
