package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/tokensim/tokensim/model"
)

// TestCalibrateMarket: `tokensim calibrate --market DATA_DIR` prints the
// defaults of holders.flow_scale, run_max, flight_rate, flight_decay,
// arbitrage.capacity_usd_per_day, reserve.sister_depth_usd and the reserve
// fees (they are its output).
func TestCalibrateMarket(t *testing.T) {
	data := episodeData(t)
	if testing.Short() {
		t.Skip("fits by simulation")
	}
	var out bytes.Buffer
	if err := cmdCalibrate(context.Background(), []string{"--market", data}, &out, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	d := model.Default()
	h := d.Holders
	for _, want := range []string{fmt.Sprintf("flow_scale: %v\n", h.FlowScale), fmt.Sprintf("run_max: %v\n", h.RunMax),
		fmt.Sprintf("flight_rate: %v\n", h.FlightRate), fmt.Sprintf("flight_decay: %v\n", h.FlightDecay),
		fmt.Sprintf("capacity_usd_per_day: %v\n", d.Arbitrage.CapacityUSDPerDay), fmt.Sprintf("sister_depth_usd: %v\n", d.Reserve.SisterDepthUSD),
		fmt.Sprintf("mint_fee: %v ", d.Reserve.MintFee), fmt.Sprintf("redeem_fee: %v ", d.Reserve.RedeemFee)} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if err := cmdCalibrate(context.Background(), []string{"--market", t.TempDir()}, &out, &bytes.Buffer{}); err == nil {
		t.Error("a directory without data was accepted")
	}
}
