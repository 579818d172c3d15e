package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/model"
	"github.com/tokensim/tokensim/storage"
)

// Errors of Execute.
var (
	// ErrConfigChanged: the directory holds a study with another config or plan.
	ErrConfigChanged = errors.New("study directory holds a different study")
	// ErrDiskBudget: the estimated size exceeds the study's disk budget.
	ErrDiskBudget = errors.New("study exceeds its disk budget")
	// ErrRunFailed: a model run failed and Options.FailFast was set.
	ErrRunFailed = errors.New("run failed")
	// ErrBusy: another process is executing the same shard of the study.
	ErrBusy = errors.New("study busy")
	// ErrInterrupted: the context was cancelled; the study can be resumed.
	ErrInterrupted = errors.New("study interrupted")
)

// RunFunc runs one simulation (model.Runner.Run's signature).
type RunFunc func(spec *model.RunSpec, rec model.Recorder) (model.Summary, error)

// Options configure Execute.
type Options struct {
	// Dir is the study directory (normally <output_root>/<name>).
	Dir string
	// Workers is the number of concurrent runs (≤ 0: GOMAXPROCS).
	Workers int
	// Shard and Shards select shard Shard of Shards (1-based); zero values mean 1 of 1.
	Shard, Shards int
	// Force deletes a study of another config found in Dir and starts over.
	Force bool
	// FailFast stops at the first failed run (ErrRunFailed) instead of
	// recording it and going on.
	FailFast bool
	// ToolVersion is written to the manifest and the files' metadata.
	ToolVersion string
	// Progress, if set, is called from one goroutine after every written run
	// and every completed chunk.
	Progress func(Progress)
	// Logger receives structured events (chunks written, resumption); nil: discard.
	Logger *slog.Logger
	// NewRun returns the run function of one worker (each worker calls it
	// once); nil uses a model.Runner per worker. Tests inject fake models here.
	NewRun func() RunFunc
	// Now returns the current time (nil: time.Now); only the manifest's
	// timestamps use it.
	Now func() time.Time

	// CheckShardCount requires every shard progress file of this study in Dir
	// to have Count == Shards (a scheduler's array job, whose N must match the
	// study's recorded N); another count is an error wrapping ErrShardCount.
	CheckShardCount bool
}

// Progress is a snapshot of an executing study.
type Progress struct {
	Total       int64 // runs this process must do (excluding resumed ones)
	Done        int64 // runs written by this process
	Failed      int64 // of which failed
	Resumed     int64 // runs found complete from an earlier execution
	ChunksDone  int
	ChunksTotal int // chunks this process must do
	Elapsed     time.Duration
}

// Result is what Execute did.
type Result struct {
	Dir      string
	Manifest *dataset.Manifest // merged manifest after this process finished
	Done     int64             // runs this process completed (including failed)
	Failed   int64             // runs this process recorded as failed
	Resumed  int64             // runs skipped because an earlier execution wrote them
}

