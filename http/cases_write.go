package http

import (
	"net/http"
	"time"

	"github.com/flare-ilo/flare"
)

// caseCreateRequest is the body of POST /api/v1/cases. Absent fields take
// their defaults: the user's own agency, status "open", opened today.
type caseCreateRequest struct {
	AgencyID  string           `json:"agency_id"`
	Reference string           `json:"reference"`
	Title     string           `json:"title"`
	Status    flare.CaseStatus `json:"status"`
	OpenedOn  string           `json:"opened_on"`
	ClosedOn  string           `json:"closed_on"`
	// ClosureReason, Region and AssignedTo: see flare.Case.
	ClosureReason flare.ClosureReason `json:"closure_reason"`
	Region        string              `json:"region"`
	AssignedTo    string              `json:"assigned_to"`
}

// parseDate reads a "YYYY-MM-DD" field of a request.
func parseDate(field, value string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, value)
	if err != nil {
		return time.Time{}, flare.FieldError(field, "must be a date YYYY-MM-DD")
	}
	return t, nil
}

// handleAPICreateCase opens a case. Whether the user may create it in that
// agency is the case service's decision (the policy; a refusal is audited),
// and the case and its audit entry are stored in one transaction. The
// answer is the case as stored, with its ETag for a later If-Match.
func (s *Server) handleAPICreateCase(w http.ResponseWriter, r *http.Request) {
	var req caseCreateRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	me, _ := userFrom(r.Context())
	c := &flare.Case{AgencyID: req.AgencyID, Reference: req.Reference, Title: req.Title, Status: req.Status,
		ClosureReason: req.ClosureReason, Region: req.Region, AssignedTo: req.AssignedTo}
	if c.AgencyID == "" {
		c.AgencyID = me.AgencyID
	}
	if c.Status == "" {
		c.Status = flare.CaseOpen
	}
	c.OpenedOn = flare.DateOf(time.Now())
	if req.OpenedOn != "" {
		d, err := parseDate("opened_on", req.OpenedOn)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		c.OpenedOn = d
	}
	if req.ClosedOn != "" {
		d, err := parseDate("closed_on", req.ClosedOn)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		c.ClosedOn = &d
	}
	if err := s.cfg.Cases.CreateCase(r.Context(), c); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/cases/"+c.ID)
	w.Header().Set("ETag", etag(c.Version))
	writeJSON(w, http.StatusCreated, c)
}
