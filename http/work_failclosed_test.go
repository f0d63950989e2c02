package http

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"net/http"
	"strings"
	"testing"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/internal/faultdriver"
	"github.com/flare-ilo/flare/sqlstore"
	"github.com/flare-ilo/flare/sqlstore/storetest"
)

// TestWorkFailClosed adds a document and a note through the API with each
// database call failing in turn, on both databases: every failure is a
// generic 500, and no row, data key or audit entry of the record remains;
// the first run that reaches no armed call stores exactly one of each
// (security checklist R-AU1, R-DU4).
func TestWorkFailClosed(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			sw := &faultdriver.Switch{}
			db, err := sqlstore.Open(ctx, storetest.NewURL(t, backend),
				sqlstore.WithConnector(func(c driver.Connector) driver.Connector { return faultdriver.Connector(c, sw) }))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if _, err := db.Migrate(ctx, nil); err != nil {
				t.Fatal(err)
			}
			f := newStaffFixtureOn(t, db)
			b := f.signedIn(t, f.agency, flare.RoleInspector)
			caseURL := "/api/v1/cases/" + f.ownCase.ID
			for _, tc := range []struct {
				table, ownerType string
				send             func() (*http.Response, string)
			}{
				{"documents", "document", func() (*http.Response, string) {
					return b.upload(caseURL+"/documents", nil, "a.pdf", "application/pdf", pdf)
				}},
				{"notes", "note", func() (*http.Response, string) {
					return b.json("POST", caseURL+"/notes", `{"text":"What the worker said."}`)
				}},
			} {
				counts := func() [3]int {
					var c [3]int
					err := db.InTx(ctx, func(tx *sql.Tx) error {
						for i, q := range []string{`SELECT COUNT(*) FROM ` + tc.table,
							`SELECT COUNT(*) FROM data_keys WHERE owner_type = '` + tc.ownerType + `'`,
							`SELECT COUNT(*) FROM audit_entries WHERE record_type = '` + tc.ownerType + `' AND action = 'create'`} {
							if err := tx.QueryRow(q).Scan(&c[i]); err != nil {
								return err
							}
						}
						return nil
					})
					if err != nil {
						t.Fatal(err)
					}
					return c
				}
				failures := 0
				for n := int64(1); ; n++ {
					if n > 200 {
						t.Fatalf("%s: the request never completed", tc.table)
					}
					sw.Arm(n)
					res, body := tc.send()
					fired := sw.Fired()
					sw.Arm(0)
					if !fired {
						if res.StatusCode != http.StatusCreated || counts() != [3]int{1, 1, 1} {
							t.Fatalf("%s: unfailed add = %d %s, counts %v", tc.table, res.StatusCode, body, counts())
						}
						break
					}
					failures++
					if res.StatusCode != http.StatusInternalServerError || strings.Contains(body, "injected") {
						t.Fatalf("%s: call %d failing: %d %s, want a generic 500", tc.table, n, res.StatusCode, body)
					}
					if c := counts(); c != [3]int{} {
						t.Fatalf("%s: call %d failing left rows, keys, audit entries %v", tc.table, n, c)
					}
				}
				if failures < 5 {
					t.Fatalf("%s: only %d calls were failed", tc.table, failures)
				}
			}
		})
	}
}