// Execute runs the plan's runs owned by this shard and writes them to
// opts.Dir in the layout of MODEL-SPEC §8 (see dataset.Manifest for run ids, chunks
// and file names). Runs are executed by opts.Workers goroutines, each with its
// own run function, and written in run-id order through a bounded reorder
// window, so the files' bytes do not depend on the worker count or shard
// split, and memory stays bounded whatever the study's size.
//
// An earlier execution of the same study in Dir is resumed: chunks recorded in
// the shard progress files whose files exist with the recorded SHA-256 are
// kept. A study of another config is refused with ErrConfigChanged unless
// opts.Force. A study estimated above its disk budget is refused with
// ErrDiskBudget before anything is written. A cancelled ctx discards the chunk
// in flight and returns an error wrapping ErrInterrupted. Failed runs are
// recorded in the manifest (Result.Failed) unless opts.FailFast.
func Execute(ctx context.Context, plan *Plan, opts Options) (*Result, error) {
	if err := plan.Check(); err != nil {
		return nil, err
	}
	if opts.Shards == 0 {
		opts.Shard, opts.Shards = 1, 1
	}
	if opts.Shards < 1 || opts.Shard < 1 || opts.Shard > opts.Shards {
		return nil, fmt.Errorf("shard %d/%d: want 1 ≤ i ≤ N", opts.Shard, opts.Shards)
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.NewRun == nil {
		opts.NewRun = func() RunFunc {
			r := new(model.Runner)
			return r.Run
		}
	}
	if opts.Dir == "" {
		return nil, errors.New("no study directory given")
	}
	if err := CheckDiskBudget(plan); err != nil {
		return nil, err
	}
	cfg, err := plan.Study.IdentityYAML()
	if err != nil {
		return nil, fmt.Errorf("resolving the study: %w", err)
	}
	st, err := storage.Open(ctx, opts.Dir)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	e := &engine{plan: plan, opts: opts, layout: dataset.Layout{Dir: opts.Dir}, config: string(cfg),
		configHash: dataset.SHA256Hex(cfg), planHash: plan.Hash(), store: st, sctx: context.WithoutCancel(ctx)}
	if dir, ok := st.LocalDir(); ok {
		e.layout, e.local = dataset.Layout{Dir: dir}, true
	}
	e.meta = dataset.FileMeta{ConfigHash: e.configHash, Seed: plan.Seed, ToolVersion: opts.ToolVersion, Study: plan.Study.Name}
	e.runs, err = dataset.NewRunsTable(plan.SweepParams)
	if err != nil {
		return nil, err
	}
	if e.steps, err = dataset.NewDayTable(dataset.TableSteps, reflect.TypeFor[model.Step](), plan.SweepParams); err != nil {
		return nil, err
	}
	if e.prov, err = dataset.NewDayTable(dataset.TableProviderSteps, reflect.TypeFor[model.ProviderStep](), plan.SweepParams); err != nil {
		return nil, err
	}
	e.owner = shardOwner(opts.Shard, opts.Shards)
	if e.local {
		// A local directory: one process per shard (flock). A bucket has no
		// locks; its write-once parts keep duplicate processes harmless.
		if err := os.MkdirAll(e.layout.ShardsDir(), 0o755); err != nil {
			return nil, err
		}
		unlock, ok, err := tryLockFile(shardLockPath(e.layout, e.owner))
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("%w: %s: shard %d/%d of this study is being run by another process", ErrBusy, opts.Dir, opts.Shard, opts.Shards)
		}
		defer unlock()
	}
	if err := e.prepare(); err != nil {
		return nil, err
	}
	return e.execute(ctx)
}

// shardState is a shard process's progress file (shards/shard-i-of-N.json).
type shardState struct {
	Index      int           `json:"index"`
	Count      int           `json:"count"`
	ConfigHash string        `json:"config_hash"`
	PlanHash   string        `json:"plan_hash"`
	State      string        `json:"state"`
	Started    time.Time     `json:"started"`
	Ended      *time.Time    `json:"ended,omitempty"`
	ChunksOwn  int           `json:"chunks_owned"`
	Chunks     []chunkRecord `json:"chunks"`
	// ToolVersion is the version of the process that last wrote the record
	// (empty in records written before tokensim 0.2.4); the manifest takes
	// its tool version from the records, not from whichever process merges.
	ToolVersion string `json:"tool_version,omitempty"`
}

// chunkRecord is one completed chunk.
type chunkRecord struct {
	Chunk    int                `json:"chunk"`
	Runs     int64              `json:"runs"` // runs written (failed excluded)
	Failures []dataset.Failure  `json:"failures,omitempty"`
	Files    []dataset.FileInfo `json:"files"`
	// Written is when the chunk was committed (for status's rates).
	Written *time.Time `json:"written,omitempty"`
}

type engine struct {
	plan       *Plan
	opts       Options
	layout     dataset.Layout
	config     string
	configHash string
	planHash   string
	meta       dataset.FileMeta
	owner      string // shardOwner of this process: names its temporary files
	runs       *dataset.RunsTable
	steps      *dataset.DayTable // steps rows with their keys and sweep (schema v2)
	prov       *dataset.DayTable // provider_steps rows, likewise

	state   *shardState
	done    map[int]bool // chunks complete (any shard)
	todo    []int        // chunks this process writes, ascending
	resumed int64
	// prevEnded is when this shard last completed, kept when an execution
	// finds nothing left to do, so that rerunning a finished study does not
	// move its end time (and the report's wall time).
	prevEnded *time.Time

	store storage.Store   // where the study's files are (opts.Dir opened)
	local bool            // store is a local directory (layout.Dir)
	sctx  context.Context // for storage calls: not cancelled, so an interrupted shard still records its progress
}

