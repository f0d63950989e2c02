// Package wages computes what a worker in forced labour is owed: unpaid
// wages, unpaid overtime, unlawful deductions, recruitment fees and related
// costs the worker paid, and simple interest on all of them.
//
// It implements rules 1 to 9 of Flare's wage-arrears specification
// (shared/domain/wages.md), which follows the ILO experts' conclusions of
// 2013 (¶13, ¶14) and Recommendation No. 203 (2014) ¶12. Every legal number
// (minimum wage, normal hours, overtime premium, interest rate) comes from
// the caller's Rules, never from this package.
//
// Money is exact: amounts are integers in the currency's minor unit (see
// Amount), quantities are exact decimals (see Decimal), and intermediate
// products are exact rationals. Nothing here uses binary floating point.
//
// The package does no I/O and is deterministic: DecodeClaim turns JSON bytes
// into a validated Claim, Compute turns a Claim into a Result, and
// Result.MarshalJSON writes the output format of "flare wages".
package wages
