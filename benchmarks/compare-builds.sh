#!/usr/bin/env bash
# Builds of the `mnist` CLI from several git revisions, run alternately on this host with the same `mnist train`
# arguments; medians side by side. For the before/after of a change (alternated in one sitting, since a shared host's
# speed drifts by the hour), and for carrying a figure measured on another host with an old build over to today's
# build (run both builds here: the ratio between them; docs/benchmarks.md, "The machines").
#
#   bash benchmarks/compare-builds.sh [--rounds N] [--avx2-path] [--work DIR] REV [REV ...] -- TRAIN_ARGS ...
#
# REV: any git revision (a commit, a tag, main~3) or `worktree` for the files as they are now. Each revision is built
# once into DIR/<commit> (default /tmp/compare-builds) from a detached git worktree, removed afterwards; `worktree` is
# rebuilt every time. TRAIN_ARGS go to every `mnist train` run as they are, for example
#   -M svm -C 8 -G auto -d data.h5 --train-size 10000
# (--json and -o are added). --rounds: how many runs of each build (default 5), one build after the other in each
# round. --avx2-path: every build runs a second time in each round with DOTNET_EnableAVX512=0 (the AVX2 kernels).
# The CLI of every revision turns tiered compilation off, so the runs compare fully optimised code.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=5 avx2=0 work=/tmp/compare-builds revisions=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --avx2-path) avx2=1; shift ;;
    --work) work="$2"; shift 2 ;;
    --) shift; break ;;
    -*) echo "error: unknown option '$1' (see the comment at the top of $0)" >&2; exit 2 ;;
    *) revisions+=("$1"); shift ;;
  esac
done
train_args=("$@")
if [ ${#revisions[@]} -eq 0 ] || [ ${#train_args[@]} -eq 0 ]; then
  echo "error: give at least one revision, then -- and the mnist train arguments (see the comment at the top of $0)" >&2
  exit 2
fi
case "$rounds" in ''|*[!0-9]*|0) echo "error: --rounds must be a whole number of at least 1; got '$rounds'" >&2; exit 2 ;; esac

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
mkdir -p "$work"
labels=() dlls=()
for revision in "${revisions[@]}"; do
  if [ "$revision" = worktree ]; then
    out="$work/worktree"
    dotnet build samples/Mnist.Cli -c Release --nologo -v quiet -o "$out" >/dev/null
  else
    commit=$(git rev-parse --verify --quiet "$revision^{commit}") || { echo "error: '$revision' is not a git revision here" >&2; exit 2; }
    commit=${commit:0:10}
    out="$work/$commit"
    if [ ! -f "$out/mnist.dll" ]; then
      tree="$work/tree-$commit"
      git worktree remove --force "$tree" 2>/dev/null || true
      rm -rf "$tree" "$out.partial"
      git worktree add --quiet --detach "$tree" "$commit"
      if ! dotnet build "$tree/samples/Mnist.Cli" -c Release --nologo -v quiet -o "$out.partial" >/dev/null; then
        git worktree remove --force "$tree"; rm -rf "$out.partial"
        echo "error: $revision ($commit) does not build" >&2; exit 1
      fi
      git worktree remove --force "$tree"
      mv "$out.partial" "$out"
    fi
  fi
  labels+=("$revision"); dlls+=("$out/mnist.dll")
done

paths=(default); [ "$avx2" = 1 ] && paths+=(avx2)
results="$work/runs-$$.txt"; : > "$results"
trap 'rm -f "$results" "$work/model-$$"' EXIT
echo "Processor: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M') UTC"
for ((round = 1; round <= rounds; round++)); do
  for i in "${!labels[@]}"; do
    for path in "${paths[@]}"; do
      enable=1; [ "$path" = avx2 ] && enable=0
      line=$(DOTNET_EnableAVX512=$enable dotnet "${dlls[$i]}" train "${train_args[@]}" --json -o "$work/model-$$" | tail -n 1) ||
        { echo "error: mnist train of ${labels[$i]} ($path path) failed (its message is above)" >&2; exit 1; }
      field() { echo "$line" | grep -o "\"$1\":[^,}]*" | cut -d: -f2 || true; }
      fit=$(field fit_seconds) predict=$(field predict_seconds) accuracy=$(field accuracy)
      size=$(field n_support); [ -n "$size" ] || size=$(field n_nodes)
      [ -n "$fit" ] || { echo "error: ${labels[$i]} printed no JSON summary: $line" >&2; exit 1; }
      echo "${labels[$i]} $path $fit $predict $accuracy ${size:--}" >> "$results"
      printf 'round %d  %-12s %-7s fit %8.3f s  predict %8.3f s  accuracy %s\n' "$round" "${labels[$i]}" "$path" "$fit" "$predict" "$accuracy"
    done
  done
done
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo
echo "| build | path | runs | fit s, median (min–max) | predict s, median | accuracy | support vectors / nodes |"
echo "|---|---|---:|---|---:|---:|---:|"
for label in "${labels[@]}"; do
  for path in "${paths[@]}"; do
    rows=$(awk -v l="$label" -v p="$path" '$1 == l && $2 == p' "$results")
    fits=$(echo "$rows" | awk '{ print $3 }')
    printf '| %s | %s | %d | %.3f (%.3f–%.3f) | %.3f | %s | %s |\n' "$label" "$path" "$(echo "$rows" | wc -l)" \
      "$(echo "$fits" | median)" "$(echo "$fits" | sort -g | head -n 1)" "$(echo "$fits" | sort -g | tail -n 1)" \
      "$(echo "$rows" | awk '{ print $4 }' | median)" "$(echo "$rows" | awk 'NR == 1 { print $5 }')" "$(echo "$rows" | awk 'NR == 1 { print $6 }')"
  done
done
echo
echo "Command: bash benchmarks/compare-builds.sh --rounds $rounds$([ "$avx2" = 1 ] && echo ' --avx2-path') ${revisions[*]} -- ${train_args[*]}"
