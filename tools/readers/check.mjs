// check.mjs DIR: reads the tokensim study in DIR with three readers that
// share no code with tokensim (DuckDB, Polars, hyparquet) and checks what a notebook user
// relies on: every table reads whole with one glob; keys are Int64 in every
// table; steps has no duplicated or conflicting columns with or without Hive
// partitioning; nulls follow the data dictionary (not applicable / never);
// runs ⋈ steps on run_id and summary ⋈ runs on cell join with matching keys;
// row counts match manifest.json. Prints one line per check; exits 1 if any
// check fails. Run by cmd/tokensim's TestNodeReaders (`npm install` here first).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import pl from 'nodejs-polars';
import { parquetReadObjects, asyncBufferFromFile } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node check.mjs STUDY_DIR');
  process.exit(2);
}
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
const pkg = JSON.parse(readFileSync(join(dir, 'datapackage.json'), 'utf8'));
let failed = 0;
const check = (name, ok, detail = '') => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ': ' + detail : ''}`);
  if (!ok) failed++;
};
const p = (rel) => join(dir, rel).replaceAll("'", "''");
const runsGlob = p('runs/*.parquet'), stepsGlob = p('steps/**/*.parquet');
const keys = ['run_id', 'cell', 'replicate', 'day'];

// ---- DuckDB ----
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const rows = async (sql) => (await con.runAndReadAll(sql)).getRowObjectsJson();
const one = async (sql) => Object.values((await rows(sql))[0])[0];

for (const hive of [false, true]) {
  const desc = await rows(`DESCRIBE SELECT * FROM read_parquet('${stepsGlob}', hive_partitioning = ${hive})`);
  const names = desc.map((d) => d.column_name);
  check(`duckdb steps hive_partitioning=${hive}: no duplicate columns`, new Set(names).size === names.length, names.join(','));
  const types = Object.fromEntries(desc.map((d) => [d.column_name, d.column_type]));
  for (const k of ['run_id', 'cell', 'replicate', 'day']) {
    check(`duckdb steps hive_partitioning=${hive}: ${k} BIGINT`, types[k] === 'BIGINT', types[k]);
  }
  check(`duckdb steps hive_partitioning=${hive}: scenario, policy VARCHAR`, types.scenario === 'VARCHAR' && types.policy === 'VARCHAR');
  const bad = await one(`SELECT count(*) FROM read_parquet('${stepsGlob}', hive_partitioning = ${hive}, filename = true)
    WHERE filename NOT LIKE '%scenario=' || scenario || '/policy=' || policy || '/%'`);
  check(`duckdb steps hive_partitioning=${hive}: scenario/policy agree with the partition path`, Number(bad) === 0, `${bad} rows differ`);
}
const nSteps = Number(await one(`SELECT count(*) FROM read_parquet('${stepsGlob}')`));
check('duckdb steps: one glob reads every row of the manifest', nSteps === manifest.rows.steps, `${nSteps} vs ${manifest.rows.steps}`);
const nRuns = Number(await one(`SELECT count(*) FROM read_parquet('${runsGlob}')`));
check('duckdb runs: every row', nRuns === manifest.rows.runs, `${nRuns} vs ${manifest.rows.runs}`);
const runTypes = Object.fromEntries((await rows(`DESCRIBE SELECT * FROM read_parquet('${runsGlob}')`)).map((d) => [d.column_name, d.column_type]));
for (const k of ['run_id', 'cell', 'replicate', 'seed']) check(`duckdb runs: ${k} BIGINT`, runTypes[k] === 'BIGINT', runTypes[k]);
check('duckdb runs: fund_depleted and recovered BOOLEAN', runTypes.fund_depleted === 'BOOLEAN' && runTypes.recovered === 'BOOLEAN');

// Join runs ⋈ steps on run_id: the keys and swept parameters agree on every row.
const sweeps = manifest.sweep_params || [];
const cond = ['cell', 'scenario', 'policy', 'replicate', ...sweeps].map((c) => `r."${c}" IS DISTINCT FROM s."${c}"`).join(' OR ');
const mismatch = await one(`SELECT count(*) FROM read_parquet('${stepsGlob}') s JOIN read_parquet('${runsGlob}') r USING (run_id) WHERE ${cond}`);
check('duckdb runs ⋈ steps on run_id: keys and sweep agree', Number(mismatch) === 0, `${mismatch} rows differ`);
const orphans = await one(`SELECT count(*) FROM read_parquet('${stepsGlob}') s ANTI JOIN read_parquet('${runsGlob}') r USING (run_id)`);
check('duckdb steps.run_id references runs', Number(orphans) === 0, `${orphans} orphan rows`);
const dupKeys = await one(`SELECT count(*) FROM (SELECT run_id, day FROM read_parquet('${stepsGlob}') GROUP BY ALL HAVING count(*) > 1)`);
check('duckdb steps primary key (run_id, day) unique', Number(dupKeys) === 0);

// Nulls: not applicable vs never.
const fundNulls = await rows(`SELECT policy, count(*) AS n, count(fund_depleted) AS flag, count(fund_pnl_usd) AS pnl,
  count(fund_depleted_day) AS dday, count(*) FILTER (fund_depleted) AS depleted
  FROM read_parquet('${runsGlob}') GROUP BY policy ORDER BY policy`);
for (const r of fundNulls) {
  const withFund = Number(r.flag) > 0;
  check(`duckdb runs ${r.policy}: fund_depleted and fund_pnl_usd both null or both set`, Number(r.flag) === Number(r.pnl) && (Number(r.flag) === 0 || Number(r.flag) === Number(r.n)));
  check(`duckdb runs ${r.policy}: fund_depleted_day set exactly when fund_depleted`, Number(r.dday) === Number(r.depleted), `${r.dday} days, ${r.depleted} depleted (fund: ${withFund})`);
}
const never = await one(`SELECT count(*) FROM read_parquet('${runsGlob}') WHERE (recovered AND recovery_days IS NULL) OR (NOT recovered AND recovery_days IS NOT NULL) OR (recovered IS NULL AND recovery_days IS NOT NULL)`);
check('duckdb runs: recovery_days null exactly when recovered is not true', Number(never) === 0);
const sentinels = await one(`SELECT count(*) FROM read_parquet('${runsGlob}') WHERE fund_depleted_day < 0 OR recovery_days < 0`);
check('duckdb runs: no −1 sentinels', Number(sentinels) === 0);

// summary ⋈ runs on cell (same name, same type).
for (const t of ['metrics', 'events', 'fans']) {
  const sp = p(`summary/${t}.parquet`);
  const st = Object.fromEntries((await rows(`DESCRIBE SELECT * FROM read_parquet('${sp}')`)).map((d) => [d.column_name, d.column_type]));
  check(`duckdb summary/${t}: cell BIGINT`, st.cell === 'BIGINT', st.cell);
  if (t === 'fans') check('duckdb summary/fans: day BIGINT', st.day === 'BIGINT', st.day);
  const bad = await one(`SELECT count(*) FROM read_parquet('${sp}') m JOIN (SELECT DISTINCT cell, scenario, policy FROM read_parquet('${runsGlob}')) r USING (cell) WHERE m.scenario <> r.scenario OR m.policy <> r.policy`);
  const unmatched = await one(`SELECT count(*) FROM read_parquet('${sp}') m ANTI JOIN read_parquet('${runsGlob}') r USING (cell)`);
  check(`duckdb summary/${t} ⋈ runs on cell`, Number(bad) === 0 && Number(unmatched) === 0, `${bad} mismatched, ${unmatched} unmatched`);
}
// Provenance metadata on every Parquet file.
const parquetFiles = manifest.files.filter((f) => f.path.endsWith('.parquet'));
let noMeta = [];
for (const f of parquetFiles) {
  const kv = await rows(`SELECT decode(key) k, decode(value) v FROM parquet_kv_metadata('${p(f.path)}')`);
  const m = Object.fromEntries(kv.map((x) => [x.k, x.v]));
  if (m['tokensim.config_hash'] !== manifest.config_hash || m['tokensim.schema_version'] !== String(manifest.schema_version) ||
      m['tokensim.seed'] !== String(manifest.seed) || m['tokensim.study'] !== manifest.study || !m['tokensim.table']) noMeta.push(f.path);
}
check(`duckdb: provenance metadata on all ${parquetFiles.length} Parquet files`, noMeta.length === 0, noMeta.join(' '));
// datapackage.json: each resource's fields are the columns DuckDB reads, with matching types.
const tsType = { BIGINT: 'integer', INTEGER: 'integer', DOUBLE: 'number', FLOAT: 'number', BOOLEAN: 'boolean', VARCHAR: 'string' };
for (const r of pkg.resources) {
  const desc = await rows(`DESCRIBE SELECT * FROM read_parquet([${r.path.map((x) => `'${p(x)}'`).join(',')}], hive_partitioning = false)`);
  const got = desc.map((d) => `${d.column_name}:${tsType[d.column_type] || d.column_type}`).join(',');
  const want = r.schema.fields.map((f) => `${f.name}:${f.type}`).join(',');
  check(`datapackage ${r.name}: fields and types match the files`, got === want, got === want ? '' : `files ${got} vs package ${want}`);
}

// ---- Polars ----
for (const hive of [false, true]) {
  const df = pl.scanParquet(join(dir, 'steps/**/*.parquet'), { hivePartitioning: hive }).collectSync();
  const cols = df.columns;
  check(`polars steps hivePartitioning=${hive}: no duplicate columns`, new Set(cols).size === cols.length, cols.join(','));
  check(`polars steps hivePartitioning=${hive}: every row`, df.height === manifest.rows.steps, `${df.height}`);
}
const sdf = pl.scanParquet(join(dir, 'steps/**/*.parquet')).collectSync();
const isInt64 = (df, k) => df.getColumn(k).dtype.equals(pl.Int64);
for (const k of ['run_id', 'cell', 'replicate', 'day']) check(`polars steps: ${k} Int64`, isInt64(sdf, k), String(sdf.getColumn(k).dtype));
const runs = pl.scanParquet(join(dir, 'runs/*.parquet')).collectSync();
check('polars runs: every row', runs.height === manifest.rows.runs, `${runs.height}`);
for (const k of ['run_id', 'cell', 'replicate', 'seed']) check(`polars runs: ${k} Int64`, isInt64(runs, k), String(runs.getColumn(k).dtype));
const fans = pl.readParquet(join(dir, 'summary/fans.parquet'));
check('polars summary/fans: cell and day Int64', isInt64(fans, 'cell') && isInt64(fans, 'day'));
let joined;
try {
  joined = sdf.join(runs.select('run_id', 'cell', 'replicate'), { on: 'run_id', suffix: '_run' });
  const diff = joined.filter(pl.col('cell').neq(pl.col('cell_run')).or(pl.col('replicate').neq(pl.col('replicate_run')))).height;
  check('polars steps ⋈ runs on run_id', joined.height === sdf.height && diff === 0, `${joined.height} rows, ${diff} differ`);
} catch (e) {
  check('polars steps ⋈ runs on run_id', false, e.message);
}
try {
  const metrics = pl.readParquet(join(dir, 'summary/metrics.parquet'));
  const j = metrics.join(runs.select('cell', 'scenario').unique(), { on: 'cell', suffix: '_run' });
  check('polars summary/metrics ⋈ runs on cell', j.height === metrics.height && j.filter(pl.col('scenario').neq(pl.col('scenario_run'))).height === 0, `${j.height} of ${metrics.height}`);
} catch (e) {
  check('polars summary/metrics ⋈ runs on cell', false, e.message);
}
const recNull = runs.filter(pl.col('recovered').isNull().and(pl.col('recovery_days').isNotNull())).height;
check('polars runs: recovery_days null when recovered is null', recNull === 0);

// ---- hyparquet (pure JavaScript; zstd from hyparquet-compressors) ----
let bad = [];
let pegSum = 0;
for (const f of parquetFiles) {
  try {
    const rows = await parquetReadObjects({ file: await asyncBufferFromFile(join(dir, f.path)), compressors });
    if (rows.length !== f.rows) bad.push(`${f.path}: ${rows.length} rows`);
    if (f.table === 'runs') for (const r of rows) pegSum += r.peg_mad;
  } catch (e) {
    bad.push(`${f.path}: ${e.message}`);
  }
}
check(`hyparquet reads all ${parquetFiles.length} Parquet files with the manifest's row counts`, bad.length === 0, bad.join('; '));
const duckPeg = Number(await one(`SELECT sum(peg_mad) FROM read_parquet('${runsGlob}')`));
check('hyparquet and DuckDB agree on sum(peg_mad)', Math.abs(pegSum - duckPeg) <= 1e-9 * Math.abs(duckPeg), `${pegSum} vs ${duckPeg}`);

console.log(failed === 0 ? 'all checks passed' : `${failed} checks failed`);
process.exit(failed === 0 ? 0 : 1);
