// Package episode holds the real-data side of the v2 token market
// (MODEL-SPEC-v2 §A.5): reading the daily price and supply series shipped in
// ../shared/data (stablecoins/*.csv, prices/*.csv), the statistics of the
// de-peg episodes and of free-float returns (standard deviation, excess
// kurtosis, Moors' octile kurtosis, autocorrelation of squared returns), a
// moving-block bootstrap of those statistics (Künsch 1989) and the model's
// own finite-sample band of them (SimulatedBand), and the calibration of the
// holders' order scale `holders.flow_scale` so that the model's free float
// reproduces a real series' daily log-return standard deviation, and of the
// episode parameters by simulated method of moments (FitMarket:
// `holders.run_max`, `flight_rate`, `flight_decay` and
// `arbitrage.capacity_usd_per_day` on USDC's March 2023,
// `reserve.sister_depth_usd` on UST's May 2022).
//
// ValidateBacked and ValidateAlgorithmic are the episode validation of
// MODEL-SPEC-v2 §A.5 (check §E.9): depeg_backed against USDC in March 2023
// and depeg_algorithmic against UST in May 2022, with the simulated 5–95%
// bands of price and supply on the real series' day axis and the spec's
// numbers as Checks (Markdown renders them; `tokensim validate-episodes`
// draws the figures with reports.EpisodeChart).
//
// It does no I/O beyond the io.Reader it is given, and never prints; the
// model runs it starts are pure functions of their parameters and seeds.
// It imports model (to run the market), stats (type-7 quantiles) and gonum;
// never pipeline, dataset, aggregate or reports.
package episode
