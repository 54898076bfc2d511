#!/usr/bin/env bash
# Stops what tools/slurm/start-cluster.sh DIR started: slurmd, slurmctld, and munged when that script started it.
set -uo pipefail
dir=${1:-/tmp/mnist-slurm}
pids=()
for daemon in slurmd slurmctld; do
  [ -f "$dir/$daemon.pid" ] && pids+=("$(cat "$dir/$daemon.pid")")
done
if [ -f "$dir/munged.ours" ] && [ -f /run/munge/munged.pid ]; then
  pids+=("$(cat /run/munge/munged.pid)")
  rm -f "$dir/munged.ours"
fi
[ ${#pids[@]} -gt 0 ] || exit 0
kill "${pids[@]}" 2>/dev/null
# slurmctld saves its state before it exits: wait for all of them (10 s at most) so that the next start is clean.
for _ in $(seq 100); do
  alive=0
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
  [ $alive = 0 ] && exit 0
  sleep 0.1
done
echo "stop-cluster: still running after 10 s: ${pids[*]}" >&2
exit 0
