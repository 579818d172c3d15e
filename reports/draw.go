package reports

import (
	"context"
	"runtime"

	"golang.org/x/sync/errgroup"
)

// drawFigures draws every deferred figure of r (Overview and Sections) on
// up to GOMAXPROCS goroutines, each into its own slot, so the report is the
// same bytes for any number of goroutines. Figures of the sections are
// independent: each drawing reads only its own spec and plots (gonum's font
// cache is safe for concurrent use). When drawings fail, the error of the
// first failing figure in page order is returned.
func drawFigures(ctx context.Context, r *Report) error {
	var figs []*Figure
	for i := range r.Overview {
		figs = append(figs, &r.Overview[i])
	}
	for s := range r.Sections {
		for i := range r.Sections[s].Figures {
			figs = append(figs, &r.Sections[s].Figures[i])
		}
	}
	errs := make([]error, len(figs))
	var eg errgroup.Group
	eg.SetLimit(runtime.GOMAXPROCS(0))
	for i, f := range figs {
		if f.pending == nil {
			continue
		}
		eg.Go(func() error {
			if ctx.Err() != nil {
				return nil
			}
			*f, errs[i] = f.draw()
			return nil
		})
	}
	eg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return ctx.Err()
}
