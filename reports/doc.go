// Package reports draws a study's aggregated distributions as figures (PNG for
// the page, SVG for papers) and writes one self-contained report.html.
package reports
