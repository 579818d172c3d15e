// Package dataset is the on-disk format of a study directory (MODEL-SPEC §8;
// docs/dataset.md) and the only package that knows its paths and file names:
// Layout (runs/, steps/scenario=<s>/policy=<p>/, provider_steps/, shards/,
// manifest.json, summary/, figures/, report.html, README.md,
// datapackage.json), the Manifest and its schema version (SchemaVersion,
// SchemaHistory), the Parquet writer settings, column encodings and
// key-value metadata (FileMeta), the runs table's row type built from
// model.Summary (RunsTable; RunsRow and CreateRunsPart for its parts), the
// day tables' rows with the run's keys and swept parameters on every row
// (DayTable; StepsRow, AppendStepsRow and CreateDayPart), part files written under a
// temporary name and published by rename (PartWriter), the self-description
// of a study (Describe: README.md, the Frictionless datapackage.json built
// from the metric catalogue and the files' schemas, and a manifest listing
// every file), and the reader (OpenDataset, ReadRuns, ReadStepsColumns) that
// checks every data file against the manifest and, whatever the
// verification, bounds each Parquet footer before parquet-go decodes it
// (CheckParquetFooter).
// It also owns atomic publication for every writer of a study directory
// (WriteAtomic, WriteFileAtomic, WriteJSONAtomic: temporary name, sync,
// rename, mode 0644) and the SHA-256 digests the manifest records
// (SHA256Hex, HashFile).
//
// Errors about one file wrap ErrNotStudy, ErrCorrupt or ErrSchema and name
// the file.
//
// Part files and records go through a storage.Store (a local directory, or
// an object-store bucket where parts are written once to their final key and
// ReadManifestFrom, Fetch and PublishReport read and write a study by the
// keys its manifest names).
//
// It imports model (for the schemas and the metric catalogue) and storage;
// no other tokensim package.
package dataset
