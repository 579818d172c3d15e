// Package gsa holds the global sensitivity analysis methods used by
// sensitivity studies, as pure functions of a design and its outputs: the
// Sobol low-discrepancy sequence (Joe and Kuo 2008 direction numbers, optional
// Matoušek scrambling), Saltelli's design and estimators of first-order, total
// and second-order Sobol indices (Saltelli 2002; Jansen 1999; Saltelli et al.
// 2010), Morris elementary effects (Morris 1991; Campolongo et al. 2007),
// Latin hypercube sampling, and partial rank correlation coefficients
// (Marino et al. 2008), each with bootstrap intervals.
//
// It imports stats and gonum only (no other tokensim package); no I/O.
package gsa
