package http

import (
	"net/http"

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
