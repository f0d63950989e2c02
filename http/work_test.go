package http

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/html"
	"github.com/flare-ilo/flare/sqlstore"
)

// upload posts a multipart form with one file part, as a browser does.
func (b *browser) upload(path string, fields map[string]string, filename, ctype string, content []byte) (*http.Response, string) {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, filename))
	if ctype != "" {
		h.Set("Content-Type", ctype)
	}
	pw, _ := mw.CreatePart(h)
	_, _ = pw.Write(content)
	_ = mw.Close()
	req := httptest.NewRequest("POST", path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.RemoteAddr = b.remote
	for _, c := range b.cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	rec := httptest.NewRecorder()
	b.h.ServeHTTP(rec, req)
	return rec.Result(), rec.Body.String()
}

// withDocumentLimit makes the fixture accept documents up to n bytes.
func (f *staffFixture) withDocumentLimit(n int64) {
	f.cfg.MaxDocumentSize = n
	f.cfg.Documents = sqlstore.NewDocumentService(f.db, f.keys).WithMaxSize(n)
	f.handler = f.middleware(f.routes())
}

func (f *staffFixture) auditCount(t *testing.T, recordType, action, outcome string) int {
	t.Helper()
	entries, err := f.db.AuditEntries(t.Context(), sqlstore.AuditFilter{RecordType: recordType, Action: "", Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if string(e.Action) == action && string(e.Outcome) == outcome {
			n++
		}
	}
	return n
}

var pdf = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")

func TestWorkAPI(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newStaffFixture(t, backend)
			f.withDocumentLimit(4096)
			b := f.signedIn(t, f.agency, flare.RoleInspector)
			caseURL := "/api/v1/cases/" + f.ownCase.ID

			// Notes: add, list, refuse bad input naming the field.
			res, body := b.json("POST", caseURL+"/notes", `{"text":"The workers were locked in at night."}`)
			var note flare.Note
			if res.StatusCode != 201 || json.Unmarshal([]byte(body), &note) != nil || note.ID == "" {
				t.Fatalf("add note = %d %s", res.StatusCode, body)
			}
			if res, body := b.json("GET", caseURL+"/notes", ""); res.StatusCode != 200 || !strings.Contains(body, "locked in at night") {
				t.Fatalf("notes = %d %s", res.StatusCode, body)
			}
			if res, body := b.json("POST", caseURL+"/notes", `{"text":"  "}`); res.StatusCode != 400 || !strings.Contains(body, `"text"`) {
				t.Fatalf("empty note = %d %s", res.StatusCode, body)
			}
			if res, _ := b.json("POST", caseURL+"/notes", `{"text":"x","mood":"sad"}`); res.StatusCode != 400 {
				t.Fatalf("unknown field = %d", res.StatusCode)
			}

			// Tasks: create with an ETag; PATCH needs If-Match (428), a
			// stale one is 412 and changes nothing.
			res, body = b.json("POST", caseURL+"/tasks", `{"title":"Call the consulate","due_on":"2026-11-20"}`)
			var task flare.Task
			if res.StatusCode != 201 || json.Unmarshal([]byte(body), &task) != nil || res.Header.Get("ETag") != `"v1"` || !task.Overdue {
				t.Fatalf("add task = %d %s", res.StatusCode, body)
			}
			if res, body := b.json("POST", caseURL+"/tasks", `{"title":"x","due_on":"20 Nov"}`); res.StatusCode != 400 || !strings.Contains(body, `"due_on"`) {
				t.Fatalf("bad date = %d %s", res.StatusCode, body)
			}
			taskURL := "/api/v1/tasks/" + task.ID
			if res, _ := b.json("PATCH", taskURL, `{"done":true}`); res.StatusCode != 428 {
				t.Fatalf("PATCH without If-Match = %d, want 428", res.StatusCode)
			}
			if res, body := b.jsonIfMatch("PATCH", taskURL, `{"done":true}`, `"v1"`); res.StatusCode != 200 || res.Header.Get("ETag") != `"v2"` || !strings.Contains(body, `"done_at"`) {
				t.Fatalf("mark done = %d %s", res.StatusCode, body)
			}
			if res, _ := b.jsonIfMatch("PATCH", taskURL, `{"title":"Lost update"}`, `"v1"`); res.StatusCode != 412 {
				t.Fatalf("stale PATCH = %d, want 412", res.StatusCode)
			}
			if res, body := b.json("GET", taskURL, ""); res.StatusCode != 200 || strings.Contains(body, "Lost update") || res.Header.Get("ETag") != `"v2"` {
				t.Fatalf("task after stale PATCH = %d %s", res.StatusCode, body)
			}
			if res, body := b.jsonIfMatch("PATCH", taskURL, `{"due_on":null,"done":false}`, `"v2"`); res.StatusCode != 200 || strings.Contains(body, `"due_on"`) {
				t.Fatalf("reopen = %d %s", res.StatusCode, body)
			}
			if res, body := b.json("GET", "/api/v1/tasks", ""); res.StatusCode != 200 || !strings.Contains(body, `"tasks":[]`) {
				t.Fatalf("my tasks = %d %s", res.StatusCode, body)
			}

			// Documents: upload, list, download as an attachment.
			res, body = b.upload(caseURL+"/documents", map[string]string{"description": "Contract"}, "contrat été.pdf", "application/pdf", pdf)
			var doc flare.Document
			if res.StatusCode != 201 || json.Unmarshal([]byte(body), &doc) != nil || doc.ContentType != "application/pdf" {
				t.Fatalf("upload = %d %s", res.StatusCode, body)
			}
			if res, body := b.json("GET", caseURL+"/documents", ""); res.StatusCode != 200 || !strings.Contains(body, "contrat été.pdf") || strings.Contains(body, "%PDF") {
				t.Fatalf("documents = %d %s", res.StatusCode, body)
			}
			res, body = b.do("GET", "/api/v1/documents/"+doc.ID, nil)
			if res.StatusCode != 200 || body != string(pdf) || res.Header.Get("Content-Type") != "application/pdf" ||
				res.Header.Get("X-Content-Type-Options") != "nosniff" ||
				res.Header.Get("Content-Disposition") != `attachment; filename*=utf-8''contrat%20%C3%A9t%C3%A9.pdf` {
				t.Fatalf("download = %d %v", res.StatusCode, res.Header)
			}
			for _, tc := range []struct {
				name, filename, ctype string
				content               []byte
				want                  int
			}{
				{"html", "x.html", "text/html", []byte("<html><script>alert(1)</script></html>"), 415},
				{"mismatch", "x.pdf", "application/pdf", []byte("just text"), 415},
				{"too large", "x.txt", "text/plain", bytes.Repeat([]byte("a"), 4097), 413},
				{"empty", "x.txt", "text/plain", nil, 400},
			} {
				res, body := b.upload(caseURL+"/documents", nil, tc.filename, tc.ctype, tc.content)
				if res.StatusCode != tc.want || !strings.Contains(body, `"file"`) {
					t.Errorf("%s upload = %d %s, want %d naming the file", tc.name, res.StatusCode, body, tc.want)
				}
			}

			// The timeline: newest first, in words a program can map.
			res, body = b.json("GET", caseURL+"/timeline", "")
			var tl struct{ Events []flare.TimelineEvent }
			if res.StatusCode != 200 || json.Unmarshal([]byte(body), &tl) != nil || len(tl.Events) != 6 ||
				tl.Events[0].Kind != "document.create" || tl.Events[1].Kind != "task.reopen" || tl.Events[5].Kind != "case.create" {
				t.Fatalf("timeline = %d %s", res.StatusCode, body)
			}

			// Another agency: 404 everywhere; an analyst of the agency: 403.
			stranger := f.signedIn(t, f.otherAgency(t), flare.RoleInvestigator)
			for _, req := range [][2]string{{"GET", caseURL + "/notes"}, {"GET", caseURL + "/tasks"}, {"GET", caseURL + "/documents"},
				{"GET", caseURL + "/timeline"}, {"GET", taskURL}, {"GET", "/api/v1/documents/" + doc.ID}} {
				if res, _ := stranger.json(req[0], req[1], ""); res.StatusCode != 404 {
					t.Errorf("stranger %s %s = %d, want 404", req[0], req[1], res.StatusCode)
				}
			}
			if res, _ := stranger.json("POST", caseURL+"/notes", `{"text":"x"}`); res.StatusCode != 404 {
				t.Errorf("stranger adding a note = %d, want 404", res.StatusCode)
			}
			analyst := f.signedIn(t, f.agency, flare.RoleAnalyst)
			if res, _ := analyst.json("GET", caseURL+"/notes", ""); res.StatusCode != 403 {
				t.Errorf("analyst reading notes = %d, want 403", res.StatusCode)
			}
			if n := f.auditCount(t, "document", "read", "denied"); n != 2 {
				t.Errorf("document denials audited: %d, want 2 (list and download)", n)
			}
			if n := f.auditCount(t, "note", "create", "ok"); n != 1 {
				t.Errorf("note creations audited: %d, want 1", n)
			}
		})
	}
}

