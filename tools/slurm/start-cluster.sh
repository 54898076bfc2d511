#!/usr/bin/env bash
# Starts a single-node Slurm cluster on localhost for tests: munged (as the munge user), slurmctld and slurmd (as
# root), configured in DIR (default /tmp/mnist-slurm) rather than /etc/slurm. Afterwards run Slurm's commands with
#   export SLURM_CONF=DIR/slurm.conf
# and stop the daemons with tools/slurm/stop-cluster.sh DIR. Needs root and Debian's slurm-wlm and munge packages.
#
# The configuration is the least that runs jobs in a container: processes tracked by their parent ids
# (proctrack/linuxproc) and no task binding (task/none), so no cgroup.conf and no cgroup mounts; one node with the
# machine's CPUs; no accounting. Any failure to start says which daemon and shows the end of its log.
set -euo pipefail

dir=${1:-/tmp/mnist-slurm}
mkdir -p "$dir/state" "$dir/spool" "$dir/log"
conf="$dir/slurm.conf"
cpus=$(nproc)

cat > "$conf" <<CONF
ClusterName=mnist
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=main Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$conf

fail() {
  echo "start-cluster: $1" >&2
  [ -n "${2:-}" ] && [ -f "$2" ] && { echo "--- last lines of $2:" >&2; tail -n 30 "$2" >&2; }
  exit 1
}

# munged: started as the munge user (it refuses to run as root) unless one already answers.
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  [ -f /etc/munge/munge.key ] || fail "no /etc/munge/munge.key: is the munge package installed?"
  install -d -o munge -g munge -m 0755 /run/munge
  runuser -u munge -- /usr/sbin/munged --force 2>"$dir/log/munged.err" || fail "munged did not start" "$dir/log/munged.err"
  for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
  munge -n | unmunge >/dev/null || fail "munged started but does not answer" "/var/log/munge/munged.log"
  echo started > "$dir/munged.ours"
fi

# The daemons fork into the background before they bind their ports, so another cluster's daemons would answer
# for ours: refuse to start beside them.
for daemon in slurmctld slurmd; do
  if pids=$(pgrep -x "$daemon"); then
    fail "a $daemon is already running (pid $(echo $pids)): stop it first; this script starts its own"
  fi
done
alive() { [ -f "$dir/$1.pid" ] && kill -0 "$(cat "$dir/$1.pid")" 2>/dev/null; }

/usr/sbin/slurmctld -f "$conf" || fail "slurmctld did not start" "$dir/log/slurmctld.log"
/usr/sbin/slurmd -f "$conf" -N localhost || fail "slurmd did not start" "$dir/log/slurmd.log"

# Ready when the node is idle (it may pass through unknown and down first; ReturnToService=2 brings it back).
for _ in $(seq 120); do
  state=$(sinfo -h -N -n localhost -o %T 2>/dev/null || true)
  if [ "$state" = idle ]; then
    alive slurmctld || fail "slurmctld exited" "$dir/log/slurmctld.log"
    alive slurmd || fail "slurmd exited" "$dir/log/slurmd.log"
    echo "start-cluster: slurmctld and slurmd up, node localhost idle with $cpus CPUs (SLURM_CONF=$conf)"
    exit 0
  fi
  sleep 0.5
done
fail "the node did not become idle within 60 s (state: '${state:-none}')" "$dir/log/slurmd.log"
