package http

import (
	"net/http"

	"github.com/flare-ilo/flare/html"
)

// caseParties fills the parties section of a case page: its organisations
// and worksites, each one listed an audited read. A server built without
// the services leaves the section out.
func (s *Server) caseParties(r *http.Request, view *html.CaseView) error {
	if s.cfg.Organisations == nil || s.cfg.Worksites == nil {
		return nil
	}
	orgs, err := s.cfg.Organisations.Organisations(r.Context(), view.Case.ID)
	if err != nil {
		return err
	}
	sites, err := s.cfg.Worksites.Worksites(r.Context(), view.Case.ID)
	if err != nil {
		return err
	}
	p := &view.Parties
	p.Shown, p.CaseID = true, view.Case.ID
	names := map[string]string{}
	for _, o := range orgs {
		p.Organisations = append(p.Organisations, html.OrganisationLine{Organisation: o})
		names[o.ID] = o.Name
	}
	for _, w := range sites {
		p.Worksites = append(p.Worksites, html.WorksiteLine{Worksite: w, OperatorName: names[w.OrganisationID]})
	}
	return nil
}
