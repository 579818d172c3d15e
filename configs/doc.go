// Package configs holds the study files shipped with tokensim (MODEL-SPEC §9),
// embedded in the binary: default.yaml is the study `tokensim run` runs when
// no file is given.
//
// It imports the standard library (embed) only and no tokensim package.
package configs
