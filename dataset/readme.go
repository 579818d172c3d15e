package dataset

import (
	"fmt"
	"strings"

	"github.com/tokensim/tokensim/model"
)

// Readme renders the README.md of a study directory: what was run (from the
// manifest), the files, how to load the tables in pandas, Polars, DuckDB and
// R, the rule for nulls, the keys and joins, the schema history, and the data
// dictionary of every table (from the Data Package, i.e. from the metric
// catalogue and the files' schemas).
func Readme(m *Manifest, dp *DataPackage) string {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	p("# tokensim study `%s`\n\n", m.Study)
	p("This directory is a Monte Carlo study written by tokensim %s (dataset schema version %d): a simulated economy in which consumers pay competing LLM API providers with one common token (CLT). ", m.ToolVersion, SchemaVersion)
	p("Every run is one seeded simulation of %d days; the tables below hold every run, every recorded day, and the aggregates of the report (`report.html`).\n\n", m.HorizonDays)

	p("## What was run\n\n")
	p("| | |\n|---|---|\n")
	p("| Scenarios | %s |\n", codeList(m.Scenarios))
	p("| Policy variants | %s (each compared with `none`, paired by replicate) |\n", codeList(m.Policies))
	if len(m.SweepParams) > 0 {
		p("| Swept parameters | %s |\n", codeList(m.SweepParams))
	}
	p("| Cells (scenario × policy%s) | %d |\n", map[bool]string{true: " × sweep point", false: ""}[len(m.SweepParams) > 0], len(m.Cells))
	p("| Replicates per cell | %d |\n", m.Replicates)
	p("| Horizon | %d days (recorded every %d day(s) in the day tables) |\n", m.HorizonDays, max(m.Outputs.RecordEveryDays, 1))
	p("| Runs | %d planned, %d written, %d failed (state `%s`) |\n", m.RunsPlanned, m.RunsDone, m.RunsFailed, m.State)
	p("| Master seed | %d |\n", m.Seed)
	p("| Config SHA-256 | `%s` |\n", m.ConfigHash)
	if m.Ended != nil {
		p("| Finished | %s |\n", m.Ended.UTC().Format("2006-01-02 15:04 UTC"))
	}
	p("\nThe resolved configuration (every parameter of every cell follows from it) is at the end of this file and in `manifest.json` (`config`). ")
	p("`docs/model.md` of tokensim explains the model, its parameters and its metrics.\n\n")

	p("## Files\n\n")
	p("| Table | Files | Rows | Bytes | Key |\n|---|---|---:|---:|---|\n")
	for _, r := range dp.Resources {
		p("| `%s` | %s | %d | %d | %s |\n", r.Name, filesPattern(r), r.Rows, r.Bytes, codeList(r.Schema.PrimaryKey))
	}
	p("\nAlso: `manifest.json` (what was run, and every file with its size and SHA-256), `datapackage.json` ")
	p("(a [Frictionless Data Package](https://specs.frictionlessdata.io/data-package/): a Table Schema per table with types, units, descriptions, primary and foreign keys), ")
	p("`report.html` and `figures/` (the report), `summary/*.arrow` (the summary tables as Arrow IPC), `shards/` (resume state).\n\n")
	p("Every Parquet file carries its provenance in its key-value metadata: `%s`, `%s`, `%s`, `%s`, `%s`, `%s`.\n\n",
		MetaStudy, MetaToolVersion, MetaSchemaVersion, MetaConfigHash, MetaSeed, MetaTable)

	p("## Load it\n\n")
	p("Run these from this directory (or prefix the paths with it). `steps/` is Hive-partitioned by `scenario` and `policy` for pruning; ")
	p("the files also hold both columns. DuckDB and Polars (checked by tokensim's tests) then show each column once, with or without Hive partitioning; ")
	p("with other readers, read the files without partition discovery as below.\n\n")
	p("Polars:\n\n```python\nimport polars as pl\nruns = pl.read_parquet(\"runs/*.parquet\")\n")
	p("steps = pl.scan_parquet(\"steps/**/*.parquet\")              # every key and swept parameter on every row\n")
	p("steps.filter(pl.col(\"scenario\") == \"volatility\").group_by(\"policy\", \"day\").agg(pl.col(\"price\").median()).collect()\n")
	p("runs.join(steps.collect(), on=\"run_id\", suffix=\"_day\")\n```\n\n")
	p("DuckDB:\n\n```sql\nSELECT scenario, policy, avg(recovery_days), avg(recovered::INT) FROM read_parquet('runs/*.parquet') GROUP BY ALL ORDER BY ALL;\n")
	p("SELECT policy, day, median(price) FROM read_parquet('steps/**/*.parquet') WHERE scenario = 'volatility' GROUP BY ALL ORDER BY ALL;\n")
	p("SELECT r.cell, m.metric, m.median FROM read_parquet('runs/*.parquet') r JOIN read_parquet('summary/metrics.parquet') m USING (cell) LIMIT 5;\n```\n\n")
	p("pandas (needs pyarrow; the files hold scenario and policy, so the partition directories are not needed):\n\n```python\nimport pandas as pd\nruns = pd.read_parquet(\"runs\")\nsteps = pd.read_parquet(\"steps\", partitioning=None)\n")
	p("runs.groupby([\"scenario\", \"policy\"])[\"peg_mad\"].describe()\neffects = pd.read_parquet(\"summary/effects.parquet\")\n```\n\n")
	p("R (arrow):\n\n```r\nlibrary(arrow); library(dplyr)\nruns <- open_dataset(\"runs\") |> collect()\n")
	p("steps <- open_dataset(list.files(\"steps\", pattern = \"parquet$\", recursive = TRUE, full.names = TRUE))   # the files hold every key\n")
	p("steps |> filter(scenario == \"volatility\") |> group_by(policy, day) |> summarise(price = median(price)) |> collect()\n```\n\n")
	p("A swept parameter is a column named by its dotted path (e.g. `share_cap.cap`): quote it in SQL (`\"share_cap.cap\"`).\n\n")

	p("## Keys, nulls and types\n\n")
	p("- `run_id = cell × replicates + replicate`. `runs` has one row per run; `steps` one row per run and recorded day, keyed (`run_id`, `day`); ")
	p("both carry `cell`, `scenario`, `policy`, `replicate` and the swept parameters. Join `steps` to `runs` on `run_id`, and the `summary/` tables to either on `cell` ")
	p("(`summary/effects` is keyed by `scenario`, `sweep`, `policy`, `metric`).\n")
	p("- Replicate r uses the same random draws in every cell (common random numbers): compare policies pairwise by (`scenario`, sweep, `replicate`).\n")
	p("- Every id and day (`run_id`, `cell`, `replicate`, `day`) is INT64 in every table. `seed` is the run's uint64 model seed stored with the same bits as INT64 (cast to UBIGINT to read it unsigned).\n")
	p("- Null means **not applicable** or **never**, never a sentinel: a metric of a policy lever is null in runs where the lever is off (%s); ", leverOnlyList())
	p("`recovered` and `recovery_days` are null when the schedule has no shock ending within the horizon; ")
	p("`fund_depleted_day` and `recovery_days` are also null when the event never happened, and the flags `fund_depleted` and `recovered` (false = never) tell the two apart; ")
	p("`leader_profit_share` is null when the providers' total profit is ≤ 0. So `avg(recovery_days)` is the mean over the runs that recovered, ")
	p("and `avg(recovered::INT)` the share of runs that recovered among those with a shock.\n\n")

	p("## Schema versions\n\n")
	for _, h := range SchemaHistory {
		p("- %s\n", h)
	}
	p("\n## Data dictionary\n\n")
	for _, r := range dp.Resources {
		p("### `%s`: %s\n\n%s\n\n", r.Name, r.Title, r.Description)
		p("| Column | Type | Unit | Description |\n|---|---|---|---|\n")
		for _, f := range r.Schema.Fields {
			desc := f.Description
			if f.Title != "" {
				desc = "**" + f.Title + ".** " + desc
			}
			if f.MissingNote != "" && !strings.Contains(strings.ToLower(f.Description), "null") {
				desc += " Null " + strings.TrimPrefix(f.MissingNote, "null ") + "."
			}
			typ := f.ParquetType
			if f.Nullable && f.MissingNote != "" {
				typ += ", nullable"
			}
			p("| `%s` | %s | %s | %s |\n", f.Name, typ, f.Unit, strings.ReplaceAll(desc, "|", "\\|"))
		}
		p("\n")
	}
	p("## Configuration\n\n```yaml\n%s\n```\n", strings.TrimRight(m.Config, "\n"))
	return b.String()
}

