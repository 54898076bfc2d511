#!/usr/bin/env bash
# CI step (issue 19): the CLI's SVM grid search (C 1,2,4,8 x gamma scale,auto) on the first 1,000 MNIST training
# rows, run as a Slurm array job of 8 shards on a single-node cluster on this machine, merged, and checked against
# the same search run locally: best score, best parameters, test accuracy, support vectors and the model file (byte
# for byte but the fit time) must be equal. Needs root. Fails, saying why, when a daemon does not start or a shard fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
started=$SECONDS

export DEBIAN_FRONTEND=noninteractive
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  apt-get install -y -qq slurm-wlm munge >/dev/null || { apt-get update -qq && apt-get install -y -qq slurm-wlm munge >/dev/null; }
fi

work=$(mktemp -d /tmp/mnist-slurm-ci.XXXXXX)
cluster=$work/cluster
cleanup() { "$repo/tools/slurm/stop-cluster.sh" "$cluster"; rm -rf "$work"; }
trap cleanup EXIT

# The MNIST files, found as the tests find them: $MNIST_TEST_DATA, else shared/data/mnist beside an ancestor.
idx=${MNIST_TEST_DATA:-}
if [ -z "$idx" ]; then
  d=$repo
  while [ "$d" != / ]; do
    [ -f "$d/shared/data/mnist/train-images-idx3-ubyte.gz" ] && { idx=$d/shared/data/mnist; break; }
    d=$(dirname "$d")
  done
fi
[ -n "$idx" ] || { echo "slurm CI: no MNIST IDX files (set MNIST_TEST_DATA or put shared/data/mnist beside the checkout)" >&2; exit 1; }

phase() { echo "slurm CI: $1 ($((SECONDS - started)) s)"; }
phase "building the CLI"
dotnet build samples/Mnist.Cli -c Release -v q -nologo >/dev/null
mnist=$repo/samples/Mnist.Cli/bin/Release/net10.0/mnist
phase "making the dataset from $idx"
"$mnist" fetch --from "$idx" -o "$work/data.h5" >/dev/null

phase "starting the cluster"
"$repo/tools/slurm/start-cluster.sh" "$cluster"
export SLURM_CONF=$cluster/slurm.conf

# The same flags for the shards, the merge and the local search; the shard comes from SLURM_ARRAY_TASK_ID/COUNT.
flags=(-g -M svm -d "$work/data.h5" --train-size 1000 --seed 0)
mkdir -p "$work/logs"
cat > "$work/shard.sbatch" <<JOB
#!/bin/bash
#SBATCH --job-name=mnist-search
#SBATCH --cpus-per-task=1
#SBATCH --output=$work/logs/shard-%a.out
exec "$mnist" train ${flags[*]} --threads "\$SLURM_CPUS_PER_TASK" --results "$work/results"
JOB
phase "sbatch --array=0-7 --wait (8 shards of the 5 work units)"
if ! sbatch --array=0-7 --wait "$work/shard.sbatch"; then
  echo "slurm CI: the array job failed; the shards' logs:" >&2
  tail -n 20 "$work"/logs/*.out >&2
  exit 1
fi
cat "$work"/logs/shard-*.out

phase "merging"
"$mnist" train "${flags[@]}" --merge "$work/results" --json -o "$work/merged.bin" > "$work/merged.out"
phase "the same search locally"
"$mnist" train "${flags[@]}" --json -o "$work/local.bin" > "$work/local.out"
python3 "$repo/tools/slurm/compare-search.py" "$work/merged.out" "$work/local.out" "$work/merged.bin" "$work/local.bin"
echo "slurm CI: passed in $((SECONDS - started)) s"
