package reports

import (
	"cmp"
	"context"
	"runtime"
	"slices"

	"golang.org/x/sync/errgroup"
)

// drawFigures draws every deferred figure of r (Overview and Sections) on
// up to GOMAXPROCS goroutines, each into its own slot, so the report is the
// same bytes for any number of goroutines and any order of drawing. Figures of the sections are
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
	// Largest canvases first (longest processing time first: the last
	// drawings to start are short, so the goroutines finish together).
	order := make([]int, 0, len(figs))
	for i, f := range figs {
		if f.pending != nil {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int {
		pa, pb := figs[a].pending, figs[b].pending
		return cmp.Compare(pb.w*pb.h, pa.w*pa.h)
	})
	errs := make([]error, len(figs))
	rasters := newRasterPool()
	var eg errgroup.Group
	eg.SetLimit(runtime.GOMAXPROCS(0))
	for _, i := range order {
		f := figs[i]
		eg.Go(func() error {
			if ctx.Err() != nil {
				return nil
			}
			*f, errs[i] = f.drawOn(rasters)
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
