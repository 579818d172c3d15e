package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/tokensim/tokensim/dataset"
)

// baseVersion is tokensim's release version; version, when set at link time
// (-ldflags "-X main.version=..."), replaces the whole version string.
const baseVersion = "0.1.0"

var version string

// toolVersion returns the version written to manifests and Parquet metadata:
// version if set at link time, else baseVersion plus the VCS revision the
// binary was built from ("+<12 hex>", ".dirty" for uncommitted changes) when
// the build recorded one.
func toolVersion() string {
	if version != "" {
		return version
	}
	v := baseVersion
	if bi, ok := debug.ReadBuildInfo(); ok {
		var rev string
		var dirty bool
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if rev != "" {
			v += "+" + rev
			if dirty {
				v += ".dirty"
			}
		}
	}
	return v
}

func cmdVersion(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version", "tokensim version", "Print the tool version, the dataset schema version and the Go version.")
	if done, err := parseFlags(fs, args, stdout); done || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: version takes no arguments, got %q", errUsage, fs.Arg(0))
	}
	fmt.Fprintf(stdout, "tokensim %s\nschema   %d\ngo       %s %s/%s\n", toolVersion(), dataset.SchemaVersion,
		runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}

// newFlagSet returns a flag set whose -help prints synopsis, description and
// the flags.
func newFlagSet(name, synopsis, description string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: %s\n\n%s\n", synopsis, description)
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintln(w, "\nFlags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parseFlags parses args with flags and positional arguments in any order.
// -help prints the usage to stdout and reports done; a bad flag is an errUsage
// error naming it.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) (done bool, err error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				fs.SetOutput(stdout)
				fs.Usage()
				fs.SetOutput(io.Discard)
				return true, nil
			}
			return false, fmt.Errorf("%w: %s: %w (see `tokensim %s -help`)", errUsage, fs.Name(), err, fs.Name())
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
		if len(args) > 0 && args[0] == "--" {
			pos = append(pos, args[1:]...)
			break
		}
	}
	// Re-parse an empty list so fs.Args() returns the positional arguments.
	_ = fs.Parse(append([]string{"--"}, pos...))
	return false, nil
}
