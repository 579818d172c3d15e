package reports

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"strings"
)

// pageFigure is a figure as the template sees it.
type pageFigure struct {
	ID, Title, Caption string
	// Src is the img's src attribute, src="data:…;base64,…": a vetted
	// attribute (base64 has no quote, '&' or '<'), so that html/template does
	// not write each '+' of the base64 text as "&#43;".
	Src            template.HTMLAttr
	Width, Height  int
	HasSVG, HasCSV bool
}

type pageSection struct {
	ID, Title string
	Intro     []string
	Figures   []pageFigure
	Tables    []Table
}

type pageData struct {
	*Report
	Page     []pageSection
	Overview []pageFigure
	Rule     string
}

// escText pre-escapes s for HTML text or a double-quoted attribute value
// (textEscaper), leaving '+' alone: html/template's own escaper writes every
// '+' as "&#43;". The result is only ever our escaped text.
func escText(s string) template.HTML { return template.HTML(textEscaper.Replace(s)) }

// textEscaper escapes what matters in HTML text and double-quoted attribute
// values: & < > and the double quote ('+' and the apostrophe stay as they are).
var textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;")

// toPageFigure turns a figure into its template view.
func toPageFigure(f Figure) pageFigure {
	wd, ht := pngSize(f.PNG)
	// Our own PNG or SVG bytes, base64-encoded: safe as a URL. The page
	// inlines the smaller of the two (box plots and effect charts are a
	// third of their PNG as SVG; fan charts, with thousands of path points,
	// are smaller as PNG); the SVG draws at the PNG's pixel size.
	var src string
	if len(f.SVG) > 0 && len(f.SVG) < len(f.PNG) {
		src = "data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(f.SVG)
	} else {
		src = "data:image/png;base64," + base64.StdEncoding.EncodeToString(f.PNG)
	}
	return pageFigure{
		ID: f.ID, Title: f.Title, Caption: f.Caption,
		Src:   template.HTMLAttr(`src="` + src + `"`),
		Width: wd, Height: ht, HasSVG: len(f.SVG) > 0, HasCSV: len(f.CSV) > 0,
	}
}

