// Package shareddata finds the project's real input data, ../shared/data
// beside the repository (MODEL-SPEC §7; not copied into the repository), for
// the tests that read it.
//
// Only tests import it. It imports the standard library only.
package shareddata
