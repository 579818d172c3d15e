"""Reference BCa and percentile bootstrap intervals for stats/bootstrap_test.go.

Run once with Debian's python3 (numpy 1.24, scipy 1.10):
    /usr/bin/python3 bca_reference.py > bca_reference.json

For each sample x it draws B resample means with numpy, then computes the
BCa interval from exactly those resample means with scipy's own BCa code
(scipy.stats._resampling._bca_interval, the routine behind
scipy.stats.bootstrap(method="BCa")) and np.percentile (linear = type 7).
The Go test feeds the same x and resample means to its interval code.
"""
import json

import numpy as np
from scipy.stats._resampling import _bca_interval

rng = np.random.default_rng(20261121)
cases = {
    "gamma40": rng.gamma(2.0, 1.5, size=40),
    "normal25": rng.normal(-0.3, 2.0, size=25),
    "ties30": rng.integers(0, 4, size=30).astype(float),
    "skewdiff200": rng.lognormal(0.0, 1.0, size=200) - rng.lognormal(0.0, 1.0, size=200) * 0.8,
}
B = 2000
out = {}
for name, x in cases.items():
    idx = rng.integers(0, len(x), size=(B, len(x)))
    star = x[idx].mean(axis=1)
    res = {"x": x.tolist(), "star": star.tolist()}
    for conf in (0.95, 0.90):
        alpha = (1 - conf) / 2
        a1, a2, ahat = _bca_interval((x,), np.mean, axis=-1, alpha=alpha, theta_hat_b=star, batch=None)
        res[f"bca_{conf}"] = [float(np.percentile(star, 100 * a1)), float(np.percentile(star, 100 * a2))]
        res[f"pct_{conf}"] = [float(np.percentile(star, 100 * alpha)), float(np.percentile(star, 100 * (1 - alpha)))]
        res["a_hat"] = float(ahat)
    out[name] = res
print(json.dumps(out))