// Render writes r as one self-contained HTML page: figures inlined as data:
// URIs, styles and the optional table-sorting script inline, nothing loaded
// from elsewhere. Every string is escaped by html/template.
func Render(w io.Writer, r *Report) error {
	d := pageData{Report: r, Rule: scorecardRule()}
	for _, f := range r.Overview {
		d.Overview = append(d.Overview, toPageFigure(f))
	}
	for _, s := range r.Sections {
		ps := pageSection{ID: s.ID, Title: s.Title, Intro: s.Intro, Tables: s.Tables}
		for _, f := range s.Figures {
			ps.Figures = append(ps.Figures, toPageFigure(f))
		}
		d.Page = append(d.Page, ps)
	}
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, d); err != nil {
		return fmt.Errorf("reports: rendering report.html: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// pngSize reads the width and height from a PNG header (0, 0 if malformed).
func pngSize(b []byte) (int, int) {
	if len(b) < 24 || string(b[1:4]) != "PNG" {
		return 0, 0
	}
	be := func(p []byte) int { return int(p[0])<<24 | int(p[1])<<16 | int(p[2])<<8 | int(p[3]) }
	return be(b[16:20]), be(b[20:24])
}

var pageTemplate = template.Must(template.New("report").Funcs(template.FuncMap{"t": escText}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{t .Title}}</title>
<style>
body{font-family:"Liberation Sans",Arial,Helvetica,sans-serif;margin:0 auto;max-width:1360px;padding:0 1.2em 3em;color:#111;line-height:1.45}
h1{font-size:1.4em;margin:.5em 0 .2em}
h2{font-size:1.3em;margin-top:2em;border-bottom:2px solid #08306b;padding-bottom:.2em}
.alert{border:3px solid #b2182b;background:#fde0dd;padding:.7em 1em;margin:1em 0;font-weight:bold}
.warn{border-left:4px solid #e69f00;background:#fff7e0;padding:.4em 1em;margin:1em 0}
table{border-collapse:collapse;margin:.6em 0 1.4em;font-size:.82em}
caption{caption-side:top;text-align:left;font-style:italic;padding:.3em 0}
th,td{border:1px solid #bbb;padding:.2em .5em;vertical-align:top}
th{background:#e8eef6;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.facts th{width:13em}
.scroll{overflow-x:auto}
figure{margin:1.2em 0}
figure img{max-width:100%;height:auto;border:1px solid #ddd}
figcaption{font-size:.85em;color:#333}
ul.findings li{margin:.35em 0}
nav ul{columns:2;font-size:.9em}
pre{background:#f4f4f4;border:1px solid #ddd;padding:.8em;overflow-x:auto;font-size:.8em;white-space:pre-wrap}
th.sortable{cursor:pointer}
footer{margin-top:3em;font-size:.8em;color:#555}
table.score{font-size:.78em;width:100%;margin:.4em 0 .6em}
table.score caption{font-style:normal;font-size:1.05em}
table.score th.sc{min-width:9em}
table.score th.pol{width:14em}
table.score th.fam{width:12em}
table.score th,table.score td{padding:.15em .4em}
table.score .desc{display:block;font-weight:normal;font-size:.86em;color:#333;line-height:1.25}
table.score td{line-height:1.25}
table.score td .eff{display:block;font-size:.92em;font-variant-numeric:tabular-nums}
table.score td .mark{font-weight:bold}
table.score tbody{border-top:3px solid #08306b}
td.v-better{background:#d1e5f0}
td.v-worse{background:repeating-linear-gradient(135deg,#fddbc7 0,#fddbc7 5px,#f4a582 5px,#f4a582 7px)}
td.v-flat,td.v-unclear,td.v-none{background:#fff;color:#333}
p.lead{margin:.2em 0 .4em;font-size:.95em}
details>summary{cursor:pointer;margin:.4em 0;color:#08306b}
@media print{.scroll{overflow:visible}figure{break-inside:avoid}}
</style>
</head>
<body>
<header id="top">
<h1>{{t .Title}}</h1>
{{range .Alerts}}<p class="alert" role="alert">⚠ {{t .}}</p>
{{end}}{{if .Lead}}<p class="lead">{{t .Lead}}</p>{{end}}
</header>
{{with .Scorecard}}<section id="scorecard">
<table class="score" id="scorecard-table">
<caption>Scorecard: each policy versus no policy, per scenario. ✓ better · ✗ worse · ≈ no real change · ? unclear (95% interval includes zero). <a href="#method">How it is judged</a> · <a href="figures/scorecard.csv">data (CSV)</a></caption>
<thead><tr><th scope="col">Policy</th><th scope="col">Outcome (key metric)</th>{{range .Scenarios}}<th scope="col" class="sc"><b>{{t .Label}}</b><span class="desc">{{t .Text}}</span></th>{{end}}</tr></thead>
{{$fams := .Families}}{{range $pi, $rows := .Entries}}<tbody>
{{range $fi, $row := $rows}}<tr>{{if eq $fi 0}}<th scope="rowgroup" rowspan="{{len $rows}}" class="pol"><b>{{t (index $.Scorecard.Policies $pi).Label}}</b><span class="desc">{{t (index $.Scorecard.Policies $pi).Text}}</span></th>{{end}}<th scope="row" class="fam">{{t (index $fams $fi).Title}}<span class="desc">{{t (index $fams $fi).Metric.Label}}: {{(index $fams $fi).Statistic}} change</span></th>{{range $row}}<td class="{{.Verdict.Class}}"><span class="mark">{{.Verdict.Symbol}}</span> <b>{{.Verdict.Word}}</b><span class="eff">{{t .EffectText}}</span></td>{{end}}</tr>
{{end}}</tbody>
{{end}}</table>
{{if .Note}}<p>{{t .Note}}</p>{{end}}
</section>
{{end}}{{range .Overview}}<figure id="fig-{{.ID}}">
<img {{.Src}} alt="{{t .Title}}"{{if .Width}} width="{{.Width}}" height="{{.Height}}"{{end}}>
<figcaption>{{t .Caption}} Files: <a href="figures/{{.ID}}.png">PNG</a>{{if .HasSVG}}, <a href="figures/{{.ID}}.svg">SVG</a>{{end}}{{if .HasCSV}}, <a href="figures/{{.ID}}.csv">data (CSV)</a>{{end}}.</figcaption>
</figure>
{{end}}<section id="findings">
<h2>Headline findings</h2>
{{if .Headlines}}<ul class="findings">
{{range .Headlines}}<li>{{t .Text}} <a href="{{.Link}}">Numbers</a></li>
{{end}}</ul>
{{else}}<p>No policy effects could be estimated (the study needs the no-policy variant <code>none</code> and at least one other).</p>

{{end}}{{if .Findings}}<details><summary>Largest effect per scenario and family, in numbers</summary>
<ul class="findings">
{{range .Findings}}<li>{{t .}}</li>
{{end}}</ul>
</details>
{{end}}</section>
<section id="run">
<h2>What was run</h2>
<details><summary>Study facts (seed, runs, versions, configuration hash)</summary>
<table class="facts">
{{range .Facts}}<tr><th scope="row">{{t (index . 0)}}</th><td>{{t (index . 1)}}</td></tr>
{{end}}</table>
</details>
{{if .Warnings}}<div class="warn"><p>Warnings from the aggregation:</p><ul>
{{range .Warnings}}<li>{{t .}}</li>
{{end}}</ul></div>
{{end}}</section>
<nav aria-label="Contents">
<h2>Contents</h2>
<ul>
<li><a href="#scorecard">Scorecard</a></li>
<li><a href="#findings">Headline findings</a></li>
<li><a href="#run">What was run</a></li>
{{range .Page}}<li><a href="#{{.ID}}">{{t .Title}}</a></li>
{{end}}<li><a href="#config">Resolved configuration</a></li>
</ul>
</nav>
{{range .Page}}<section id="{{.ID}}">
<h2>{{t .Title}}</h2>
{{range .Intro}}<p>{{t .}}</p>
{{end}}{{range .Figures}}<figure id="fig-{{.ID}}">
<img {{.Src}} alt="{{t .Title}}"{{if .Width}} width="{{.Width}}" height="{{.Height}}"{{end}}>
<figcaption>{{t .Caption}} Files: <a href="figures/{{.ID}}.png">PNG</a>{{if .HasSVG}}, <a href="figures/{{.ID}}.svg">SVG</a>{{end}}{{if .HasCSV}}, <a href="figures/{{.ID}}.csv">data (CSV)</a>{{else}}; data: <a href="summary/metrics.parquet">summary/metrics.parquet</a>, <a href="summary/effects.parquet">summary/effects.parquet</a>, <a href="summary/fans.parquet">summary/fans.parquet</a>{{end}}.</figcaption>
</figure>
{{end}}{{range .Tables}}<details{{if .ID}} id="{{.ID}}"{{end}}><summary>Table: {{t .Caption}}</summary>
<div class="scroll">
<table class="data">
<thead><tr>{{range .Header}}<th scope="col">{{t .}}</th>{{end}}</tr></thead>
<tbody>
{{range .Rows}}<tr>{{range .}}<td>{{t .}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
</div>
</details>
{{end}}</section>
{{end}}<section id="config">
<h2>Resolved configuration</h2>
{{if .Config}}<details><summary>Show the configuration</summary><pre>{{t .Config}}</pre></details>{{else}}<p>The study has no manifest, so its resolved configuration is unknown.</p>{{end}}
</section>
<footer><p>{{t .Footer}}</p></footer>
<script>
(function(){
  function num(s){
    s=s.replace(/\u2212/g,"-").replace(/[,%*\[\]]/g,"").trim();
    var m=s.match(/^[-+]?\d*\.?\d+(e[-+]?\d+)?/i);
    return m?parseFloat(m[0]):NaN;
  }
  var tables=document.querySelectorAll("table.data");
  for(var t=0;t<tables.length;t++){
    (function(table){
      var body=table.tBodies[0];
      var rows=body.rows;
      for(var r=0;r<rows.length;r++){
        for(var c=0;c<rows[r].cells.length;c++){
          if(!isNaN(num(rows[r].cells[c].textContent))&&/^[\s\u2212+\-\d.,%*\[]/.test(rows[r].cells[c].textContent)){rows[r].cells[c].className="n";}
        }
      }
      var ths=table.tHead.rows[0].cells;
      for(var i=0;i<ths.length;i++){
        (function(col,th){
          th.className="sortable";th.title="Click to sort";
          var asc=true;
          th.addEventListener("click",function(){
            var arr=Array.prototype.slice.call(body.rows);
            arr.sort(function(a,b){
              var x=a.cells[col].textContent,y=b.cells[col].textContent,nx=num(x),ny=num(y);
              var d=(!isNaN(nx)&&!isNaN(ny))?nx-ny:x.localeCompare(y);
              return asc?d:-d;
            });
            asc=!asc;
            for(var k=0;k<arr.length;k++){body.appendChild(arr[k]);}
          });
        })(i,ths[i]);
      }
    })(tables[t]);
  }
})();
</script>
</body>
</html>
`))
