package http

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/html"
	"github.com/flare-ilo/flare/policy"
)

// caseListResponse is the JSON body of GET /api/v1/cases.
type caseListResponse struct {
	Cases []*flare.Case `json:"cases"`
}

// caseFilter reads the list filters shared by the page and the API:
// status, region, sector (ISIC section), overdue=1 (open tasks past due),
// mine=1 (assigned to me), q (free text) and name (a person's name), plus
// limit and offset for the API's paging.
func caseFilter(r *http.Request) (flare.CaseFilter, error) {
	q := r.URL.Query()
	f := flare.CaseFilter{
		Status: flare.CaseStatus(q.Get("status")), Region: q.Get("region"), Sector: q.Get("sector"),
		OverdueTasks: q.Get("overdue") == "1", Text: q.Get("q"), Name: q.Get("name"),
	}
	if q.Get("mine") == "1" {
		if u, ok := userFrom(r.Context()); ok {
			f.AssignedTo = u.ID
		}
	}
	for _, p := range []struct {
		name string
		to   *int
	}{{"limit", &f.Limit}, {"offset", &f.Offset}} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return f, flare.FieldError(p.name, "must be a whole number, 0 or more")
			}
			*p.to = n
		}
	}
	return f, nil
}

func (s *Server) handleAPICaseList(w http.ResponseWriter, r *http.Request) {
	f, err := caseFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	cases, err := s.cfg.Cases.Cases(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if cases == nil {
		cases = []*flare.Case{}
	}
	writeJSON(w, http.StatusOK, caseListResponse{Cases: cases})
}

// handleCaseList shows the case list with its filters. A bad filter value
// (an unknown status or sector) is shown on the page with the list empty,
// not as an error page, so the user can correct it in place.
func (s *Server) handleCaseList(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r.Context())
	view := html.CaseListView{Page: s.cfg.Renderer.NewPage(r, "cases.title"), Email: u.Email,
		Statuses: flare.CaseStatuses(), Sectors: flare.ISICSections()}
	f, err := caseFilter(r)
	view.Filter = html.CaseListFilter{Status: string(f.Status), Region: f.Region, Sector: f.Sector,
		Overdue: f.OverdueTasks, Mine: f.AssignedTo != "", Text: f.Text, Name: f.Name}
	if err == nil {
		view.Cases, err = s.cfg.Cases.Cases(r.Context(), f)
	}
	status := http.StatusOK
	if err != nil {
		if flare.ErrorCodeOf(err) != flare.EINVALID {
			s.writeError(w, r, err)
			return
		}
		status = http.StatusBadRequest
		view.FilterError = flare.ErrorMessageOf(err)
	}
	view.Filtered = view.Filter != (html.CaseListFilter{})
	s.render(w, r, status, "cases", view)
}

func (s *Server) handleAPICase(w http.ResponseWriter, r *http.Request) {
	c, err := s.cfg.Cases.Case(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(c.Version))
	writeJSON(w, http.StatusOK, c)
}

// etag is the entity tag of a record version, for If-Match on updates.
func etag(version int64) string { return `"v` + strconv.FormatInt(version, 10) + `"` }

// auditEntryView is one line of a case's audit trail as the API shows it.
type auditEntryView struct {
	Seq           int64     `json:"seq"`
	At            time.Time `json:"at"`
	UserID        string    `json:"user_id,omitempty"`
	AgencyID      string    `json:"agency_id,omitempty"`
	Console       bool      `json:"console,omitempty"`
	Action        string    `json:"action"`
	Outcome       string    `json:"outcome"`
	RecordType    string    `json:"record_type"`
	RecordID      string    `json:"record_id,omitempty"`
	Fields        []string  `json:"fields,omitempty"`
	Justification string    `json:"justification,omitempty"`
}

// handleAPICaseAudit answers "who looked at this case, when" for a
// supervisor of the owning agency.
func (s *Server) handleAPICaseAudit(w http.ResponseWriter, r *http.Request) {
	entries, err := s.cfg.Cases.CaseAudit(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]auditEntryView, len(entries))
	for i, e := range entries {
		out[i] = auditEntryView{Seq: e.Seq, At: e.At, UserID: e.UserID, AgencyID: e.AgencyID, Console: e.Console,
			Action: string(e.Action), Outcome: string(e.Outcome), RecordType: e.RecordType, RecordID: e.RecordID,
			Fields: e.Fields, Justification: e.Justification}
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": out})
}

// caseUpdateRequest is the body of PATCH /api/v1/cases/{id}: the fields to
// change; absent fields stay as they are, and "closed_on": null clears the
// date.
type caseUpdateRequest struct {
	Title         *string              `json:"title"`
	Status        *flare.CaseStatus    `json:"status"`
	ClosedOn      optionalDate         `json:"closed_on"`
	ClosureReason *flare.ClosureReason `json:"closure_reason"`
	Region        *string              `json:"region"`
	AssignedTo    *string              `json:"assigned_to"`
}

