package http

import (
	"net/http"
	"strconv"

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
