#!/usr/bin/env bash
# A one-node Slurm cluster with munge on this machine, for `pnpm test:slurm`: install, start, stop.
#
#   scripts/setup-slurm.sh install        Debian's slurm-wlm and munge (as root; skipped when present)
#   scripts/setup-slurm.sh start STATE    install if needed, then a munge key, slurm.conf and the
#                                         daemons (munged, slurmctld, slurmd), all under STATE;
#                                         prints the slurm.conf path (export it as SLURM_CONF)
#   scripts/setup-slurm.sh stop STATE     stops the daemons started in STATE, by their pids
#
# Everything lives in STATE (a folder the caller makes): the daemons listen on their own ports and
# socket, so a Slurm or munge already on the machine is left alone. Any failure prints one line,
# "setup-slurm: <reason>", on stderr and exits 1.
set -uo pipefail

fail() {
  echo "setup-slurm: $*" >&2
  exit 1
}

have_all() {
  for b in sbatch squeue scontrol slurmctld slurmd munged; do
    command -v "$b" >/dev/null 2>&1 || [ -x "/usr/sbin/$b" ] || return 1
  done
}

install_packages() {
  have_all && return 0
  [ "$(id -u)" -eq 0 ] || fail "Slurm is not installed and installing it needs root (apt-get install slurm-wlm munge); run this as root or install those packages."
  command -v apt-get >/dev/null 2>&1 || fail "Slurm is not installed and there is no apt-get to install it (Debian's slurm-wlm and munge)."
  # the packages' scripts must not start the system-wide daemons: only the ones below run
  local policy=/usr/sbin/policy-rc.d own_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && own_policy=1
  fi
  local log
  log=$(mktemp)
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get -o DPkg::Lock::Timeout=600 update >"$log" 2>&1; then
    [ "$own_policy" -eq 1 ] && rm -f "$policy"
    fail "apt-get update failed (is the Debian package registry reachable?): $(grep -m1 -E '^(E|W):' "$log" || tail -n1 "$log")"
  fi
  if ! apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends slurm-wlm munge >"$log" 2>&1; then
    [ "$own_policy" -eq 1 ] && rm -f "$policy"
    fail "apt-get install slurm-wlm munge failed: $(grep -m1 -E '^E:' "$log" || tail -n1 "$log")"
  fi
  [ "$own_policy" -eq 1 ] && rm -f "$policy"
  rm -f "$log"
  have_all || fail "slurm-wlm and munge were installed but sbatch, slurmctld, slurmd or munged is still missing."
}

bin() {
  command -v "$1" 2>/dev/null || echo "/usr/sbin/$1"
}

# Waits up to $2 seconds for the command $1 to succeed.
wait_for() {
  local i
  for ((i = 0; i < $2 * 5; i++)); do
    eval "$1" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  return 1
}

start() {
  local state=$1
  [ -d "$state" ] || fail "no state folder $state."
  state=$(cd "$state" && pwd)
  install_packages
  [ "$(id -u)" -eq 0 ] || fail "starting slurmd needs root (it runs the jobs as their users)."
  mkdir -p "$state"/{munge,ctld,spool,log}
  chmod 700 "$state" "$state/munge"
  # munge: a fresh key, a socket of our own
  dd if=/dev/urandom of="$state/munge/munge.key" bs=1024 count=1 status=none || fail "cannot write a munge key in $state."
  chmod 400 "$state/munge/munge.key"
  "$(bin munged)" --force --key-file="$state/munge/munge.key" --socket="$state/munge/munge.socket" \
    --pid-file="$state/munge/munged.pid" --log-file="$state/log/munged.log" --seed-file="$state/munge/munged.seed" \
    >"$state/log/munged.out" 2>&1 || fail "munged did not start: $(tail -n1 "$state/log/munged.out")"
  wait_for "[ -S '$state/munge/munge.socket' ]" 10 || fail "munged did not open its socket: $(tail -n1 "$state/log/munged.log")"
  # ports of our own (so a system Slurm, if any, is not disturbed), from the state folder's name
  local base=$((17000 + ($(cksum <<<"$state" | cut -d' ' -f1) % 2000) * 2))
  local host cpus mem
  host=$(hostname -s)
  # at least 4 task slots, even on a smaller machine: Slurm's own start-up and clean-up of a task
  # (mostly waiting) then overlap with other tasks' computing
  cpus=$(nproc)
  [ "$cpus" -lt 4 ] && cpus=4
  mem=$(($(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo) / 2))
  cat >"$state/slurm.conf" <<EOF
# A one-node cluster for descent's tests (written by scripts/setup-slurm.sh).
ClusterName=descent-test
SlurmctldHost=$host
SlurmctldPort=$base
SlurmdPort=$((base + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$state/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/spool/%n
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/log/slurmctld.log
SlurmdLogFile=$state/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
JobRequeue=1
KillWait=10
MinJobAge=3600
MaxArraySize=10001
SlurmdTimeout=60
SlurmdParameters=config_overrides
InactiveLimit=0
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
  export SLURM_CONF="$state/slurm.conf"
  "$(bin slurmctld)" -c -f "$state/slurm.conf" >"$state/log/slurmctld.out" 2>&1 || fail "slurmctld did not start: $(tail -n1 "$state/log/slurmctld.out")"
  "$(bin slurmd)" -f "$state/slurm.conf" >"$state/log/slurmd.out" 2>&1 || fail "slurmd did not start: $(tail -n1 "$state/log/slurmd.out")"
  wait_for "[ \"\$(sinfo -h -o %t)\" = idle ]" 60 ||
    fail "the node did not become idle within 60 s (sinfo: $(sinfo -h -o '%t %E' 2>&1 | head -n1); slurmd.log: $(tail -n1 "$state/log/slurmd.log" 2>/dev/null))"
  echo "$state/slurm.conf"
}

stop() {
  local state=$1 f pid
  for f in slurmd.pid slurmctld.pid munge/munged.pid; do
    [ -f "$state/$f" ] || continue
    pid=$(cat "$state/$f")
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
  done
  # wait for them to go, then insist
  for f in slurmd.pid slurmctld.pid munge/munged.pid; do
    [ -f "$state/$f" ] || continue
    pid=$(cat "$state/$f")
    [ -n "$pid" ] || continue
    wait_for "! kill -0 $pid" 15 || kill -KILL "$pid" 2>/dev/null
  done
  return 0
}

case "${1:-}" in
  install) install_packages ;;
  start) start "${2:?usage: setup-slurm.sh start STATE_DIR}" ;;
  stop) stop "${2:?usage: setup-slurm.sh stop STATE_DIR}" ;;
  *) fail "usage: setup-slurm.sh install | start STATE_DIR | stop STATE_DIR" ;;
esac
