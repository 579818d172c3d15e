// Package stats holds the project's plain statistical estimators, as pure
// functions of slices: type-7 quantiles (Hyndman and Fan 1996; R's default),
// Describe (Dist), the mean with a Student-t interval and the n−1 standard
// deviation (MeanSD, MeanCI), Wilson score intervals for proportions, and
// nonparametric bootstrap intervals of a mean (percentile and BCa, Efron
// 1987).
//
// It imports gonum only (no tokensim package); no I/O.
package stats
