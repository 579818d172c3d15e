#!/bin/sh
# tokensim study "example": submits the array job of the shards and the report job that
# runs after all of them succeeded. Rendered by: tokensim deploy slurm deploy/example.yaml --shards 4 --parallel 2 -j 2 -o /shared/tokensim --dir $DIR
set -eu
cd "$(dirname "$0")"
runs=$(sbatch --parsable runs.sbatch)
runs=${runs%%;*}
report=$(sbatch --parsable --dependency=afterok:"$runs" report.sbatch)
report=${report%%;*}
echo "$runs $report"