// leverOnlyList names the catalogue's lever-only runs metrics by lever:
// "`halts`, `halt_unsold_clt` without the circuit breaker lever; …".
func leverOnlyList() string {
	var levers []string
	by := map[string][]string{}
	for _, m := range model.CatalogueOf(model.TableRuns) {
		if m.LeverOnly == "" {
			continue
		}
		if _, ok := by[m.LeverOnly]; !ok {
			levers = append(levers, m.LeverOnly)
		}
		by[m.LeverOnly] = append(by[m.LeverOnly], m.Name)
	}
	var parts []string
	for _, l := range levers {
		parts = append(parts, codeList(by[l])+" without the "+strings.ReplaceAll(l, "_", " ")+" lever")
	}
	return strings.Join(parts, "; ")
}

func codeList(xs []string) string {
	if len(xs) == 0 {
		return "—"
	}
	return "`" + strings.Join(xs, "`, `") + "`"
}

// filesPattern summarizes a resource's paths: the one path, or a glob.
func filesPattern(r Resource) string {
	if len(r.Path) == 1 {
		return "`" + r.Path[0] + "`"
	}
	switch r.Name {
	case TableSteps, TableProviderSteps:
		return fmt.Sprintf("`%s/scenario=*/policy=*/part-*.parquet` (%d)", r.Name, len(r.Path))
	}
	return fmt.Sprintf("`%s/part-*.parquet` (%d)", r.Name, len(r.Path))
}
