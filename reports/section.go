package reports

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
