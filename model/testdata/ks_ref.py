#!/usr/bin/python3
"""Reference values for the Kolmogorov-Smirnov helpers of model/checks_stats_test.go.

Kolmogorov limiting survival function Q(x) = P(sqrt(n) D_n > x) by scipy.stats.kstwobign.sf,
and the one-sample KS statistic against Uniform(0,1) of the deterministic sample
u_i = frac(i * 0.6180339887498949)^1.5, i = 1..50 (scipy.stats.kstest, and the asymptotic p-value).
Also the CDF of the unit-variance Student-t with nu = 8 (t_8 * sqrt(6/8)) at a few points.
"""
import numpy as np
import scipy
from scipy import stats

print("# scipy", scipy.__version__)
for x in [0.3, 0.5, 0.8, 1.0, 1.36, 1.63, 2.0, 3.0]:
    print(f"Q({x}) = {stats.kstwobign.sf(x):.17g}")
u = np.array([((i * 0.6180339887498949) % 1.0) ** 1.5 for i in range(1, 51)])
r = stats.kstest(u, "uniform")
print(f"golden50: D = {r.statistic:.17g} asymptotic p = {stats.kstwobign.sf(np.sqrt(50) * r.statistic):.17g}")
s = np.sqrt(6 / 8)
for z in [-3.0, -1.0, 0.0, 0.5, 2.0]:
    print(f"F_t8std({z}) = {stats.t.cdf(z / s, 8):.17g}")
