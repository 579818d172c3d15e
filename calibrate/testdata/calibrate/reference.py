#!/usr/bin/python3
"""Independent reference values for tokensim's calibrate (garch/fit.go,
calibrate/calibrate.go), computed once with numpy 1.24 / scipy 1.10 (Debian
python3) and stored in reference.json next to this script. Tests never run
Python; they compare the Go fits with the stored numbers.

Run from the repository root (the data live outside the repository):

    /usr/bin/python3 calibrate/testdata/calibrate/reference.py ../shared/data/prices \
        > calibrate/testdata/calibrate/reference.json

What is independent of the Go code:
- CSV reading with the csv module; log returns with numpy.
- GARCH(1,1) variance recursion with scipy.signal.lfilter (a linear filter),
  not a hand-written loop; the standardized Student-t density via
  scipy.stats.t.logpdf of z*sqrt(nu/(nu-2)) plus the Jacobian, not a
  hand-written formula.
- Maximization with scipy.optimize.minimize(method="SLSQP") in the original
  parameters with box bounds and the linear constraint alpha+beta <= 1 - 1e-9
  (no reparametrization, no analytic gradient), from a grid of 27 starts,
  then polished by Nelder-Mead (xatol 1e-10, fatol 1e-12) and SLSQP again.
- Standard errors from a central-difference Hessian of the log-likelihood
  itself (not of a gradient), step 1e-4 x max(|theta|, 1e-3) in scaled units.

Shared conventions (the model definition, MODEL-SPEC 2.6, and the documented
choices of FitGARCH): sigma^2_1 = sample variance (ddof=1) of the fitted
series; variance targeting sets omega = s^2 (1 - alpha - beta) with that same
s^2; returns are divided by their sd for the optimization and estimates
scaled back (mu by sd, omega by sd^2); the log-likelihood is reported in the
units of the returns.
"""
import csv
import json
import math
import sys

import numpy as np
from scipy import optimize, signal, stats

DATA = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/prices"


def load(name, start=None):
    dates, closes = [], []
    with open(f"{DATA}/{name}") as f:
        for row in csv.DictReader(f):
            d = row["Date"][:10]
            if start and d < start:
                continue
            dates.append(d)
            closes.append(float(row["Close"]))
    return dates, np.array(closes)


def loglik(theta, y, h1, target):
    if target:
        mu, a, b, nu = theta
        om = h1 * (1 - a - b)
    else:
        mu, om, a, b, nu = theta
    if nu <= 2 or om <= 0 or a < 0 or b < 0:
        return -np.inf
    e = y - mu
    x = om + a * e[:-1] ** 2
    h = np.empty_like(y)
    h[0] = h1
    h[1:], _ = signal.lfilter([1.0], [1.0, -b], x, zi=[b * h1])
    if np.any(h <= 0) or not np.all(np.isfinite(h)):
        return -np.inf
    s = np.sqrt(h)
    k = math.sqrt(nu / (nu - 2))
    # density of e = s * z, z = T*sqrt((nu-2)/nu): f_e(e) = f_T(e k / s) k / s
    return float(np.sum(stats.t.logpdf(e / s * k, nu) + math.log(k) - np.log(s)))


