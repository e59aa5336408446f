#!/bin/bash
# Submits the shards as an array job, then the merge once every task ended
# (afterany: a shard that broke still leaves its results to judge).
set -euo pipefail
cd "$(dirname "$0")"
shards=$(sbatch --parsable seedgate-shards.sbatch)
sbatch --dependency="afterany:${shards%%;*}" seedgate-merge.sbatch
