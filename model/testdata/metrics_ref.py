#!/usr/bin/python3
"""Reference values for model/metrics_test.go (run once; the test stores the numbers).

Shannon entropy (nats) by scipy.stats.entropy; HHI = 10^4 * sum(s^2);
effective number = 1/sum(s^2) (Hill number of order 2). Printed with 17 significant digits.
"""
import numpy as np
import scipy
from scipy.stats import entropy

vectors = {
    "three": [0.5, 0.3, 0.2],
    "spec_default": [0.32, 0.25, 0.20, 0.10, 0.07, 0.06],
    "uniform4": [0.25, 0.25, 0.25, 0.25],
    "monopoly": [1.0, 0.0, 0.0],
    "skewed": [0.9, 0.05, 0.03, 0.02],
}
print("# scipy", scipy.__version__, "numpy", np.__version__)
for name, s in vectors.items():
    s = np.array(s)
    print(f"{name}: entropy={entropy(s):.17g} hhi={1e4*np.sum(s*s):.17g} effn={1/np.sum(s*s):.17g}")
