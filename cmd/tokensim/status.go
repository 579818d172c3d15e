package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/tokensim/tokensim/dataset"
	"github.com/tokensim/tokensim/pipeline"
	"github.com/tokensim/tokensim/storage"
)

// statusPoll is how often `status --wait` reads the study again.
const statusPoll = 10 * time.Second

func cmdStatus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("status", "tokensim status [--json] [--wait DURATION] DIR|URL",
		"Show how far a study is: runs and chunks done, failed runs, chunks missing, each shard's\n"+
			"state and rate, and the ETA at the running shards' recorded rates. DIR|URL is the study's\n"+
			"directory or object-store URL (s3://bucket/prefix/<name>?…, gs://…, azblob://…), read from\n"+
			"its manifest and shard progress records while shards run, from any machine.\n\n"+
			"Exit status: 0 (with --wait: the study is complete), 1 error or --wait timed out, 2 usage.")
	asJSON := fs.Bool("json", false, "print the status as JSON")
	wait := fs.Duration("wait", 0, "poll every 10 s until the study is complete, for at most `DURATION` (e.g. 12h)")
	if done, err := parseFlags(fs, args, stdout); done || err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: status takes one study directory or URL, got %d arguments", errUsage, fs.NArg())
	}
	loc := fs.Arg(0)
	st, err := storage.Open(ctx, loc)
	if err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	defer st.Close()
	deadline := time.Now().Add(*wait)
	for {
		s, err := pipeline.Status(ctx, st, time.Now())
		waiting := *wait > 0 && (err != nil && errors.Is(err, dataset.ErrNotStudy) || err == nil && s.State != dataset.StateComplete)
		if waiting && time.Now().Before(deadline) {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(min(statusPoll, time.Until(deadline))):
			}
			continue
		}
		if err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			if err := enc.Encode(s); err != nil {
				return err
			}
		} else {
			printStatus(stdout, s)
		}
		if *wait > 0 && s.State != dataset.StateComplete {
			return fmt.Errorf("status: %s is not complete after %s", loc, *wait)
		}
		return nil
	}
}

func printStatus(w io.Writer, s *pipeline.StudyStatus) {
	fmt.Fprintf(w, "study %s at %s: %s\n", s.Study, s.Location, s.State)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "runs\t%d of %d done, %d failed\n", s.RunsDone+s.RunsFailed, s.RunsPlanned, s.RunsFailed)
	fmt.Fprintf(tw, "chunks\t%d of %d done\n", s.ChunksDone, s.Chunks)
	if len(s.Missing) > 0 {
		fmt.Fprintf(tw, "missing\tchunks %s\n", pipeline.Ranges(s.Missing, 12))
	}
	switch {
	case s.State == dataset.StateComplete:
	case s.ETA >= 0:
		fmt.Fprintf(tw, "rate\t%.1f runs/s (running shards); ETA %s\n", s.RunsPerSecond, s.ETA)
	default:
		fmt.Fprintf(tw, "rate\tunknown (no shard running with a chunk written)\n")
	}
	tw.Flush()
	if len(s.Shards) == 0 {
		return
	}
	fmt.Fprintln(w, "shards:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, sh := range s.Shards {
		rate := ""
		if sh.RunsPerSecond > 0 {
			rate = fmt.Sprintf("%.1f runs/s", sh.RunsPerSecond)
		}
		last := "-"
		if sh.LastWritten != nil {
			last = sh.LastWritten.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "  %d/%d\t%s\t%d/%d chunks\tlast chunk %s\t%s\n", sh.Index, sh.Count, sh.State, sh.ChunksDone, sh.ChunksOwn, last, rate)
	}
	tw.Flush()
}

// atLocalStudy runs fn on a local directory holding the study at loc and
// returns fn's path as a location under loc. A local loc is used as it is.
// A study in a bucket is fetched into a temporary directory
// (dataset.Fetch: the manifest and the files it lists, hash-checked), fn
// runs there, and the report's outputs are published back to the bucket
// (dataset.PublishReport): one reader code path for every store.
func atLocalStudy(ctx context.Context, loc string, fn func(dir string) (string, error)) (string, error) {
	st, err := storage.Open(ctx, loc)
	if err != nil {
		return "", fmt.Errorf("%w: %w", errUsage, err)
	}
	defer st.Close()
	if dir, ok := st.LocalDir(); ok {
		return fn(dir)
	}
	tmp, err := os.MkdirTemp("", "tokensim-study-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	if _, err := dataset.Fetch(ctx, st, tmp); err != nil {
		return "", err
	}
	path, err := fn(tmp)
	if err != nil {
		return "", err
	}
	if _, err := dataset.PublishReport(ctx, st, tmp); err != nil {
		return "", err
	}
	if path == "" {
		return "", nil
	}
	rel, err := filepath.Rel(tmp, path)
	if err != nil {
		return "", err
	}
	return storage.Join(loc, filepath.ToSlash(rel)), nil
}