// prepare checks an existing study in the directory, cleans temporary files,
// and finds the chunks still to do.
func (e *engine) prepare() error {
	dir := e.opts.Dir
	m, err := dataset.ReadManifestFrom(e.sctx, e.store)
	states, serr := e.readStates(m)
	if serr != nil {
		return serr
	}
	var other string
	if err == nil {
		if m.ConfigHash != e.configHash || m.PlanHash != e.planHash {
			other = fmt.Sprintf("study %q, config hash %.12s", m.Study, m.ConfigHash)
		}
	} else if !e.local {
		// In a bucket only a missing key means "no manifest" (another shard
		// starting at the same time may be writing it: no existence probe).
		if !errors.Is(err, fs.ErrNotExist) {
			other = "an unreadable manifest (" + err.Error() + ")"
		}
	} else if _, statErr := os.Stat(e.layout.Manifest()); statErr == nil {
		if (errors.Is(err, dataset.ErrCorrupt) || errors.Is(err, dataset.ErrNotStudy)) && !errors.Is(err, dataset.ErrSchema) && len(states) > 0 {
			// A corrupted manifest is rebuilt from the shard progress records
			// (merge) when they are this study's (checked below).
			e.opts.Logger.Warn("manifest.json is unreadable; rebuilding it from the shard progress records", "dir", dir, "error", err)
		} else {
			other = "an unreadable manifest (" + err.Error() + ")"
		}
	}
	for _, st := range states {
		if other == "" && (st.ConfigHash != e.configHash || st.PlanHash != e.planHash) {
			other = fmt.Sprintf("shard progress of config hash %.12s", st.ConfigHash)
		}
	}
	if other == "" && len(states) == 0 && e.local {
		// Data without any manifest: not ours to overwrite.
		for _, sub := range dataset.DataTables {
			if _, err := os.Stat(filepath.Join(dir, sub)); err == nil {
				other = "data files without a manifest"
				break
			}
		}
	}
	if other != "" {
		if !e.opts.Force {
			return fmt.Errorf("%w: %s holds %s, not this study (config hash %.12s); choose another output directory, or pass --force to delete it and start over",
				ErrConfigChanged, dir, other, e.configHash)
		}
		e.opts.Logger.Info("deleting the previous study (--force)", "dir", dir)
		if e.local {
			err = removeStudy(e.layout)
		} else {
			err = removeStudyKeys(e.sctx, e.store, states)
		}
		if err != nil {
			return err
		}
		states = nil
	}
	if e.opts.CheckShardCount {
		if err := checkShardCount(states, e.configHash, e.planHash, e.opts.Shards); err != nil {
			return fmt.Errorf("%s: %w", dir, err)
		}
	}
	if e.local {
		if err := os.MkdirAll(e.layout.ShardsDir(), 0o755); err != nil {
			return err
		}
		if err := removeShardTemps(e.layout, e.owner); err != nil {
			return err
		}
	}
	// Chunks complete in any shard's progress, with files intact; this
	// shard keeps only its records that are still intact (each checked once,
	// even for a chunk another shard's record already showed done).
	e.done = map[int]bool{}
	var mine *shardState
	for _, st := range states {
		isMine := st.Index == e.opts.Shard && st.Count == e.opts.Shards
		kept := st.Chunks[:0:0] // nil or empty as st.Chunks, not sharing its array
		for _, c := range st.Chunks {
			if e.done[c.Chunk] && !isMine {
				continue
			}
			ok, why := e.filesIntact(c.Files)
			switch {
			case ok:
				e.done[c.Chunk] = true
				if isMine {
					kept = append(kept, c)
				}
			case !e.done[c.Chunk]:
				e.opts.Logger.Warn("rewriting a chunk whose files changed", "chunk", c.Chunk, "reason", why)
			}
		}
		if isMine {
			mine = st
			mine.Chunks = kept
		}
	}
	now := e.opts.Now().UTC()
	if mine == nil {
		mine = &shardState{Index: e.opts.Shard, Count: e.opts.Shards, Started: now}
	}
	mine.ConfigHash, mine.PlanHash, mine.ToolVersion = e.configHash, e.planHash, e.opts.ToolVersion
	if mine.State == dataset.StateComplete {
		e.prevEnded = mine.Ended
	}
	mine.State, mine.Ended = dataset.StateRunning, nil
	e.state = mine
	n := e.plan.Chunks()
	mine.ChunksOwn = 0
	for k := e.opts.Shard - 1; k < n; k += e.opts.Shards {
		mine.ChunksOwn++
		if e.done[k] {
			from, to := e.plan.ChunkRange(k)
			e.resumed += to - from
			continue
		}
		e.todo = append(e.todo, k)
	}
	if e.resumed > 0 {
		e.opts.Logger.Info("resuming", "dir", dir, "runs_already_done", e.resumed, "chunks_left", len(e.todo))
	}
	return nil
}

