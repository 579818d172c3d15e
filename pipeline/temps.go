package pipeline

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/tokensim/tokensim/dataset"
)

// Temporary files and who owns them.
//
// Every temporary file a study directory can hold has an owner whose
// advisory lock (lockFile) is held while the file exists:
//
//   - a part file being written by shard i of N:
//     <table>/…/.part-<chunk>.parquet.shard-i-of-N.tmp (dataset.PartTempName),
//     and that shard's
//     progress file being replaced: shards/.shard-i-of-N.json.tmp-<random>;
//     owner: the shard lock shards/.shard-i-of-N.lock (held for the whole
//     execution, see Execute);
//   - manifest.json being replaced: .manifest.json.tmp-<random>; owner: the
//     merge lock shards/.lock;
//   - the report's files (summary/.*.tmp-*, .figures-tmp-*, .report-*.html.tmp,
//     figures.old): owner: the report lock shards/.report.lock (ReportLease).
//
// A temporary file is removed by its owner's clean-up, which runs with the
// owner's lock held: the start of a shard's execution removes that shard's
// temporaries and those of every other shard whose lock is free (a process
// that died), never those of a live shard; the merge removes stale manifest
// temporaries; ReportLease removes the report's. So shards started at any
// times, and a report beside them, never delete each other's files in flight,
// and a killed process's temporaries are gone after the next run or report.

// shardOwner names shard i of n in temporary file names and lock files.
func shardOwner(i, n int) string { return fmt.Sprintf("shard-%d-of-%d", i, n) }

// shardLockPath is the lock held by the process executing a shard.
func shardLockPath(l dataset.Layout, owner string) string {
	return filepath.Join(l.ShardsDir(), "."+owner+".lock")
}

var (
	// .shard-1-of-2.json.tmp-123456
	stateTempRE = regexp.MustCompile(`^\.(shard-\d+-of-\d+)\.json\.tmp-\d+$`)
	// .manifest.json.tmp-123456
	manifestTempRE = regexp.MustCompile(`^\.` + regexp.QuoteMeta(dataset.ManifestFile) + `\.tmp-\d+$`)
)

// removeShardTemps deletes the temporary files of shard self (whose lock the
// caller holds) and of every other shard whose lock is free; temporaries of
// v0.1 (no owner in the name) are deleted only when no shard lock is held.
func removeShardTemps(l dataset.Layout, self string) error {
	free := map[string]bool{self: true}
	isFree := func(owner string) (bool, error) {
		if ok, seen := free[owner]; seen {
			return ok, nil
		}
		if owner == "" { // v0.1 names: free when every shard's lock is
			locks, _ := filepath.Glob(filepath.Join(l.ShardsDir(), ".shard-*-of-*.lock"))
			for _, lp := range locks {
				o := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(lp), "."), ".lock")
				if ok, err := isFreeLock(l, o, self); err != nil || !ok {
					free[""] = false
					return false, err
				}
			}
			free[""] = true
			return true, nil
		}
		ok, err := isFreeLock(l, owner, self)
		free[owner] = ok
		return ok, err
	}
	remove := func(path, owner string) error {
		ok, err := isFree(owner)
		if err != nil || !ok {
			return err
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	for _, sub := range dataset.DataTables {
		err := filepath.WalkDir(filepath.Join(l.Dir, sub), func(path string, d os.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return filepath.SkipDir
				}
				return err
			}
			if owner, ok := dataset.PartTempOwner(d.Name()); ok && !d.IsDir() {
				return remove(path, owner)
			}
			return nil
		})
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	entries, err := os.ReadDir(l.ShardsDir())
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for _, de := range entries {
		if m := stateTempRE.FindStringSubmatch(de.Name()); m != nil {
			if err := remove(filepath.Join(l.ShardsDir(), de.Name()), m[1]); err != nil {
				return err
			}
		}
	}
	return nil
}

// isFreeLock reports whether owner's shard lock is free (its process is
// gone). The lock is taken and released at once: the caller already holds
// its own shard's lock, and another process that takes owner's lock after
// this check cleans its own temporaries before writing new ones.
func isFreeLock(l dataset.Layout, owner, self string) (bool, error) {
	if owner == self {
		return true, nil
	}
	unlock, ok, err := tryLockFile(shardLockPath(l, owner))
	if err != nil {
		return false, err
	}
	if ok {
		unlock()
	}
	return ok, nil
}

// removeManifestTemps deletes temporaries of manifest.json; the caller holds
// the merge lock, which every writer of the manifest holds.
func removeManifestTemps(l dataset.Layout) error {
	entries, err := os.ReadDir(l.Dir)
	if err != nil {
		return err
	}
	for _, de := range entries {
		if manifestTempRE.MatchString(de.Name()) {
			if err := os.Remove(filepath.Join(l.Dir, de.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
	}
	return nil
}

// ReportLease takes the report lock of the study in dir (shards/.report.lock,
// waiting while another report of the study is being written) and removes
// what an earlier report process killed mid-way left behind: temporary
// summary tables (summary/.*.tmp-*), figure directories (.figures-tmp-*,
// figures.old) and pages (.report-*.html.tmp). Every writer of those files
// holds this lock, so none of them is in flight. The returned function
// releases the lock; call it when the report is written. A directory that
// `run` did not write (no shards/) gets no lease and no clean-up: nothing
// there says which temporaries are in flight.
func ReportLease(dir string) (release func(), err error) {
	l := dataset.Layout{Dir: dir}
	if fi, err := os.Stat(l.ShardsDir()); err != nil || !fi.IsDir() {
		return func() {}, nil
	}
	unlock, err := lockFile(filepath.Join(l.ShardsDir(), ".report.lock"))
	if err != nil {
		return nil, fmt.Errorf("report lock: %w", err)
	}
	if err := removeReportTemps(l); err != nil {
		unlock()
		return nil, err
	}
	return unlock, nil
}

var (
	summaryTempRE = regexp.MustCompile(`^\..+\.tmp-\d+$`)
	reportTempRE  = regexp.MustCompile(`^(\.figures-tmp-\d+|\.report-\d+\.html\.tmp|figures\.old)$`)
)

func removeReportTemps(l dataset.Layout) error {
	var stale []string
	if entries, err := os.ReadDir(l.Summary()); err == nil {
		for _, de := range entries {
			if summaryTempRE.MatchString(de.Name()) {
				stale = append(stale, filepath.Join(l.Summary(), de.Name()))
			}
		}
	}
	entries, err := os.ReadDir(l.Dir)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	for _, de := range entries {
		if reportTempRE.MatchString(de.Name()) {
			stale = append(stale, filepath.Join(l.Dir, de.Name()))
		}
	}
	for _, p := range stale {
		if err := os.RemoveAll(p); err != nil {
			return fmt.Errorf("report: removing %s: %w", p, err)
		}
	}
	return nil
}
