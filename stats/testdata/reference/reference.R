# Reference values for stats/quantile_test.go and stats/interval_test.go,
# computed once with R (not at test time):
#   Rscript reference.R > reference_r.txt
# Lines: kind,sample,arg,value  (%.17g)
samples <- list(
  a = c(3.1, -0.4, 2.7, 9.9, 0.0, 5.5, 1.25, 7.0, 2.7, 4.4),
  b = c(42),
  c = c(1, 2),
  d = c(0.001, 1000, 3, 3, 3, 2.5e-7, -17.25, 88.8, 1e6, 0.5, 12, 12.5, -3),
  e = qexp((1:57 - 0.5) / 57, rate = 0.7)
)
probs <- c(0, 0.01, 0.05, 0.25, 1/3, 0.5, 0.75, 0.95, 0.99, 1)
f <- function(x) sprintf("%.17g", x)
for (nm in names(samples)) {
  x <- samples[[nm]]
  cat(sprintf("sample,%s,%d,%s\n", nm, length(x), paste(f(x), collapse = " ")))
  q <- quantile(x, probs, type = 7, names = FALSE)
  for (i in seq_along(probs)) cat(sprintf("quantile,%s,%s,%s\n", nm, f(probs[i]), f(q[i])))
  if (length(x) >= 2) {
    for (conf in c(0.95, 0.9)) {
      ci <- t.test(x, conf.level = conf)$conf.int
      cat(sprintf("tlo,%s,%s,%s\n", nm, f(conf), f(ci[1])))
      cat(sprintf("thi,%s,%s,%s\n", nm, f(conf), f(ci[2])))
    }
    cat(sprintf("mean,%s,0,%s\n", nm, f(mean(x))))
    cat(sprintf("sd,%s,0,%s\n", nm, f(sd(x))))
  }
}
# Wilson score interval: prop.test without continuity correction.
for (kn in list(c(0, 10), c(1, 10), c(5, 10), c(10, 10), c(3, 500), c(250, 500), c(999, 1000), c(17, 40))) {
  for (conf in c(0.95, 0.99)) {
    ci <- suppressWarnings(prop.test(kn[1], kn[2], conf.level = conf, correct = FALSE)$conf.int)
    cat(sprintf("wilson,%d/%d,%s,%s %s\n", kn[1], kn[2], f(conf), f(ci[1]), f(ci[2])))
  }
}
