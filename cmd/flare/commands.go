package main

import "context"

// command is one subcommand of the flare binary. run parses its own flags
// (one flag.FlagSet per subcommand, see newFlagSet) and returns nil, a
// usage/invalid-input error (exit 2), or any other error (exit 1).
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *cliEnv, args []string) error
}

// commands lists every subcommand in the order "flare help" shows them.
// Each lives in its own file named after it.
func commands() []command {
	return []command{
		{"serve", "run the web server: staff pages and the JSON API", runServe},
		{"migrate", "show or change the database schema version", runMigrate},
		{"agency", "create or list agencies", runAgency},
		{"user", "create a staff user and print their enrolment link; unlock or disable one", runUser},
		{"person", "export everything held on a person (subject access), or erase them unless a legal hold applies", runPerson},
		{"audit", "verify, checkpoint or export the tamper-evident audit log", runAudit},
		{"keys", "show, rotate or retire the encryption keys; export or import the key ring", runKeys},
		{"backup", "write an encrypted, consistent backup of the database while it runs", runBackup},
		{"restore", "restore an encrypted backup into an empty database", runRestore},
		{"estimate", "estimate the number of cases on no list (multiple systems estimation)", runEstimate},
		{"screen", "screen a person's observations for forced labour and trafficking (ICLS 2018)", runScreen},
		{"link", "find the same person or organisation across records (record linkage, deduplication)", runLink},
		{"seed", "fill a database with synthetic cases, people, organisations and worksites for demos and benchmarks", runSeed},
		{"partner", "register a partner organisation that sends reports through the API, and print its key", runPartner},
		{"wages", "compute the wage arrears, costs and interest a worker is owed", runWages},
		{"version", "print the version of this binary", runVersion},
	}
}

func findCommand(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}