var versionField = regexp.MustCompile(`name="version" value="(\d+)"`)

func TestWorkPages(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newStaffFixture(t, backend)
			f.withDocumentLimit(4096)
			b := f.signedIn(t, f.agency, flare.RoleInspector)
			casePath := "/cases/" + f.ownCase.ID

			res, page := b.do("GET", casePath, nil)
			for _, want := range []string{`action="` + casePath + `/status"`, `action="` + casePath + `/tasks"`, `action="` + casePath + `/notes"`,
				`enctype="multipart/form-data"`, "No tasks yet.", "Case opened"} {
				if res.StatusCode != 200 || !strings.Contains(page, want) {
					t.Fatalf("case page = %d, lacks %q", res.StatusCode, want)
				}
			}

			// A note, then a refused empty one shown with its field error.
			if res, _ := b.do("POST", casePath+"/notes", url.Values{"text": {"Passports kept in the office safe."}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("add note = %d", res.StatusCode)
			}
			if res, page := b.do("POST", casePath+"/notes", url.Values{"text": {" "}}); res.StatusCode != 400 || !strings.Contains(page, `class="field-error"`) {
				t.Fatalf("empty note = %d", res.StatusCode)
			}
			// A task, marked done; a second click on the old page conflicts.
			if res, _ := b.do("POST", casePath+"/tasks", url.Values{"title": {"Visit the site"}, "due_on": {"2026-12-01"}, "assign_to_me": {"1"}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("add task = %d", res.StatusCode)
			}
			if res, page := b.do("POST", casePath+"/tasks", url.Values{"title": {"x"}, "due_on": {"tomorrow"}}); res.StatusCode != 400 || !strings.Contains(page, "must be a date") {
				t.Fatalf("bad due date = %d", res.StatusCode)
			}
			tasks, err := f.cfg.Tasks.Tasks(flare.WithActor(t.Context(), flare.Actor{Console: true}), f.ownCase.ID)
			if err != nil || len(tasks) != 1 || tasks[0].AssigneeID == "" {
				t.Fatalf("tasks = %v, %v", tasks, err)
			}
			taskID := tasks[0].ID
			if res, _ := b.do("POST", "/tasks/"+taskID+"/done", url.Values{"version": {"1"}, "done": {"1"}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("mark done = %d", res.StatusCode)
			}
			res, page = b.do("POST", "/tasks/"+taskID+"/done", url.Values{"version": {"1"}, "done": {"1"}})
			if res.StatusCode != http.StatusConflict || !strings.Contains(page, "Someone else saved first") {
				t.Fatalf("stale done = %d", res.StatusCode)
			}
			res, page = b.do("GET", "/tasks/"+taskID+"/edit", nil)
			if m := versionField.FindStringSubmatch(page); res.StatusCode != 200 || m == nil || m[1] != "2" {
				t.Fatalf("task edit form = %d", res.StatusCode)
			}
			if res, _ := b.do("POST", "/tasks/"+taskID+"/edit", url.Values{"version": {"2"}, "title": {"Visit the tea estate"}, "due_on": {""}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("edit task = %d", res.StatusCode)
			}
			res, page = b.do("POST", "/tasks/"+taskID+"/edit", url.Values{"version": {"2"}, "title": {"Mine instead"}})
			if res.StatusCode != http.StatusConflict || !strings.Contains(page, "Visit the tea estate") || !strings.Contains(page, "Mine instead") {
				t.Fatalf("stale edit = %d", res.StatusCode)
			}

			// A document through the page; a wrong type comes back with why.
			if res, _ := b.upload(casePath+"/documents", map[string]string{"description": "Pay slip"}, "slip.txt", "text/plain", []byte("Pay: 0")); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("upload = %d", res.StatusCode)
			}
			if res, page := b.upload(casePath+"/documents", nil, "x.pdf", "application/pdf", []byte("<html></html>")); res.StatusCode != 415 || !strings.Contains(page, `class="field-error"`) {
				t.Fatalf("wrong type = %d", res.StatusCode)
			}

			// Status: closing needs a reason; a closed case only reopens;
			// a stale version shows the conflict page.
			if res, page := b.do("POST", casePath+"/status", url.Values{"version": {"1"}, "status": {"closed"}}); res.StatusCode != 400 || !strings.Contains(page, "closure_reason") {
				t.Fatalf("close without reason = %d", res.StatusCode)
			}
			if res, _ := b.do("POST", casePath+"/status", url.Values{"version": {"1"}, "status": {"assessment"}, "closure_reason": {"other"}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("move to assessment with a stray reason = %d", res.StatusCode)
			}
			if res, _ := b.do("POST", casePath+"/status", url.Values{"version": {"2"}, "status": {"closed"}, "closure_reason": {"duplicate"}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("close = %d", res.StatusCode)
			}
			if res, page := b.do("POST", casePath+"/status", url.Values{"version": {"3"}, "status": {"investigation"}}); res.StatusCode != http.StatusConflict || !strings.Contains(page, "cannot go from closed to investigation") {
				t.Fatalf("illegal transition = %d", res.StatusCode)
			}
			if res, page := b.do("POST", casePath+"/status", url.Values{"version": {"1"}, "status": {"open"}}); res.StatusCode != http.StatusConflict || !strings.Contains(page, "Duplicate of another case") {
				t.Fatalf("stale status = %d", res.StatusCode)
			}

			// My tasks: the one task is done, so none; a new one assigned to
			// me and past due shows, overdue.
			if res, page := b.do("GET", "/tasks", nil); res.StatusCode != 200 || !strings.Contains(page, "No open task is assigned to you.") {
				t.Fatalf("my tasks = %d", res.StatusCode)
			}
			if res, _ := b.do("POST", casePath+"/tasks", url.Values{"title": {"Send the report"}, "due_on": {"2026-11-01"}, "assign_to_me": {"1"}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("add task = %d", res.StatusCode)
			}
			if res, page := b.do("GET", "/tasks", nil); res.StatusCode != 200 || !strings.Contains(page, "Send the report") || !strings.Contains(page, "Overdue") {
				t.Fatalf("my tasks = %d", res.StatusCode)
			}

			// The page shows it all, and the timeline in words.
			res, page = b.do("GET", casePath, nil)
			for _, want := range []string{"Passports kept in the office safe.", "Visit the tea estate", "slip.txt", "Pay slip",
				"Status changed", "Task done", "Note added", "Document added", `<option value="open"`} {
				if res.StatusCode != 200 || !strings.Contains(page, want) {
					t.Errorf("case page = %d, lacks %q", res.StatusCode, want)
				}
			}
			res, page = b.do("GET", casePath+"/timeline?lang=ar", nil)
			if res.StatusCode != 200 || !strings.Contains(page, `dir="rtl"`) || !strings.Contains(page, "أُضيفت ملاحظة") {
				t.Fatalf("timeline page = %d", res.StatusCode)
			}
			// Another agency's user does not find any of it.
			stranger := f.signedIn(t, f.otherAgency(t), flare.RoleInvestigator)
			for _, p := range []string{casePath + "/timeline", "/tasks/" + taskID + "/edit", casePath + "/notes/new"} {
				if res, _ := stranger.do("GET", p, nil); res.StatusCode != 404 {
					t.Errorf("stranger GET %s = %d, want 404", p, res.StatusCode)
				}
			}
			if res, _ := stranger.do("POST", casePath+"/notes", url.Values{"text": {"x"}}); res.StatusCode != 404 {
				t.Errorf("stranger note = %d, want 404", res.StatusCode)
			}
		})
	}
}

// TestTimelineWords: every kind of timeline event has words in every
// language.
func TestTimelineWords(t *testing.T) {
	c, err := html.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range c.Languages() {
		for _, k := range flare.TimelineKinds() {
			if got := c.T(l.Code, "timeline."+k); got == "timeline."+k {
				t.Errorf("%s lacks timeline.%s", l.Code, k)
			}
		}
	}
}

func TestContentDisposition(t *testing.T) {
	for in, want := range map[string]string{
		"contract.pdf":        `attachment; filename=contract.pdf`,
		`a "quoted" name.pdf`: `attachment; filename="a \"quoted\" name.pdf"`,
		"عقد.pdf":             `attachment; filename*=utf-8''%D8%B9%D9%82%D8%AF.pdf`,
	} {
		if got := contentDisposition(in); got != want {
			t.Errorf("contentDisposition(%q) = %s, want %s", in, got, want)
		}
	}
}
