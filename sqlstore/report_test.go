package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/auth"
	"github.com/flare-ilo/flare/sqlstore"
	"github.com/flare-ilo/flare/sqlstore/storetest"
)

// reportEnv is a migrated database with the report service, two agencies
// and an intake officer in the first.
type reportEnv struct {
	dbURL   string
	db      *sqlstore.DB
	svc     *sqlstore.ReportService
	clock   *storetest.Clock
	agency  *flare.Agency
	other   *flare.Agency
	officer *flare.User
	intake  context.Context // the officer's context
	console context.Context
}

func newReportEnv(t *testing.T, dbURL string) *reportEnv {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	e := &reportEnv{dbURL: dbURL, db: db, clock: storetest.NewClock(time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC))}
	db.SetClock(e.clock.Now)
	e.svc = sqlstore.NewReportService(db, storetest.Keys(t, db), storetest.FastParams)
	e.console = flare.WithActor(ctx, flare.Actor{Console: true})
	e.agency = &flare.Agency{Name: "Labour Inspectorate", Kind: flare.AgencyLabourInspectorate}
	e.other = &flare.Agency{Name: "Police", Kind: flare.AgencyPolice}
	for _, a := range []*flare.Agency{e.agency, e.other} {
		if err := sqlstore.NewAgencyService(db).CreateAgency(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	e.officer = &flare.User{AgencyID: e.agency.ID, Email: "intake@labour.example", Roles: []flare.Role{flare.RoleIntake}}
	if _, err := sqlstore.NewUserService(db, flare.DefaultSessionPolicy()).CreateUser(e.console, e.officer); err != nil {
		t.Fatal(err)
	}
	e.intake = e.as(e.officer.ID, e.agency.ID, flare.RoleIntake)
	return e
}

func (e *reportEnv) as(userID, agencyID string, roles ...flare.Role) context.Context {
	a := flare.Actor{UserID: userID, AgencyID: agencyID, SessionID: "s-" + userID}
	for _, r := range roles {
		a.Roles = append(a.Roles, string(r))
	}
	return flare.WithActor(context.Background(), a)
}

func (e *reportEnv) submit(t *testing.T, r *flare.Report, token string) string {
	t.Helper()
	code, err := e.svc.SubmitReport(context.Background(), flare.NewReport{Report: r, Token: token})
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	return code
}

func sampleReport(marker string) *flare.Report {
	return &flare.Report{Text: "They took our passports " + marker, Country: "Atlantis", Region: "North", Town: "Port",
		Workplace: "Blue farm", Sector: "agriculture", People: 12, Signs: []string{"locked_in", "documents_taken"},
		Relationship: "coworker", Contact: "ask for Ana", Lang: "en"}
}

func TestReportFollowUpAndMessages(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, dbURL string) {
		e := newReportEnv(t, dbURL)
		ctx := context.Background()
		code := e.submit(t, sampleReport("m1"), "tok-1")
		if len(code) != flare.ReceiptDigits {
			t.Fatalf("receipt %q", code)
		}
		v, err := e.svc.FollowUp(ctx, flare.FormatReceipt(code))
		if err != nil || v.Status != flare.ReportReceived || len(v.Messages) != 0 {
			t.Fatalf("follow-up = %+v, %v", v, err)
		}
		if err := e.svc.ReporterMessage(ctx, code, "  more details  "); err != nil {
			t.Fatal(err)
		}
		q, err := e.svc.Reports(e.intake, flare.ReportFilter{})
		if err != nil || len(q) != 1 || q[0].Text != "They took our passports m1" || q[0].Workplace != "Blue farm" {
			t.Fatalf("queue = %+v, %v", q, err)
		}
		if got := q[0].Signs; len(got) != 2 || got[0] != "documents_taken" {
			t.Errorf("signs = %v, want checklist order", got)
		}
		if err := e.svc.ReplyToReporter(e.intake, q[0].ID, "We are looking into it."); err != nil {
			t.Fatal(err)
		}
		v, err = e.svc.FollowUp(ctx, code)
		if err != nil || v.Status != flare.ReportUnderReview || len(v.Messages) != 2 ||
			v.Messages[0].Body != "more details" || v.Messages[0].FromStaff || !v.Messages[1].FromStaff {
			t.Fatalf("follow-up after reply = %+v, %v", v, err)
		}
		for _, bad := range []string{"0000 0000 0000 0000", "12", "abcd", ""} {
			if _, err := e.svc.FollowUp(ctx, bad); !flare.IsBadReceipt(err) {
				t.Errorf("FollowUp(%q) = %v, want a bad-receipt error", bad, err)
			}
		}
		// The reporter's actions are audited with no identity.
		entries, err := e.db.AuditEntries(e.console, sqlstore.AuditFilter{RecordType: "report", RecordID: q[0].ID})
		if err != nil {
			t.Fatal(err)
		}
		var anon, staff int
		for _, en := range entries {
			if en.UserID == "" && en.AgencyID == "" {
				anon++
			} else if en.UserID == e.officer.ID {
				staff++
			}
		}
		if anon < 3 || staff < 2 {
			t.Errorf("audit: %d anonymous and %d staff entries on the report, want >= 3 and >= 2", anon, staff)
		}
	})
}

