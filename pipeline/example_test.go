package pipeline_test

import (
	"fmt"

	"github.com/tokensim/tokensim/pipeline"
	"github.com/tokensim/tokensim/study"
)

func ExampleParseStudy() {
	src := []byte(`name: demo
replicates: 3
scenarios: [baseline, volatility]
policies: [none, fund]
params:
  network: {effect: 0.5}
sweeps:
  - {param: share_cap.cap, values: [0.3, 0.5]}
`)
	s, err := study.ParseStudy("demo.yaml", src)
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := pipeline.NewPlan(s)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(p.Cells), "cells,", p.Runs(), "runs")
	c, r := p.CellOf(7)
	fmt.Printf("run 7 is replicate %d of cell %d: %s, network.effect %.1f\n", r, c, p.Cells[c].Label(), p.Cells[c].Params.Network.Effect)

	_, err = study.ParseStudy("bad.yaml", []byte("name: demo\nparams:\n  network: {efect: 0.5}\n"))
	fmt.Println(err)
	// Output:
	// 8 cells, 24 runs
	// run 7 is replicate 1 of cell 2: baseline/fund share_cap.cap=0.3, network.effect 0.5
	// invalid study: bad.yaml:3:20: params.network.efect: unknown parameter: "network.efect" (no "efect" under "network")
}