// saveStart saves the progress record prepare set up (state running, the
// chunks kept) and, in a bucket, merges the manifest. execute runs it
// beside the first runs: its fsync (0.3–30 ms measured on a shared ext4
// disk) no longer delays them.
func (e *engine) saveStart() error {
	if err := e.saveState(); err != nil {
		return err
	}
	if !e.local {
		// In a bucket the manifest is merged when a shard starts and ends
		// (status reads the progress records in between).
		if _, err := e.merge(); err != nil {
			return err
		}
	}
	return nil
}

// filesIntact reports whether every file exists with the recorded size and,
// in a local directory, SHA-256. A bucket's parts are write-once (a
// conditional write never replaces one), so their size is checked without
// downloading them.
func (e *engine) filesIntact(files []dataset.FileInfo) (bool, string) {
	if !e.local {
		return objectsIntact(e.sctx, e.store, files)
	}
	return filesIntact(e.layout.Dir, files)
}

// filesIntact reports whether every file exists with the recorded size and SHA-256.
func filesIntact(dir string, files []dataset.FileInfo) (bool, string) {
	for _, f := range files {
		n, sum, err := dataset.HashFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
		if err != nil {
			return false, err.Error()
		}
		if n != f.Bytes || sum != f.SHA256 {
			return false, f.Path + ": size or SHA-256 differs from the manifest"
		}
	}
	return true, ""
}

// removeStudy deletes what a study writes in its directory.
func removeStudy(l dataset.Layout) error {
	for _, p := range []string{l.Runs(), l.Steps(), l.ProviderSteps(), l.Summary(), l.Figures(), l.Manifest(), l.Report()} {
		if err := os.RemoveAll(p); err != nil {
			return err
		}
	}
	// Progress files go; lock files stay (this process holds one).
	states, _ := filepath.Glob(filepath.Join(l.ShardsDir(), "shard-*.json"))
	for _, p := range states {
		if err := os.Remove(p); err != nil {
			return err
		}
	}
	return nil
}

func readShardStates(l dataset.Layout) ([]*shardState, error) {
	entries, err := os.ReadDir(l.ShardsDir())
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []*shardState
	for _, de := range entries {
		if de.IsDir() || !strings.HasPrefix(de.Name(), "shard-") || !strings.HasSuffix(de.Name(), ".json") {
			continue
		}
		var st shardState
		if err := dataset.ReadJSON(filepath.Join(l.ShardsDir(), de.Name()), &st); err != nil {
			return nil, fmt.Errorf("reading shard progress: %w", err)
		}
		out = append(out, &st)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count < out[j].Count
		}
		return out[i].Index < out[j].Index
	})
	return out, nil
}

// saveState replaces the shard's progress record, in a local directory as
// in a bucket (storage.Store.WriteFile: a local one is written through a
// temporary file, synced and renamed).
func (e *engine) saveState() error {
	return dataset.WriteJSONTo(e.sctx, e.store, dataset.ShardKey(e.opts.Shard, e.opts.Shards), e.state)
}

// runResult is one finished run on its way to the writer. Its days are
// kept as the day tables' static rows (dataset.StepsRow: the keys, then the
// model's row), which the parts write as they are, setting the keys in
// place: each day is copied once, here, instead of once here and once into
// the writer's rows.
type runResult struct {
	id    int64
	sum   model.Summary
	err   error
	steps []dataset.StepsRow
	prov  []dataset.ProviderStepsRow
	keys  dataset.DayKeys // the run's day-table keys, set in each row as it is recorded
}

func (r *runResult) Step(s *model.Step) { r.steps = dataset.AppendStepsRow(r.steps, &r.keys, s) }
func (r *runResult) ProviderStep(ps *model.ProviderStep) {
	r.prov = dataset.AppendProviderStepsRow(r.prov, &r.keys, ps)
}

