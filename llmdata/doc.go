// Package llmdata reads the LLM API price history
// (../shared/data/llm_price_history.csv, from LiteLLM's public price file;
// see llm_price_history.md beside it) and fits the decline of list prices of
// a fixed capability tier, the calibration of providers.cost_decline_per_year
// (MODEL-SPEC-v2 §B.3, §C.4). It is pure: the caller opens the file. It
// imports no package of the module (gonum/stat and the standard library only);
// its test reads model's default to check it against the fit.
package llmdata
