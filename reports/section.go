package reports

import "errors"

// Figure is one rendered figure of the report: written as figures/<ID>.png and
// figures/<ID>.svg, and inlined (PNG) into report.html.
type Figure struct {
	ID      string // file stem under figures/, [a-z0-9_-]
	Title   string
	Caption string // plain text; escaped by the page template
	PNG     []byte
	SVG     []byte
	// CSV is the data behind the figure, written as figures/<ID>.csv and
	// linked from the page; nil when the figure links summary/ instead.
	CSV []byte

	pending *drawing // set until the figure is drawn (deferred, Figure.draw)
}

// Table is a plain table of the report; cells are pre-formatted text.
type Table struct {
	Caption string
	Header  []string
	Rows    [][]string
	ID      string // HTML anchor ("" for none)
}

// Section is one section of report.html.
type Section struct {
	ID      string // HTML anchor
	Title   string
	Intro   []string // paragraphs of plain text
	Figures []Figure
	Tables  []Table
}

// chartResult sorts the result of a chart constructor (FanChart, BoxChart,
// EffectChart, Heatmap, …): a figure without data (ErrNoData) is skipped, ok
// false and no error; any other error is returned.
func chartResult(fig Figure, err error) (_ Figure, ok bool, _ error) {
	switch {
	case err == nil:
		return fig, true, nil
	case errors.Is(err, ErrNoData):
		return Figure{}, false, nil
	}
	return Figure{}, false, err
}

// addFigure appends a chart constructor's figure to the section, skipping a
// figure without data (chartResult); any other error is returned.
func (s *Section) addFigure(fig Figure, err error) error {
	fig, ok, err := chartResult(fig, err)
	if ok {
		s.Figures = append(s.Figures, fig)
	}
	return err
}
