package reports

// Figure is one rendered figure of the report: written as figures/<ID>.png and
// figures/<ID>.svg, and inlined (PNG) into report.html.
type Figure struct {
	ID      string // file stem under figures/, [a-z0-9_-]
	Title   string
	Caption string // plain text; escaped by the page template
	PNG     []byte
	SVG     []byte
}

// Table is a plain table of the report; cells are pre-formatted text.
type Table struct {
	Caption string
	Header  []string
	Rows    [][]string
}

// Section is one section of report.html.
type Section struct {
	ID      string // HTML anchor
	Title   string
	Intro   []string // paragraphs of plain text
	Figures []Figure
	Tables  []Table
}
