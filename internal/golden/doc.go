// Package golden compares test output with golden files and rewrites them
// under the -update flag, which it registers once per test binary: every
// package's tests import this package instead of defining their own flag.
// (model's v1 contract keeps its own -update-v1 flag on purpose: that golden
// file may only be rewritten from the v0.1 code.)
//
// Only tests import it. It imports the standard library only.
package golden
