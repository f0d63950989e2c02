package http

import (
	"context"
	"database/sql/driver"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/internal/faultdriver"
	"github.com/flare-ilo/flare/sqlstore"
	"github.com/flare-ilo/flare/sqlstore/storetest"
)

// TestFailClosedEveryCall saves a case through the API with each database
// call of the request failing in turn, on both databases: every failure is
// a generic 500 with no driver detail, and neither the change nor its audit
// entry remains; the first run that reaches no armed call succeeds
// (security checklist R-DU4).
func TestFailClosedEveryCall(t *testing.T) {
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
			path := "/api/v1/cases/" + f.ownCase.ID
			updates := func() int {
				entries, err := db.AuditEntries(ctx, sqlstore.AuditFilter{CaseID: f.ownCase.ID, Action: audit.ActionUpdate})
				if err != nil {
					t.Fatal(err)
				}
				return len(entries)
			}
			failures := 0
			for n := int64(1); ; n++ {
				if n > 200 {
					t.Fatal("the request never completed")
				}
				title := fmt.Sprintf("Edit %d", n)
				sw.Arm(n)
				res, body := b.jsonIfMatch("PATCH", path, `{"title":"`+title+`"}`, `"v1"`)
				fired := sw.Fired()
				sw.Arm(0)
				if !fired {
					if res.StatusCode != http.StatusOK || updates() != 1 {
						t.Fatalf("unfailed save = %d %s, %d update entries", res.StatusCode, body, updates())
					}
					break
				}
				failures++
				if res.StatusCode != http.StatusInternalServerError || !strings.Contains(body, `"internal error"`) ||
					strings.Contains(body, "faultdriver") || strings.Contains(body, "injected") {
					t.Fatalf("call %d failing: %d %s, want a generic 500", n, res.StatusCode, body)
				}
				c, err := sqlstore.NewCaseService(db).Case(flare.WithActor(ctx, flare.Actor{Console: true}), f.ownCase.ID)
				if err != nil {
					t.Fatal(err)
				}
				if c.Version != 1 || c.Title != f.ownCase.Title || updates() != 0 {
					t.Fatalf("call %d failing left version %d title %q and %d update entries", n, c.Version, c.Title, updates())
				}
			}
			if failures < 5 {
				t.Fatalf("only %d calls were failed: the switch is not in the path", failures)
			}
			t.Logf("%s: %d database calls failed in turn, each a clean 500", backend, failures)
		})
	}
}
