#!/usr/bin/python3
"""Independent PRCC reference (numpy/scipy): inputs from a numpy Generator,
output y = 3 x1 - 2 x2^3 + 0.5 exp(x3) + 0*x4 + noise, with some tied y values;
PRCC by rank (scipy.stats.rankdata, average), regressing out the other ranks
with numpy.linalg.lstsq (with intercept), Pearson correlation of residuals,
t = r sqrt(df/(1-r^2)), df = n-2-(k-1), two-sided p from scipy.stats.t.
Writes prcc_input.csv (x1..x4,y) and prcc_ref.csv (coef,t,p per input).
Run once: /usr/bin/python3 gen_prcc_ref.py"""
import numpy as np
from scipy import stats
rng = np.random.default_rng(20261121)
n, k = 60, 4
x = rng.uniform(size=(n, k))
y = 3*x[:, 0] - 2*x[:, 1]**3 + 0.5*np.exp(x[:, 2]) + rng.normal(scale=0.4, size=n)
y = np.round(y, 1)  # ties
rx = np.column_stack([stats.rankdata(x[:, j]) for j in range(k)])
ry = stats.rankdata(y)
df = n - 2 - (k - 1)
out = []
for j in range(k):
    z = np.column_stack([np.ones(n)] + [rx[:, m] for m in range(k) if m != j])
    ex = rx[:, j] - z @ np.linalg.lstsq(z, rx[:, j], rcond=None)[0]
    ey = ry - z @ np.linalg.lstsq(z, ry, rcond=None)[0]
    r = np.corrcoef(ex, ey)[0, 1]
    t = r*np.sqrt(df/(1-r*r))
    p = 2*stats.t.sf(abs(t), df)
    out.append((r, t, p))
np.savetxt("prcc_input.csv", np.column_stack([x, y]), delimiter=",", fmt="%.17g")
np.savetxt("prcc_ref.csv", np.array(out), delimiter=",", fmt="%.17g")
