// Package configs holds the study files shipped with tokensim (MODEL-SPEC §9),
// embedded in the binary: default.yaml is the study `tokensim run` runs when
// no file is given.
package configs

import "embed"

// Default is configs/default.yaml, the study run by `tokensim run` without a file.
//
//go:embed default.yaml
var Default []byte

// FS holds every shipped study file (*.yaml).
//
//go:embed *.yaml
var FS embed.FS

// DefaultName is the name under which error messages refer to Default.
const DefaultName = "configs/default.yaml (embedded)"
