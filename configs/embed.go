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
