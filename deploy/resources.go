package deploy

import "fmt"

// Measured cost of the model (tokensim run of configs/default.yaml with
// replicates: 50, i.e. 800 runs of 365 days with daily steps on, version
// v0.1+, 2-core machine, Go 1.26; `/usr/bin/time -f %M`):
//
//	-j 1: max RSS  99 MB, 5.52 s user CPU → 145 runs per CPU-second
//	-j 4: max RSS 115 MB, 5.56 s user CPU
//
// so resident memory is about 95 MB per process plus about 5 MB per worker
// (a worker's model state and its share of the reorder window, ~70 kB a run
// of 365 daily steps × 16 slots per worker). The requests below add about
// 30% headroom to the base and triple the per-worker share (studies with
// more consumers or providers hold larger states); the limit is twice the
// request. Runs per CPU-second scale roughly with 1/horizon_days and with
// the consumer count; the estimate printed in the manifests is for the
// study's run count at the measured rate.
const (
	// BaseMemoryMiB is the memory request of a tokensim process without workers.
	BaseMemoryMiB = 128
	// WorkerMemoryMiB is the memory request added per worker (-j).
	WorkerMemoryMiB = 16
	// RunsPerCPUSecond is the measured throughput of one core on the default
	// study's model (365 days, daily steps written).
	RunsPerCPUSecond = 145.0
)

// MemoryRequestMiB returns the memory request of a process with w workers (MiB).
func MemoryRequestMiB(w int) int { return BaseMemoryMiB + WorkerMemoryMiB*w }

// estimateSeconds is the wall time of runs at RunsPerCPUSecond on cores cores.
func estimateSeconds(runs int64, cores int) float64 {
	return float64(runs) / (RunsPerCPUSecond * float64(max(cores, 1)))
}

func formatSeconds(s float64) string {
	switch {
	case s < 120:
		return fmt.Sprintf("%.0f s", s)
	case s < 7200:
		return fmt.Sprintf("%.0f min", s/60)
	}
	return fmt.Sprintf("%.1f h", s/3600)
}
