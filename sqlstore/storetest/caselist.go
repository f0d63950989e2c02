package storetest

import (
	"slices"
	"testing"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/sqlstore"
)

// testCaseWorkflow: the store refuses a status change the workflow does not
// allow, changes nothing then, closes with a reason and today's date, and
// reopens clearing both (issue #5).
func testCaseWorkflow(t *testing.T, db *sqlstore.DB) {
	a := mustAgency(t, db, "Inspectorate Workflow", flare.AgencyLabourInspectorate)
	ctx := actorOf(a, flare.RoleInspector)
	svc := sqlstore.NewCaseService(db)
	c := mustCase(t, db, ctx, newCase(a.ID, "WF-1"))
	to := func(s flare.CaseStatus) *flare.CaseStatus { return &s }

	_, err := svc.UpdateCase(ctx, c.ID, flare.CaseUpdate{Version: c.Version, Status: to(flare.CaseProceedings)})
	wantCode(t, err, flare.ECONFLICT)
	if got, _ := svc.Case(ctx, c.ID); got.Status != flare.CaseOpen || got.Version != c.Version {
		t.Fatalf("after a refused transition: %+v", got)
	}
	_, err = svc.UpdateCase(ctx, c.ID, flare.CaseUpdate{Version: c.Version, Status: to(flare.CaseClosed)})
	wantCode(t, err, flare.EINVALID) // closing needs a reason

	reason := flare.ClosureNoForcedLabour
	closed, err := svc.UpdateCase(ctx, c.ID, flare.CaseUpdate{Version: c.Version, Status: to(flare.CaseClosed), ClosureReason: &reason})
	if err != nil {
		t.Fatalf("close: %v", err)
	}
	if closed.ClosedOn == nil || closed.ClosureReason != reason {
		t.Fatalf("closed = %+v, want a closing date and the reason", closed)
	}
	_, err = svc.UpdateCase(ctx, c.ID, flare.CaseUpdate{Version: closed.Version, Status: to(flare.CaseInvestigation)})
	wantCode(t, err, flare.ECONFLICT) // a closed case only reopens
	reopened, err := svc.UpdateCase(ctx, c.ID, flare.CaseUpdate{Version: closed.Version, Status: to(flare.CaseOpen)})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	if reopened.ClosedOn != nil || reopened.ClosureReason != "" || reopened.Status != flare.CaseOpen {
		t.Fatalf("reopened = %+v, want the closure cleared", reopened)
	}
	got, _ := svc.Case(ctx, c.ID)
	if got.ClosedOn != nil || got.ClosureReason != "" {
		t.Fatalf("stored after reopening = %+v", got)
	}
}

// testCaseFilters: region, assignee and free text narrow the list the same
// way on both databases; free text ignores case and accents, matches word
// prefixes, needs every word, and never widens what the actor may see.
func testCaseFilters(t *testing.T, db *sqlstore.DB) {
	a := mustAgency(t, db, "Inspectorate Filters", flare.AgencyLabourInspectorate)
	other := mustAgency(t, db, "Police Filters", flare.AgencyPolice)
	ctx := actorOf(a, flare.RoleInspector)
	u := &flare.User{AgencyID: a.ID, Email: "filters@labour.example", Roles: []flare.Role{flare.RoleInspector}}
	if _, err := sqlstore.NewUserService(db, flare.DefaultSessionPolicy()).CreateUser(console(), u); err != nil {
		t.Fatal(err)
	}
	mk := func(ag *flare.Agency, ref, title, region, assignee string) *flare.Case {
		c := newCase(ag.ID, ref)
		c.Title, c.Region, c.AssignedTo = title, region, assignee
		return mustCase(t, db, console(), c)
	}
	kiln := mk(a, "F-1", "Brick kiln near the river", "Nord", u.ID)
	garment := mk(a, "F-2", "Garment workshop, São Paulo", "Sud", "")
	boat := mk(a, "F-3", "Fishing boat crew", "Nord", "")
	mk(other, "F-4", "Garment workshop of the police", "Sud", "")

	svc := sqlstore.NewCaseService(db)
	tests := []struct {
		name string
		f    flare.CaseFilter
		want []*flare.Case
	}{
		{"region", flare.CaseFilter{Region: " Nord "}, []*flare.Case{boat, kiln}},
		{"assignee", flare.CaseFilter{AssignedTo: u.ID}, []*flare.Case{kiln}},
		{"word", flare.CaseFilter{Text: "garment"}, []*flare.Case{garment}},
		{"accents and case", flare.CaseFilter{Text: "SAO paulo"}, []*flare.Case{garment}},
		{"prefix", flare.CaseFilter{Text: "fish"}, []*flare.Case{boat}},
		{"every word", flare.CaseFilter{Text: "brick boat"}, nil},
		{"region text", flare.CaseFilter{Text: "nord"}, []*flare.Case{boat, kiln}},
		{"text and region", flare.CaseFilter{Text: "kiln", Region: "Sud"}, nil},
		{"punctuation only", flare.CaseFilter{Text: "'\"*:()"}, nil},
		{"query syntax is text", flare.CaseFilter{Text: "garment OR NOT kiln*"}, nil},
		{"unknown assignee", flare.CaseFilter{AssignedTo: "not-a-uuid"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.f.AgencyID = a.ID
			got, err := svc.Cases(ctx, tt.f)
			if err != nil {
				t.Fatalf("Cases(%+v): %v", tt.f, err)
			}
			if ids(got) != ids(tt.want) {
				t.Fatalf("Cases(%+v) = %v, want %v", tt.f, refs(got), refs(tt.want))
			}
		})
	}
	// Another agency's words are not found without a grant.
	if got, _ := svc.Cases(actorOf(other, flare.RoleInvestigator), flare.CaseFilter{Text: "kiln"}); len(got) != 0 {
		t.Fatalf("the police found %v", refs(got))
	}
	_, err := svc.Cases(ctx, flare.CaseFilter{Sector: "Z"})
	wantCode(t, err, flare.EINVALID)

	// An edit re-indexes the title.
	title := "Charcoal camp"
	if _, err := svc.UpdateCase(ctx, kiln.ID, flare.CaseUpdate{Version: kiln.Version, Title: &title}); err != nil {
		t.Fatal(err)
	}
	for q, n := range map[string]int{"charcoal": 1, "kiln": 0} {
		if got, _ := svc.Cases(ctx, flare.CaseFilter{AgencyID: a.ID, Text: q}); len(got) != n {
			t.Fatalf("after the edit, %q finds %v, want %d", q, refs(got), n)
		}
	}
	// Assigning to someone outside the agency is refused.
	stranger := "0190d8c4-7a4e-7cc2-9b7e-3f2a1c0d4e5f"
	_, err = svc.UpdateCase(ctx, boat.ID, flare.CaseUpdate{Version: boat.Version, AssignedTo: &stranger})
	wantCode(t, err, flare.EINVALID)
}

// ids is the sorted ids of cases, for comparing lists regardless of order.
func ids(cs []*flare.Case) string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	slices.Sort(out)
	return fmtList(out)
}

func refs(cs []*flare.Case) string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Reference)
	}
	return fmtList(out)
}

func fmtList(s []string) string {
	b := "["
	for i, x := range s {
		if i > 0 {
			b += " "
		}
		b += x
	}
	return b + "]"
}
