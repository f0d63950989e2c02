// Package mse estimates the size of a hidden population from overlapping
// lists by multiple systems estimation (MSE): Poisson log-linear models of
// the capture-pattern table, fitted by iteratively reweighted least squares,
// whose intercept is the log of the expected number of cases on no list.
//
// It implements, and is tested against, the procedures of the R packages
// SparseMSE 2.0.1 (Chan, Silverman and Vincent 2019: existence and
// identifiability checks by linear programming, stepwise selection by Poisson
// p-values, the log-normal interval, the BCa bootstrap that repeats the model
// selection) and Rcapture 1.4-4 as driven by modslavmse 2.0 (Bales, Hesketh
// and Silverman 2015: stepwise selection by AIC, multinomial profile
// likelihood interval).
//
// The package does no I/O beyond decoding a table from an io.Reader, imports
// nothing of Flare's and is deterministic: the bootstrap draws from a seeded
// generator.
package mse