func (e *engine) execute(ctx context.Context) (*Result, error) {
	res := &Result{Dir: e.opts.Dir, Resumed: e.resumed}
	start := time.Now()
	// The progress record is saved while the first runs start; nothing
	// else touches e.state until it is saved: the writer waits for it
	// before recording its first chunk, execute before its final save.
	started := make(chan error, 1)
	go func() { started <- e.saveStart() }()
	var startErr error
	startWaited := false
	waitStart := func() error {
		if !startWaited {
			startErr, startWaited = <-started, true
		}
		return startErr
	}
	ids := newIDSeq(e.plan, e.todo)
	prog := Progress{Total: ids.n, Resumed: e.resumed, ChunksTotal: len(e.todo)}
	report := func() {
		if e.opts.Progress != nil {
			prog.Elapsed = time.Since(start)
			e.opts.Progress(prog)
		}
	}
	report()

	// The reorder window: how many runs may finish ahead of the writer. It is
	// wide enough that workers keep running while the writer closes a chunk
	// (compression, fsync, manifest merge); each slot holds one run's days
	// (about 70 kB at 365 days), so memory stays bounded whatever the study.
	window := max(64, 16*e.opts.Workers)
	slots := make(chan struct{}, window)
	jobs := make(chan int64, e.opts.Workers)
	results := make(chan *runResult, window)
	// A new result holds a run's day rows from the start (one per recorded
	// day and the last; provider_steps one per provider of the initial
	// table, entrants grow it), so that recording does not grow the slices.
	var stepsCap, provCap int
	if every := e.plan.RecordEveryDays(); every > 0 {
		days := e.plan.HorizonDays/every + 2
		if e.plan.Outputs.Steps {
			stepsCap = days
		}
		if e.plan.Outputs.ProviderSteps {
			for i := range e.plan.Cells {
				provCap = max(provCap, days*len(e.plan.Cells[i].Params.Providers.Table))
			}
		}
	}
	// Results are recycled through a free list: at most `window` exist at
	// once (a worker takes one after its run's slot), so the list never
	// overflows and a study allocates at most `window` of them, whereas a
	// sync.Pool, emptied by every other garbage collection, had a quarter
	// of the runs allocate (and zero) a new one.
	free := make(chan *runResult, window)
	getResult := func() *runResult {
		select {
		case r := <-free:
			return r
		default:
			return &runResult{steps: make([]dataset.StepsRow, 0, stepsCap), prov: make([]dataset.ProviderStepsRow, 0, provCap)}
		}
	}
	putResult := func(r *runResult) {
		select {
		case free <- r:
		default:
		}
	}

	g, gctx := errgroup.WithContext(ctx)
	// Producer: run ids in order, at most `window` ahead of the writer.
	g.Go(func() error {
		defer close(jobs)
		for i := int64(0); i < ids.n; i++ {
			id := ids.at(i)
			select {
			case slots <- struct{}{}:
			case <-gctx.Done():
				return nil
			}
			select {
			case jobs <- id:
			case <-gctx.Done():
				return nil
			}
		}
		return nil
	})
	// Workers.
	var wg sync.WaitGroup
	for w := 0; w < e.opts.Workers; w++ {
		wg.Add(1)
		run := e.opts.NewRun()
		g.Go(func() error {
			defer wg.Done()
			for id := range jobs {
				if gctx.Err() != nil {
					continue
				}
				r := getResult()
				r.id, r.err, r.steps, r.prov = id, nil, r.steps[:0], r.prov[:0]
				r.keys = e.dayKeys(id)
				spec := e.plan.Spec(id)
				r.sum, r.err = safeRun(run, &spec, r)
				select {
				case results <- r:
				case <-gctx.Done():
				}
			}
			return nil
		})
	}
	go func() { wg.Wait(); close(results) }()

	// Writer: reorders and writes chunk by chunk.
	var writeErr error
	g.Go(func() error {
		pending := map[int64]*runResult{}
		next := int64(0) // position in ids
		var cw *chunkWriter
		defer func() {
			if cw != nil {
				cw.abort()
			}
		}()
		for r := range results {
			pending[r.id] = r
			for next < ids.n {
				if gctx.Err() != nil {
					return nil // interrupted: the chunk in flight is discarded (deferred abort)
				}
				cur, ok := pending[ids.at(next)]
				if !ok {
					break
				}
				delete(pending, cur.id)
				k := int(cur.id / int64(e.plan.chunkRuns()))
				if cw == nil {
					cw = e.newChunk(k)
				}
				if cur.err != nil {
					c, rep := e.plan.CellOf(cur.id)
					f := dataset.Failure{RunID: cur.id, Cell: c, Replicate: rep, Error: cur.err.Error()}
					if e.opts.FailFast {
						writeErr = fmt.Errorf("%w: run %d (cell %s, replicate %d): %w", ErrRunFailed, cur.id, e.plan.Cells[c].Label(), rep, cur.err)
						return writeErr
					}
					cw.rec.Failures = append(cw.rec.Failures, f)
					prog.Failed++
					res.Failed++
				} else if err := cw.write(cur); err != nil {
					writeErr = err
					return err
				}
				id := cur.id
				putResult(cur)
				<-slots
				next++
				prog.Done++
				res.Done++
				_, to := e.plan.ChunkRange(k)
				if id == to-1 {
					if err := waitStart(); err != nil {
						writeErr = err
						return err
					}
					if err := e.finishChunk(cw, prog.ChunksDone+1 == len(e.todo)); err != nil {
						cw = nil
						writeErr = err
						return err
					}
					cw = nil
					prog.ChunksDone++
				}
				report()
			}
		}
		return nil
	})
	err := g.Wait()
	if serr := waitStart(); serr != nil {
		return res, serr // as a failure before the runs: no merge
	}
	if writeErr != nil {
		err = writeErr
	}
	e.state.State = dataset.StateRunning
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	if err == nil {
		now := e.opts.Now().UTC()
		e.state.State, e.state.Ended = dataset.StateComplete, &now
		if len(e.todo) == 0 && e.prevEnded != nil {
			e.state.Ended = e.prevEnded
		}
		if serr := e.saveState(); serr != nil {
			return res, serr
		}
	}
	m, merr := e.merge()
	res.Manifest = m
	if err != nil {
		if ctx.Err() != nil && !errors.Is(err, ErrRunFailed) {
			return res, fmt.Errorf("%w: %d of %d chunks of this shard written; run the same command again to resume: %w",
				ErrInterrupted, len(e.state.Chunks), e.state.ChunksOwn, ctx.Err())
		}
		return res, err
	}
	return res, merr
}

