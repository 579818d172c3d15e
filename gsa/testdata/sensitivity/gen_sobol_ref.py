#!/usr/bin/python3
"""Reference points of the unscrambled Sobol sequence (Joe-Kuo new-joe-kuo-6.21201)
from scipy.stats.qmc.Sobol(d, scramble=False), scipy 1.10 (Debian). Writes
sobol_ref_d<d>_n<n>.csv: one point per line, coordinates as exact decimals
(they are dyadic rationals k/2^30).
Run once: /usr/bin/python3 gen_sobol_ref.py"""
import numpy as np
from scipy.stats import qmc
for d, n in [(20, 256), (128, 32)]:
    x = qmc.Sobol(d, scramble=False).random(n)
    np.savetxt("sobol_ref_d%d_n%d.csv" % (d, n), x, delimiter=",", fmt="%.17g")
