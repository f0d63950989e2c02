// Package flare holds Flare's domain: the records a country's forced-labour
// response works with, their validation rules, the service interfaces that
// storage implements, and the one error type every layer shares.
//
// Layout (imports point down only):
//
//	cmd/flare          wiring: configuration and subcommands
//	http/, html/       adapters: routes, middleware, JSON API, pages
//	sqlstore/          the services on SQLite and PostgreSQL
//	policy/            who may do what to which record
//	flare (this)       domain types, Validate(), service interfaces, errors
//	screening/, wages/, linkage/, mse/  pure engines with no I/O
package flare
