"""Regenerates test/models/fixtures/reference/*.json from the numpy references (needs numpy).

    python3 reference/generate.py
"""
import gradient_em
import matrix_factorization
import relu_neuron
import score_matching
from common import write_fixture

for problem in (relu_neuron, gradient_em, score_matching, matrix_factorization):
    print(write_fixture(problem))