// TestReportIdempotent: 20 parallel submits with one form token give one
// row and one receipt (security checklist R-IN6).
func TestReportIdempotent(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, dbURL string) {
		e := newReportEnv(t, dbURL)
		var wg sync.WaitGroup
		codes := make([]string, 20)
		errs := make([]error, 20)
		for i := range codes {
			wg.Go(func() {
				codes[i], errs[i] = e.svc.SubmitReport(context.Background(), flare.NewReport{Report: sampleReport("dup"), Token: "same-token"})
			})
		}
		wg.Wait()
		for i := range codes {
			if errs[i] != nil || codes[i] != codes[0] {
				t.Fatalf("submit %d = %q, %v; first = %q", i, codes[i], errs[i], codes[0])
			}
		}
		raw := storetest.RawDB(t, dbURL)
		if n := count(t, raw, "reports"); n != 1 {
			t.Fatalf("%d reports, want 1", n)
		}
		// Once the reporter has come back with the code, the retry box is
		// emptied: the token no longer yields the code.
		if _, err := e.svc.FollowUp(context.Background(), codes[0]); err != nil {
			t.Fatal(err)
		}
		_, err := e.svc.SubmitReport(context.Background(), flare.NewReport{Report: sampleReport("dup"), Token: "same-token"})
		if flare.ErrorCodeOf(err) != flare.ECONFLICT {
			t.Fatalf("resubmit after follow-up = %v, want conflict", err)
		}
		if n := count(t, raw, "reports"); n != 1 {
			t.Fatalf("%d reports, want 1", n)
		}
	})
}

func count(t *testing.T, raw *sql.DB, table string) int {
	t.Helper()
	var n int
	if err := raw.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// dumpAll renders every table of the database as text, and for SQLite
// appends the database files, for grepping (R-IN1, R-IN4).
func dumpAll(t *testing.T, dbURL string) string {
	t.Helper()
	raw := storetest.RawDB(t, dbURL)
	var q string
	if storetest.BackendOf(dbURL) == "postgres" {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`
	} else {
		q = `SELECT name FROM sqlite_master WHERE type = 'table'`
	}
	rows, err := raw.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	var b strings.Builder
	for _, tb := range tables {
		rs, err := raw.Query(`SELECT * FROM "` + tb + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rs.Columns()
		for rs.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			rs.Scan(ptrs...)
			for _, v := range vals {
				if bs, ok := v.([]byte); ok {
					b.Write(bs)
				} else {
					fmt.Fprint(&b, v)
				}
				b.WriteByte('|')
			}
			b.WriteByte('\n')
		}
		rs.Close()
	}
	if storetest.BackendOf(dbURL) == "sqlite" {
		path := strings.TrimPrefix(dbURL, "sqlite:")
		for _, f := range []string{path, path + "-wal"} {
			if bs, err := os.ReadFile(f); err == nil {
				b.Write(bs)
			}
		}
	}
	return b.String()
}

