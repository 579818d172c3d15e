// Package archtest holds the test of the import graph (archtest_test.go):
// each tokensim package may import only the packages its row of the allowed
// edges table lists, and the leaves (stats, gsa, garch, model, dataset)
// only the third-party modules given there. It has no code.
package archtest
