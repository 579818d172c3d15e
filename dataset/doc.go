// Package dataset is the on-disk format of a study directory (MODEL-SPEC §8)
// and the only package that knows its paths and file names: Layout (runs/,
// steps/scenario=<s>/policy=<p>/, provider_steps/, shards/, manifest.json,
// summary/, figures/, report.html), the Manifest and its schema version, the
// Parquet writer settings and key-value metadata (FileMeta), the runs table's
// row type built from model.Summary (RunsTable), part files written under a
// temporary name and published by rename (PartWriter), and the reader
// (OpenDataset, ReadRuns, ReadStepsColumns) that checks every file against
// the manifest.
//
// Errors about one file wrap ErrNotStudy, ErrCorrupt or ErrSchema and name
// the file.
//
// It imports model (for the schemas and the metric catalogue) and
// internal/fileutil only; no other tokensim package.
package dataset