// TestReceiptNotStored: the receipt and the report's text appear nowhere
// in the database (R-IN4; the text is sealed).
func TestReceiptNotStored(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, dbURL string) {
		e := newReportEnv(t, dbURL)
		marker := "MARKER-7f3a9c"
		code := e.submit(t, sampleReport(marker), "tok-x")
		if err := e.svc.ReporterMessage(context.Background(), code, "message "+marker); err != nil {
			t.Fatal(err)
		}
		dump := dumpAll(t, dbURL)
		for _, needle := range []string{code, flare.FormatReceipt(code), marker, "Blue farm", "ask for Ana"} {
			if strings.Contains(dump, needle) {
				t.Errorf("database holds %q", needle)
			}
		}
	})
}

// TestReceiptExpires: a code unused for longer than the TTL is refused,
// while the report stays with staff (R-IN5).
func TestReceiptExpires(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, dbURL string) {
		e := newReportEnv(t, dbURL)
		e.svc.SetReceiptTTL(72 * time.Hour)
		code := e.submit(t, sampleReport("exp"), "tok-e")
		e.clock.Add(71 * time.Hour)
		if _, err := e.svc.FollowUp(context.Background(), code); err != nil {
			t.Fatalf("within the TTL: %v", err)
		}
		// Using the code restarted the clock.
		e.clock.Add(72*time.Hour + time.Second)
		if _, err := e.svc.FollowUp(context.Background(), code); !flare.IsBadReceipt(err) {
			t.Fatalf("after the TTL: %v, want refused", err)
		}
		e.clock.Add(-time.Hour) // even if the clock went back, the code is gone
		if _, err := e.svc.FollowUp(context.Background(), code); !flare.IsBadReceipt(err) {
			t.Fatalf("after expiry: %v, want refused", err)
		}
		q, err := e.svc.Reports(e.intake, flare.ReportFilter{})
		if err != nil || len(q) != 1 {
			t.Fatalf("staff queue after expiry = %d, %v", len(q), err)
		}
	})
}