// idSeq is the ascending sequence of run ids of a list of chunks, without
// materializing it (a study may have millions of runs).
type idSeq struct {
	from []int64 // first run id of each chunk
	cum  []int64 // runs before each chunk in the sequence
	n    int64
}

func newIDSeq(p *Plan, chunks []int) idSeq {
	var s idSeq
	for _, k := range chunks {
		from, to := p.ChunkRange(k)
		s.from = append(s.from, from)
		s.cum = append(s.cum, s.n)
		s.n += to - from
	}
	return s
}

// at returns the i-th run id, 0 ≤ i < n.
func (s idSeq) at(i int64) int64 {
	j := sort.Search(len(s.cum), func(j int) bool { return s.cum[j] > i }) - 1
	return s.from[j] + i - s.cum[j]
}

// safeRun calls run, turning a panic into an error so that one bad run
// does not take the study down.
func safeRun(run RunFunc, spec *model.RunSpec, rec model.Recorder) (s model.Summary, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return run(spec, rec)
}

// chunkWriter writes one chunk's part files.
type chunkWriter struct {
	e     *engine
	rec   chunkRecord
	runs  dataset.RunsPart
	steps map[[2]string]dataset.DayPart
	prov  map[[2]string]dataset.DayPart
}

func (e *engine) newChunk(k int) *chunkWriter {
	return &chunkWriter{e: e, rec: chunkRecord{Chunk: k}, steps: map[[2]string]dataset.DayPart{},
		prov: map[[2]string]dataset.DayPart{}}
}

func (c *chunkWriter) write(r *runResult) error {
	e := c.e
	keys := r.keys // set by the worker (dayKeys): the run's cell and replicate
	cl := &e.plan.Cells[keys.Cell]
	if c.runs == nil {
		from, to := e.plan.ChunkRange(c.rec.Chunk)
		p, err := dataset.CreateRunsPart(e.sctx, e.store, dataset.TableRuns+"/"+dataset.PartName(c.rec.Chunk), e.owner, e.meta, e.runs, to-from)
		if err != nil {
			return err
		}
		c.runs = p
	}
	if err := c.runs.WriteRun(dataset.RunKeys{RunID: r.id, Cell: keys.Cell, Scenario: keys.Scenario, Policy: keys.Policy,
		Replicate: keys.Replicate, Seed: int64(model.RunSeed(e.plan.Seed, int(keys.Replicate)))}, &r.sum, cl.Sweep); err != nil {
		return err
	}
	c.rec.Runs++
	if e.plan.Outputs.Steps && len(r.steps) > 0 {
		if err := c.writeDay(c.steps, e.steps, dataset.TableSteps, cl, keys, r.steps, len(r.steps)); err != nil {
			return err
		}
	}
	if e.plan.Outputs.ProviderSteps && len(r.prov) > 0 {
		if err := c.writeDay(c.prov, e.prov, dataset.TableProviderSteps, cl, keys, r.prov, len(r.prov)); err != nil {
			return err
		}
	}
	return nil
}

