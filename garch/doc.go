// Package garch is the GARCH(1,1) process with standardized Student-t
// innovations of MODEL-SPEC §2.6 (Bollerslev 1986, 1987): its maximum
// likelihood fit (FitGARCH, with optional variance targeting and a
// persistence cap) and log-likelihood.
//
// It depends on gonum only and imports no tokensim package.
package garch