func TestIntakeQueueAndTriage(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, dbURL string) {
		e := newReportEnv(t, dbURL)
		low := sampleReport("low")
		low.People, low.Signs, low.Region = 1, nil, "South"
		e.submit(t, low, "a")
		mid := sampleReport("mid")
		e.submit(t, mid, "b")
		high := sampleReport("high")
		high.Danger, high.People = true, 1
		e.submit(t, high, "c")
		q, err := e.svc.Reports(e.intake, flare.ReportFilter{})
		if err != nil || len(q) != 3 {
			t.Fatalf("queue: %d %v", len(q), err)
		}
		if !strings.HasSuffix(q[0].Text, "high") || !strings.HasSuffix(q[1].Text, "mid") {
			t.Fatalf("queue order: %q, %q, %q", q[0].Text, q[1].Text, q[2].Text)
		}
		if q, _ := e.svc.Reports(e.intake, flare.ReportFilter{Region: "South"}); len(q) != 1 || !strings.HasSuffix(q[0].Text, "low") {
			t.Fatalf("region filter: %d", len(q))
		}
		if q, _ := e.svc.Reports(e.intake, flare.ReportFilter{Sector: "fishing"}); len(q) != 0 {
			t.Fatalf("sector filter: %d", len(q))
		}
		// Roles: an inspector has no access to the queue.
		inspector := e.as(e.officer.ID, e.agency.ID, flare.RoleInspector)
		if _, err := e.svc.Reports(inspector, flare.ReportFilter{}); flare.ErrorCodeOf(err) != flare.EFORBIDDEN {
			t.Fatalf("inspector: %v", err)
		}
		// Assign, then forward to the police: the labour intake no longer sees it.
		assignee := e.officer.ID
		if _, err := e.svc.TriageReport(e.intake, q[1].ID, flare.ReportTriage{AssignedTo: &assignee}); err != nil {
			t.Fatal(err)
		}
		stranger := "01900000-0000-7000-8000-000000000000"
		if _, err := e.svc.TriageReport(e.intake, q[1].ID, flare.ReportTriage{AssignedTo: &stranger}); flare.ErrorCodeOf(err) != flare.EINVALID {
			t.Fatalf("assign to a stranger: %v", err)
		}
		if _, err := e.svc.TriageReport(e.intake, q[2].ID, flare.ReportTriage{ForwardTo: e.other.ID}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.Report(e.intake, q[2].ID); flare.ErrorCodeOf(err) != flare.ENOTFOUND {
			t.Fatalf("forwarded report read by the first agency: %v", err)
		}
		police := e.as("01900000-0000-7000-8000-000000000001", e.other.ID, flare.RoleIntake)
		if r, _, err := e.svc.Report(police, q[2].ID); err != nil || r.AgencyID != e.other.ID {
			t.Fatalf("forwarded report read by the police: %v", err)
		}
		// Duplicate: closes the report for the reporter.
		r, err := e.svc.TriageReport(e.intake, q[1].ID, flare.ReportTriage{DuplicateOf: q[0].ID})
		if err != nil || r.Status != flare.ReportClosed || r.DuplicateOf != q[0].ID {
			t.Fatalf("duplicate: %+v %v", r, err)
		}
		if _, err := e.svc.TriageReport(e.intake, q[0].ID, flare.ReportTriage{DuplicateOf: q[0].ID}); flare.ErrorCodeOf(err) != flare.EINVALID {
			t.Fatalf("duplicate of itself: %v", err)
		}
		// Open a case from the most urgent report.
		c := &flare.Case{Reference: "LI-R1", Title: "Farm North"}
		if err := e.svc.OpenCaseFromReport(e.intake, q[0].ID, c); err != nil {
			t.Fatal(err)
		}
		r, _, err = e.svc.Report(e.intake, q[0].ID)
		if err != nil || r.CaseID != c.ID || r.Status != flare.ReportActionTaken || c.Region != "North" {
			t.Fatalf("after opening a case: %+v %v", r, err)
		}
		if err := e.svc.OpenCaseFromReport(e.intake, q[0].ID, &flare.Case{Reference: "LI-R2", Title: "x"}); flare.ErrorCodeOf(err) != flare.ECONFLICT {
			t.Fatalf("second case: %v", err)
		}
		// Attach the duplicate to the same case.
		if err := e.svc.AttachReportToCase(e.intake, q[1].ID, c.ID); err != nil {
			t.Fatal(err)
		}
		// The police cannot attach their report to the labour case.
		if err := e.svc.AttachReportToCase(police, q[2].ID, c.ID); flare.ErrorCodeOf(err) != flare.ENOTFOUND {
			t.Fatalf("attach to another agency's case: %v", err)
		}
		entries, err := e.db.AuditEntries(e.console, sqlstore.AuditFilter{CaseID: c.ID})
		if err != nil {
			t.Fatal(err)
		}
		var links int
		for _, en := range entries {
			if en.RecordType == "report" && en.Action == audit.ActionUpdate {
				links++
			}
		}
		if links != 2 {
			t.Errorf("%d report links audited under the case, want 2", links)
		}
	})
}