def fit(r, target):
    n = len(r)
    sd = r.std(ddof=1)
    y = r / sd
    h1 = 1.0  # sample variance of y
    def f(th):
        v = loglik(th, y, h1, target)
        return 1e10 if not np.isfinite(v) else -v / n
    cons = [{"type": "ineq", "fun": (lambda th: 1 - 1e-9 - th[1] - th[2]) if target
             else (lambda th: 1 - 1e-9 - th[2] - th[3])}]
    if target:
        bounds = [(-1, 1), (0, 1), (0, 1), (2.0001, 500)]
    else:
        bounds = [(-1, 1), (1e-12, 10), (0, 1), (0, 1), (2.0001, 500)]
    best = None
    for p in (0.85, 0.95, 0.99):
        for w in (0.05, 0.15, 0.3):
            for nu in (3.0, 5.0, 12.0):
                a, b = p * w, p * (1 - w)
                x0 = [y.mean(), a, b, nu] if target else [y.mean(), 1 - p, a, b, nu]
                res = optimize.minimize(f, x0, method="SLSQP", bounds=bounds, constraints=cons,
                                        options={"ftol": 1e-15, "maxiter": 2000})
                if best is None or res.fun < best.fun:
                    best = res
    x = best.x
    nm = optimize.minimize(f, x, method="Nelder-Mead",
                           options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 40000, "maxfev": 40000})
    if nm.fun < best.fun and (target and nm.x[1] + nm.x[2] < 1 or not target and nm.x[2] + nm.x[3] < 1):
        x = nm.x
    res = optimize.minimize(f, x, method="SLSQP", bounds=bounds, constraints=cons,
                            options={"ftol": 1e-15, "maxiter": 2000})
    if res.fun <= f(x):
        x = res.x
    ll_scaled = -f(x) * n
    if target:
        mu, a, b, nu = x
        om = 1 - a - b
    else:
        mu, om, a, b, nu = x
    out = {
        "mu": mu * sd, "omega": om * sd * sd, "alpha": a, "beta": b, "nu": nu,
        "persistence": a + b,
        "log_likelihood": ll_scaled - n * math.log(sd),
        "n": n,
    }
    # Central-difference Hessian of the log-likelihood in the free parameters.
    k = len(x)
    hstep = 1e-4 * np.maximum(np.abs(x), 1e-3)
    L = lambda th: loglik(th, y, h1, target)
    H = np.empty((k, k))
    for i in range(k):
        for j in range(i, k):
            ei = np.zeros(k); ei[i] = hstep[i]
            ej = np.zeros(k); ej[j] = hstep[j]
            v = (L(x + ei + ej) - L(x + ei - ej) - L(x - ei + ej) + L(x - ei - ej)) / (4 * hstep[i] * hstep[j])
            H[i, j] = H[j, i] = v
    try:
        cov = np.linalg.inv(-H)
        ok = bool(np.all(np.linalg.eigvalsh(-H) > 0))
    except np.linalg.LinAlgError:
        ok = False
    if ok:
        sc = [sd, 1, 1, 1] if target else [sd, sd * sd, 1, 1, 1]
        se = np.sqrt(np.diag(cov)) * sc
        if target:
            out["se"] = {"mu": se[0], "alpha": se[1], "beta": se[2], "nu": se[3],
                         "omega": sd * sd * math.sqrt(cov[1, 1] + cov[2, 2] + 2 * cov[1, 2])}
        else:
            out["se"] = dict(zip(["mu", "omega", "alpha", "beta", "nu"], se))
    else:
        out["se"] = None  # optimum on a boundary: information not positive definite
    return out


def main():
    ref = {"generated_by": "stats/testdata/calibrate/reference.py",
           "numpy": np.__version__, "scipy": __import__("scipy").__version__, "series": {}}
    for key, name, start, peg in (("btc", "coin_Bitcoin.csv", None, 0),
                                  ("eth", "coin_Ethereum.csv", None, 0),
                                  ("usdt", "coin_Tether.csv", "2017-01-01", 1.0)):
        dates, p = load(name, start)
        lr = np.diff(np.log(p))
        s = {"file": name, "first": dates[0], "last": dates[-1], "prices": len(p), "returns": len(lr),
             "return_mean": lr.mean(), "return_sd": lr.std(ddof=1)}
        series = lr
        if peg:
            x = np.log(p) - math.log(peg)
            X, Y = x[:-1], x[1:]
            phi = float(np.linalg.lstsq(X[:, None], Y, rcond=None)[0][0])
            u = Y - phi * X
            s2 = u @ u / (len(u) - 1)
            s["mean_abs_deviation"] = float(np.mean(np.abs(p - peg)))
            # classical OLS SE and White's HC0 robust SE (sandwich, written out)
            hc0 = math.sqrt(np.sum(X ** 2 * u ** 2)) / (X @ X)
            s["ar1"] = {"phi": phi, "se_phi": math.sqrt(s2 / (X @ X)), "se_phi_hc0": hc0,
                        "residual_sd": math.sqrt(s2)}
            series = u
        s["garch_targeted"] = fit(series, True)
        s["garch_free"] = fit(series, False)
        ref["series"][key] = s
    json.dump(ref, sys.stdout, indent=1, default=float)
    print()


if __name__ == "__main__":
    main()
