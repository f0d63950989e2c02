package http

import (
	"math"
	"net/http"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/html"
)

// Possible matches of a person (issue #9): the page and the API share the
// match service, which never proposes a record the user may not read.

func (s *Server) matches(w http.ResponseWriter, r *http.Request) (flare.MatchService, bool) {
	if s.cfg.Matches == nil || s.cfg.Persons == nil {
		s.writeError(w, r, errNoRoute)
		return nil, false
	}
	return s.cfg.Matches, true
}

func (s *Server) handleAPIMatches(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.matches(w, r)
	if !ok {
		return
	}
	list, err := svc.PossibleMatches(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if list == nil {
		list = []flare.PersonMatch{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"matches": list})
}

// matchDecision is the body of POST /api/v1/persons/{id}/matches/{other}.
type matchDecision struct {
	Decision string `json:"decision"`
}

func (s *Server) handleAPIDecideMatch(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.matches(w, r)
	if !ok {
		return
	}
	var req matchDecision
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := svc.DecideMatch(r.Context(), r.PathValue("id"), r.PathValue("other"), req.Decision); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, req)
}

func (s *Server) handleMatchesPage(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.matches(w, r)
	if !ok {
		return
	}
	p, err := s.cfg.Persons.Person(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := svc.PossibleMatches(r.Context(), p.ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	view := html.MatchesView{Page: s.cfg.Renderer.NewPage(r, "match.heading"), Person: p}
	for _, m := range list {
		view.Matches = append(view.Matches, html.MatchLine{PersonMatch: m, Percent: int(math.Round(m.Probability * 100))})
	}
	s.render(w, r, http.StatusOK, "matches", view)
}

func (s *Server) handleDecideMatchForm(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.matches(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	id := r.PathValue("id")
	if err := svc.DecideMatch(r.Context(), id, r.PathValue("other"), r.PostFormValue("decision")); err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/persons/"+id+"/matches", http.StatusSeeOther)
}

func (s *Server) handleAPIOrganisationMatches(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.matches(w, r)
	if !ok {
		return
	}
	list, err := svc.OrganisationMatches(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if list == nil {
		list = []flare.OrganisationMatch{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"matches": list})
}

func (s *Server) handleAPIDecideOrganisationMatch(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.matches(w, r)
	if !ok {
		return
	}
	var req matchDecision
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := svc.DecideOrganisationMatch(r.Context(), r.PathValue("id"), r.PathValue("other"), req.Decision); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, req)
}

func (s *Server) handleOrganisationMatchesPage(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.matches(w, r)
	if !ok || s.cfg.Organisations == nil {
		return
	}
	o, err := s.cfg.Organisations.Organisation(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := svc.OrganisationMatches(r.Context(), o.ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	view := html.OrganisationMatchesView{Page: s.cfg.Renderer.NewPage(r, "match.heading"), Organisation: o}
	for _, m := range list {
		view.Matches = append(view.Matches, html.OrganisationMatchLine{OrganisationMatch: m, Percent: int(math.Round(m.Probability * 100))})
	}
	s.render(w, r, http.StatusOK, "organisation_matches", view)
}

func (s *Server) handleDecideOrganisationMatchForm(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.matches(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	id := r.PathValue("id")
	if err := svc.DecideOrganisationMatch(r.Context(), id, r.PathValue("other"), r.PostFormValue("decision")); err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/organisations/"+id+"/matches", http.StatusSeeOther)
}