func TestReportRetention(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, dbURL string) {
		e := newReportEnv(t, dbURL)
		old := e.submit(t, sampleReport("old"), "o")
		e.submit(t, sampleReport("kept"), "k")
		q, _ := e.svc.Reports(e.intake, flare.ReportFilter{})
		if err := e.svc.OpenCaseFromReport(e.intake, q[1].ID, &flare.Case{Reference: "LI-K", Title: "Kept"}); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.ReporterMessage(context.Background(), old, "hello"); err != nil {
			t.Fatal(err)
		}
		e.clock.Add(400 * 24 * time.Hour)
		e.submit(t, sampleReport("new"), "n")
		n, err := e.svc.PurgeReports(context.Background(), e.clock.Now().Add(-sqlstore.DefaultReportRetention))
		if err != nil || n != 1 {
			t.Fatalf("purge = %d, %v", n, err)
		}
		q, _ = e.svc.Reports(e.intake, flare.ReportFilter{})
		if len(q) != 2 {
			t.Fatalf("%d reports left, want 2", len(q))
		}
		raw := storetest.RawDB(t, dbURL)
		if c := count(t, raw, "report_messages"); c != 0 {
			t.Errorf("%d messages left", c)
		}
		if _, err := e.svc.FollowUp(context.Background(), old); !flare.IsBadReceipt(err) {
			t.Errorf("purged report's code: %v", err)
		}
		entries, _ := e.db.AuditEntries(e.console, sqlstore.AuditFilter{RecordType: "report", Action: audit.ActionDelete})
		if len(entries) != 1 || entries[0].Justification == "" {
			t.Fatalf("audit of the deletion: %+v", entries)
		}
	})
}

func TestReportAttachmentsAndPartners(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, dbURL string) {
		e := newReportEnv(t, dbURL)
		ctx := context.Background()
		bad := flare.NewReport{Report: sampleReport("att"), Token: "t1",
			Attachments: []*flare.Attachment{{ContentType: "text/html", Data: []byte("<script>")}}}
		if _, err := e.svc.SubmitReport(ctx, bad); flare.ErrorCodeOf(err) != flare.EINVALID {
			t.Fatalf("html attachment: %v", err)
		}
		raw := storetest.RawDB(t, dbURL)
		if n := count(t, raw, "reports") + count(t, raw, "report_attachments") + count(t, raw, "data_keys"); n != 0 {
			t.Fatalf("refused submit left %d rows", n)
		}
		good := flare.NewReport{Report: sampleReport("att"), Token: "t2",
			Attachments: []*flare.Attachment{{ContentType: "application/pdf", Data: []byte("%PDF-1.4 ATTACHMENT-MARKER")}}}
		if _, err := e.svc.SubmitReport(ctx, good); err != nil {
			t.Fatal(err)
		}
		q, _ := e.svc.Reports(e.intake, flare.ReportFilter{})
		r, _, err := e.svc.Report(e.intake, q[0].ID)
		if err != nil || len(r.Attachments) != 1 {
			t.Fatalf("report attachments: %v", err)
		}
		a, err := e.svc.Attachment(e.intake, r.ID, r.Attachments[0].ID)
		if err != nil || string(a.Data) != "%PDF-1.4 ATTACHMENT-MARKER" {
			t.Fatalf("attachment: %v", err)
		}
		if strings.Contains(dumpAll(t, dbURL), "ATTACHMENT-MARKER") {
			t.Error("attachment stored in clear")
		}
		// Partners.
		if _, _, err := e.svc.CreatePartner(e.intake, "Union"); flare.ErrorCodeOf(err) != flare.EFORBIDDEN {
			t.Fatalf("partner created by staff: %v", err)
		}
		p, key, err := e.svc.CreatePartner(e.console, "Farmworkers' Union")
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.svc.PartnerByKey(ctx, key)
		if err != nil || got.ID != p.ID {
			t.Fatalf("partner by key: %v", err)
		}
		if _, err := e.svc.PartnerByKey(ctx, key+"x"); flare.ErrorCodeOf(err) != flare.EUNAUTHORIZED {
			t.Fatalf("wrong key: %v", err)
		}
		if strings.Contains(dumpAll(t, dbURL), key) {
			t.Error("partner key stored in clear")
		}
	})
}

// BenchmarkReceiptHash is the cost of hashing (or verifying) one receipt
// code with the production parameters: the bulk of a submission's time.
func BenchmarkReceiptHash(b *testing.B) {
	for b.Loop() {
		if _, err := auth.HashPassword("1234567890123456", sqlstore.ReceiptParams); err != nil {
			b.Fatal(err)
		}
	}
}