// optionalDate tells an absent field from an explicit null.
type optionalDate struct {
	Set   bool
	Value *time.Time
}

// UnmarshalJSON reads null or a "YYYY-MM-DD" date.
func (d *optionalDate) UnmarshalJSON(b []byte) error {
	d.Set = true
	if string(b) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return flare.FieldError("closed_on", "must be a date YYYY-MM-DD or null")
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return flare.FieldError("closed_on", "must be a date YYYY-MM-DD or null")
	}
	d.Value = &t
	return nil
}

// handleAPIUpdateCase changes a case. The client must say which version it
// changes with If-Match (the ETag of its last read): without it 428, with a
// stale one 412 and nothing changed (security checklist R-CC1).
func (s *Server) handleAPIUpdateCase(w http.ResponseWriter, r *http.Request) {
	match := r.Header.Get("If-Match")
	if match == "" {
		s.writeErrorStatus(w, r, http.StatusPreconditionRequired,
			flare.Errorf(flare.EINVALID, "send If-Match with the ETag of the case as you read it"))
		return
	}
	version, ok := parseETag(match)
	if !ok {
		s.writeError(w, r, flare.Errorf(flare.EINVALID, "If-Match must be an ETag from this API, like \"v3\""))
		return
	}
	var req caseUpdateRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	upd := flare.CaseUpdate{Version: version, Title: req.Title, Status: req.Status,
		ClosureReason: req.ClosureReason, Region: req.Region, AssignedTo: req.AssignedTo}
	if req.ClosedOn.Set {
		upd.ClosedOn = &req.ClosedOn.Value
	}
	c, err := s.cfg.Cases.UpdateCase(r.Context(), r.PathValue("id"), upd)
	if err != nil {
		if fv, stale := fieldOf(err, "version"); stale && fv == "stale" {
			s.writeErrorStatus(w, r, http.StatusPreconditionFailed, err)
			return
		}
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(c.Version))
	writeJSON(w, http.StatusOK, c)
}

// parseETag reads an ETag made by etag.
func parseETag(s string) (int64, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "W/")
	if len(s) < 4 || !strings.HasPrefix(s, `"v`) || !strings.HasSuffix(s, `"`) {
		return 0, false
	}
	v, err := strconv.ParseInt(s[2:len(s)-1], 10, 64)
	return v, err == nil && v > 0
}

// handleCasePage shows one case; a supervisor also sees who accessed it.
func (s *Server) handleCasePage(w http.ResponseWriter, r *http.Request) {
	c, err := s.cfg.Cases.Case(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	me, _ := userFrom(r.Context())
	view := html.CaseView{Page: s.cfg.Renderer.NewPage(r, "cases.title"), Case: c, MeID: me.ID}
	for _, section := range []func(*http.Request, *html.CaseView) error{s.casePeople, s.caseParties, s.caseWork, s.caseEnforcement, s.caseReports, s.caseSharing} {
		if err := section(r, &view); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	actor, _ := flare.ActorFrom(r.Context())
	rec := policy.Record{Type: "case", OwnerAgencyID: c.AgencyID}
	if policy.Decide(actor, policy.ReadAudit, rec, nil) == policy.Allow {
		entries, err := s.cfg.Cases.CaseAudit(r.Context(), c.ID)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		view.ShowAccess = true
		for _, e := range entries {
			view.Access = append(view.Access, html.AccessLine{At: e.At, Who: s.who(r, e), Action: string(e.Action), Outcome: string(e.Outcome)})
		}
	}
	s.render(w, r, http.StatusOK, "case", view)
}

// who names the actor of an audit entry for a supervisor: the email of a
// colleague of their own agency; for other agencies only the ids, since
// their staff are theirs to name.
func (s *Server) who(r *http.Request, e audit.Entry) string {
	if e.Console {
		return s.cfg.Renderer.Catalog().T(s.cfg.Renderer.Catalog().Choose(r).Code, "audit.console")
	}
	me, _ := userFrom(r.Context())
	if s.cfg.Users != nil && e.UserID != "" && e.AgencyID == me.AgencyID {
		if u, err := s.cfg.Users.User(r.Context(), e.UserID); err == nil && u.AgencyID == me.AgencyID {
			return u.Email
		}
	}
	return strings.Trim(e.AgencyID+" "+e.UserID, " ")
}

// caseReports fills the reports a case came from (issue #5: "reports it
// came from"), for the staff who may read reports; for others the section
// stays empty rather than failing the page.
func (s *Server) caseReports(r *http.Request, view *html.CaseView) error {
	me, _ := userFrom(r.Context())
	if s.cfg.Reports == nil || !(me.HasRole(flare.RoleIntake) || me.HasRole(flare.RoleSupervisor)) {
		return nil
	}
	list, err := s.cfg.Reports.Reports(r.Context(), flare.ReportFilter{CaseID: view.Case.ID})
	if err != nil {
		return err
	}
	view.Reports = list
	return nil
}