// dayKeys are the day-table keys of run id's rows.
func (e *engine) dayKeys(id int64) dataset.DayKeys {
	cell, rep := e.plan.CellOf(id)
	cl := &e.plan.Cells[cell]
	return dataset.DayKeys{Cell: int64(cell), Scenario: cl.Scenario, Policy: cl.Policy, Replicate: int64(rep)}
}

// writeDay writes one run's n rows (a []dataset.StepsRow or []dataset.ProviderStepsRow)
// to the chunk's part file of table in cl's Hive partition, creating
// it on first use, sized for n rows × the partition's runs in the chunk
// (dataset.CreateDayPart: the plan and the first run's rows only, so the
// files do not depend on the worker count or shard split).
func (c *chunkWriter) writeDay(files map[[2]string]dataset.DayPart, t *dataset.DayTable, table string, cl *Cell, keys dataset.DayKeys, rows any, n int) error {
	e := c.e
	key := [2]string{cl.Scenario, cl.Policy}
	p := files[key]
	if p == nil {
		var err error
		p, err = dataset.CreateDayPart(e.sctx, e.store, dataset.PartitionKey(table, cl.Scenario, cl.Policy)+"/"+dataset.PartName(c.rec.Chunk), e.owner, e.meta, t,
			int64(n)*e.plan.partitionRuns(c.rec.Chunk, cl))
		if err != nil {
			return err
		}
		files[key] = p
	}
	return p.WriteDay(keys, rows, cl.Sweep)
}

// parts lists the chunk's open files, sorted by path.
func (c *chunkWriter) parts() []dataset.Part {
	var out []dataset.Part
	if c.runs != nil {
		out = append(out, c.runs)
	}
	for _, p := range c.steps {
		out = append(out, p)
	}
	for _, p := range c.prov {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path() < out[j].Path() })
	return out
}

func (c *chunkWriter) abort() {
	for _, p := range c.parts() {
		p.Abort()
	}
}

// finishChunk completes the chunk's files under their temporary names,
// records them in the shard progress, then publishes them (renames) and
// rewrites the merged manifest. A file appears under its final name only
// once the progress record lists it: a failure before (a full disk while
// finishing a file or saving the record) removes every temporary file and
// publishes nothing; a failure while publishing withdraws the record and the
// files already published. The files are finished concurrently
// (finishParts). last skips the manifest merge of a local directory: the
// chunk is this execution's last, and execute merges when it ends.
func (e *engine) finishChunk(c *chunkWriter, last bool) error {
	parts := c.parts()
	files, err := finishParts(parts)
	if err != nil {
		return err
	}
	for i, p := range parts {
		c.rec.Files = append(c.rec.Files, dataset.FileInfo{Path: p.Path(), Table: p.Table(), Chunk: c.rec.Chunk,
			Rows: p.Rows(), Bytes: files[i].bytes, SHA256: files[i].sha256})
	}
	now := e.opts.Now().UTC()
	c.rec.Written = &now
	if !e.local {
		return e.publishChunkBucket(c, parts)
	}
	prev, err := e.recordChunk(c.rec)
	if err != nil {
		for _, p := range parts {
			p.Abort()
		}
		return err
	}
	for i, p := range parts {
		if err := p.Publish(); err != nil {
			for _, y := range parts[:i] {
				os.Remove(filepath.Join(e.layout.Dir, filepath.FromSlash(y.Path())))
			}
			for _, y := range parts[i+1:] {
				y.Abort()
			}
			e.state.Chunks = prev
			if serr := e.saveState(); serr != nil {
				err = errors.Join(err, serr)
			}
			return fmt.Errorf("publishing %s: %w", p.Path(), err)
		}
	}
	e.chunkDone(&c.rec)
	if last {
		return nil
	}
	_, err = e.merge()
	return err
}

// recordChunk adds rec to the shard's progress record, in chunk order, and
// saves it. It returns the chunks recorded before, for withdrawing rec
// later; on error the record in memory is as before.
func (e *engine) recordChunk(rec chunkRecord) (prev []chunkRecord, err error) {
	prev = e.state.Chunks
	e.state.Chunks = append(slices.Clip(prev), rec)
	sort.Slice(e.state.Chunks, func(i, j int) bool { return e.state.Chunks[i].Chunk < e.state.Chunks[j].Chunk })
	if err := e.saveState(); err != nil {
		e.state.Chunks = prev
		return prev, fmt.Errorf("recording chunk %d: %w", rec.Chunk, err)
	}
	return prev, nil
}

// chunkDone marks a recorded and published chunk done.
func (e *engine) chunkDone(rec *chunkRecord) {
	e.done[rec.Chunk] = true
	e.opts.Logger.Debug("chunk written", "chunk", rec.Chunk, "runs", rec.Runs, "failed", len(rec.Failures), "files", len(rec.Files))
}

