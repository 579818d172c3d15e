// Package study reads and validates a study file (MODEL-SPEC §9): what to
// run (scenarios × policies × sweeps, replicates, horizon, seed, parameter
// overrides, user-defined scenarios and policies) and, optionally, a global
// sensitivity design (SensitivitySpec).
//
// ParseStudy / LoadStudy decode a study strictly (goccy/go-yaml): unknown
// keys, wrong types and invalid values are errors wrapping ErrStudy and
// naming file:line:column and the field path. `params:` overrides
// model.Default() (or the base of the study's model.version) by the spec's
// dotted names. ResolvedYAML is the resolved study the manifest stores and
// hashes.
//
// It imports model, dataset (for dataset.Outputs and the chunk size) and
// nothing else of tokensim; never pipeline, aggregate or reports.
package study
