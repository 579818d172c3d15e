package model

import "testing"

func TestZZAlloc(t *testing.T) {
	for _, h := range []int{1, 30, 365} {
		spec := benchSpec(2000)
		spec.HorizonDays = h
		var r Runner
		r.Run(&spec, nil)
		a := testing.AllocsPerRun(5, func() { r.Run(&spec, nil) })
		v := testing.AllocsPerRun(5, func() { spec.Params.Validate() })
		t.Logf("h=%d allocs=%v validate=%v", h, a, v)
	}
}