// merge rebuilds manifest.json from every shard's progress file, under a
// lock so concurrent shard processes do not overwrite a newer merge.
func (e *engine) merge() (*dataset.Manifest, error) {
	if !e.local {
		return e.mergeBucket()
	}
	unlock, err := lockFile(filepath.Join(e.layout.ShardsDir(), ".lock"))
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := removeManifestTemps(e.layout); err != nil {
		return nil, err
	}
	states, err := readShardStates(e.layout)
	if err != nil {
		return nil, err
	}
	m := e.buildManifest(states)
	if err := dataset.WriteJSONAtomic(e.layout.Manifest(), m); err != nil {
		return nil, err
	}
	return m, nil
}

// buildManifest merges the progress records of this study into its manifest.
func (e *engine) buildManifest(states []*shardState) *dataset.Manifest {
	p := e.plan
	m := &dataset.Manifest{
		SchemaVersion: dataset.SchemaVersion, ToolVersion: e.opts.ToolVersion, GoVersion: runtime.Version(),
		Study: p.Study.Name, Config: e.config, ConfigHash: e.configHash, PlanHash: e.planHash,
		Seed: p.Seed, Replicates: p.Replicates, HorizonDays: p.HorizonDays,
		Scenarios:   uniq(p.Cells, func(c Cell) string { return c.Scenario }),
		Policies:    uniq(p.Cells, func(c Cell) string { return c.Policy }),
		SweepParams: append([]string{}, p.SweepParams...), Cells: p.CellInfos(), Outputs: p.Outputs,
		ChunkRuns: p.chunkRuns(), Chunks: p.Chunks(), RunsPlanned: p.Runs(),
		Rows:  map[string]int64{dataset.TableRuns: 0},
		Files: []dataset.FileInfo{}, Shards: []dataset.ShardInfo{},
	}
	if p.Outputs.Steps {
		m.Rows[dataset.TableSteps] = 0
	}
	if p.Outputs.ProviderSteps {
		m.Rows[dataset.TableProviderSteps] = 0
	}
	seen := map[int]bool{}
	var ended time.Time
	allEnded := true
	var versions []string // the records' tool versions
	for _, st := range states {
		if st.ConfigHash != e.configHash || st.PlanHash != e.planHash {
			continue
		}
		if m.Started.IsZero() || st.Started.Before(m.Started) {
			m.Started = st.Started
		}
		if st.Ended != nil && st.Ended.After(ended) {
			ended = *st.Ended
		}
		if st.Ended == nil {
			allEnded = false
		}
		m.Shards = append(m.Shards, dataset.ShardInfo{Index: st.Index, Count: st.Count, State: st.State, Started: st.Started,
			Ended: st.Ended, ChunksDone: len(st.Chunks), ChunksOwn: st.ChunksOwn, ToolVersion: st.ToolVersion})
		if st.ToolVersion != "" && !slices.Contains(versions, st.ToolVersion) {
			versions = append(versions, st.ToolVersion)
		}
		for _, c := range st.Chunks {
			if seen[c.Chunk] {
				continue
			}
			seen[c.Chunk] = true
			m.RunsDone += c.Runs
			m.RunsFailed += int64(len(c.Failures))
			m.Failures = append(m.Failures, c.Failures...)
			for _, f := range c.Files {
				m.Files = append(m.Files, f)
				m.Rows[f.Table] += f.Rows
			}
		}
	}
	if len(versions) > 0 {
		// The version of the processes whose records list the files, so
		// that the manifest does not depend on which process merged last
		// (a process that lost a part to another, or one still starting
		// while another ends, merges too). Shards of different versions
		// give all of them, sorted.
		slices.Sort(versions)
		m.ToolVersion = strings.Join(versions, ", ")
	}
	sort.Slice(m.Files, func(i, j int) bool { return m.Files[i].Path < m.Files[j].Path })
	sort.Slice(m.Failures, func(i, j int) bool { return m.Failures[i].RunID < m.Failures[j].RunID })
	m.State = dataset.StateRunning
	if len(seen) == m.Chunks {
		m.State = dataset.StateComplete
		if allEnded {
			m.Ended = &ended
		} else {
			now := e.opts.Now().UTC()
			m.Ended = &now
		}
	}
	return m
}

func uniq(cells []Cell, key func(Cell) string) []string {
	var out []string
	for _, c := range cells {
		if k := key(c); !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}
