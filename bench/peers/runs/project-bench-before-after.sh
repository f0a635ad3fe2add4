# PROJECT_BENCH for ../shared/peers/run_all.sh that times this checkout ("descent") and an older
# build of descent (BEFORE_DIR, a built checkout; its rows are renamed "descent-<rev>") in the same
# cell of the same run, plus the fixed-batch numpy peer of P5. Used for the run stored beside it:
#   PROJECT_DIR=$PWD PROJECT_BENCH="BEFORE_DIR=/work/wt-before PEERS_DIR=/tmp/peers bash bench/peers/runs/project-bench-before-after.sh" \
#     SKIP_DIAG=1 SKIP_TORCH_DEFAULT=1 bash /tmp/peers/run_all.sh
node bench/peers.mjs
if [ -n "${BEFORE_DIR:-}" ]; then
  rev=$(git -C "$BEFORE_DIR" rev-parse --short HEAD)
  ( cd "$BEFORE_DIR" && node bench/peers.mjs ) | sed -e "s/\"peer\":\"descent\"/\"peer\":\"descent-$rev\"/" -e "s/\"peer\":\"descent-dbl\"/\"peer\":\"descent-dbl-$rev\"/"
fi
if [ "${BENCH_CELL%%/*}" = P5 ]; then
  BENCH_FILTER="^${BENCH_CELL}/" OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python3 bench/peers/p5_fixed_numpy.py
fi
