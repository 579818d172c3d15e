#!/bin/bash
# check-cluster.sh: run a tokensim study on a real single-node Slurm and compare
# it with one local process, byte for byte. Part of `make check-cluster`.
#
# Installs (apt-get, Debian packages) and starts munge + slurmctld + slurmd on
# this machine (root, no systemd: ProctrackType=proctrack/pgid, NodeAddr=127.0.0.1,
# configuration in a temporary directory via SLURM_CONF, nothing under /etc/slurm),
# renders the study's Slurm scripts with `tokensim deploy slurm`, submits an array
# of 4 shards (2 at a time) and the report job (--dependency=afterok), waits for
# both (at most $TIMEOUT seconds), checks the dataset against one local process and
# the report, and shuts everything it started down.
set -euo pipefail

TIMEOUT=${TIMEOUT:-600}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/tokensim-slurm.XXXXXX)
started=()   # pids this script started
log() { echo "check-cluster: $*" >&2; }

cleanup() {
	set +e
	if [ -n "${SLURM_CONF:-}" ] && [ -f "$SLURM_CONF" ]; then
		scontrol shutdown >/dev/null 2>&1
	fi
	for pid in "${started[@]}"; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.5
		done
		kill -0 "$pid" 2>/dev/null && kill "$pid"
	done
	rm -rf "$work"
}
trap cleanup EXIT

if [ "$(id -u)" != 0 ]; then
	log "needs root (it starts munged, slurmctld and slurmd)"
	exit 1
fi
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
	log "installing slurmctld slurmd slurm-client munge (apt-get)"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurmctld slurmd slurm-client munge >/dev/null
fi

t0=$(date +%s)
# munge: the package creates /etc/munge/munge.key.
if [ ! -f /etc/munge/munge.key ]; then
	log "no /etc/munge/munge.key"
	exit 1
fi
mkdir -p /run/munge && chown munge:munge /run/munge
if ! pgrep -x munged >/dev/null; then
	runuser -u munge -- munged --pid-file=/run/munge/munged.pid
	for _ in $(seq 50); do [ -s /run/munge/munged.pid ] && break; sleep 0.1; done
	started+=("$(cat /run/munge/munged.pid)")
fi

cpus=$(slurmd -C | sed -n 's/.*CPUs=\([0-9]*\).*/\1/p' | head -1)
mem=$(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' | head -1)
mkdir -p "$work/etc" "$work/ctld" "$work/d"
export SLURM_CONF=$work/etc/slurm.conf
cat >"$SLURM_CONF" <<CONF
ClusterName=tokensim
SlurmctldHost=localhost
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/pgid
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
StateSaveLocation=$work/ctld
SlurmdSpoolDir=$work/d
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
NodeName=localhost NodeAddr=127.0.0.1 CPUs=${cpus:-2} RealMemory=${mem:-2000} State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -D -f "$SLURM_CONF" >"$work/slurmctld.log" 2>&1 &
started+=($!)
slurmd -D -N localhost -f "$SLURM_CONF" >"$work/slurmd.log" 2>&1 &
started+=($!)
for i in $(seq 60); do
	if sinfo -h -o %t 2>/dev/null | grep -q idle; then break; fi
	[ "$i" = 60 ] && { log "the node did not become idle"; cat "$work"/*.log >&2; exit 1; }
	sleep 1
done
t1=$(date +%s)
log "Slurm up in $((t1 - t0)) s"

bin=$work/tokensim
(cd "$repo" && go build -o "$bin" ./cmd/tokensim)
cat >"$work/study.yaml" <<'STUDY'
name: slurm
seed: 5
replicates: 16
horizon_days: 120
chunk_runs: 4
scenarios: [baseline, volatility]
policies: [none, fund]
outputs: {steps: true}
params: {consumers: {count: 300}}
STUDY
"$bin" run -o "$work/ref" -j 2 --no-report --quiet "$work/study.yaml" >/dev/null

submit=$("$bin" deploy slurm "$work/study.yaml" --shards 4 --parallel 2 -j 1 -o "$work/out" \
	--dir "$work/jobs" --tokensim "$bin")
read -r runs report < <("$submit")
log "submitted array job $runs and report job $report"
for i in $(seq "$TIMEOUT"); do
	q=$(squeue -h -o '%i %r' 2>/dev/null || true)
	if [ -z "$q" ]; then break; fi
	if echo "$q" | grep -q DependencyNeverSatisfied; then
		log "the report job can never run: an array task failed"
		cat "$work"/jobs/*.out >&2
		exit 1
	fi
	[ "$i" = "$TIMEOUT" ] && { log "jobs not done after $TIMEOUT s"; squeue; exit 1; }
	sleep 1
done
t2=$(date +%s)
log "array + report jobs finished in $((t2 - t1)) s"

fail=0
for task in 0 1 2 3; do
	out="$work/jobs/tokensim-slurm-${runs}_${task}.out"
	[ -f "$out" ] || { log "no output of array task $task"; fail=1; }
done
dir=$work/out/slurm
[ -f "$dir/report.html" ] || { log "no report.html: the report job did not run"; cat "$work"/jobs/*.out >&2; fail=1; }
grep -q '"state": "complete"' "$dir/manifest.json" || { log "manifest not complete"; fail=1; }
for n in 1 2 3 4; do
	[ -f "$dir/shards/shard-$n-of-4.json" ] || { log "no progress record of shard $n/4"; fail=1; }
done
count=0
while read -r f; do
	count=$((count + 1))
	cmp -s "$work/ref/slurm/$f" "$dir/$f" || { log "$f differs from the local run"; fail=1; }
done < <(cd "$work/ref/slurm" && find runs steps -name '*.parquet' | sort)
extra=$(cd "$dir" && find runs steps -name '*.parquet' | wc -l)
[ "$extra" = "$count" ] || { log "$extra part files in the Slurm run, $count locally"; fail=1; }
[ "$count" -gt 0 ] || { log "no part files compared"; fail=1; }
if [ "$fail" != 0 ]; then
	cat "$work"/jobs/*.out >&2
	exit 1
fi
"$bin" status "$dir" >&2
log "ok: $count part files identical to one local process; report written; total $(($(date +%s) - t0)) s"
