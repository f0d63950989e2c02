package http

import (
	"net/http"
	"strconv"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/html"
)

// caseListResponse is the JSON body of GET /api/v1/cases.
type caseListResponse struct {
	Cases []*flare.Case `json:"cases"`
}

// caseFilter reads the list filters shared by the page and the API.
func caseFilter(r *http.Request) flare.CaseFilter {
	return flare.CaseFilter{Status: flare.CaseStatus(r.URL.Query().Get("status"))}
}

func (s *Server) handleAPICaseList(w http.ResponseWriter, r *http.Request) {
	cases, err := s.cfg.Cases.Cases(r.Context(), caseFilter(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if cases == nil {
		cases = []*flare.Case{}
	}
	writeJSON(w, http.StatusOK, caseListResponse{Cases: cases})
}

func (s *Server) handleCaseList(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r.Context())
	cases, err := s.cfg.Cases.Cases(r.Context(), caseFilter(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	view := html.CaseListView{Page: s.cfg.Renderer.NewPage(r, "cases.title"), Email: u.Email, Cases: cases}
	s.render(w, r, http.StatusOK, "cases", view)
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
