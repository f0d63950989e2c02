package http

import (
	"net/http"

	"github.com/flare-ilo/flare/html"
)

// casePeople fills the people section of a case page: each person the user
// may read, named only when the user may see their identity.
func (s *Server) casePeople(r *http.Request, view *html.CaseView) error {
	if s.cfg.Persons == nil {
		return nil
	}
	people, err := s.cfg.Persons.CasePersons(withJustification(r).Context(), view.Case.ID)
	if err != nil {
		return err
	}
	view.People = html.PeopleSection{Shown: true, CaseID: view.Case.ID}
	for _, p := range people {
		line := html.PersonLine{ID: p.ID, Role: p.Role, Withheld: p.IdentityWithheld}
		if p.PersonIdentity != nil {
			line.Name = p.FullName()
		}
		if p.VictimStatus != nil {
			line.Stage = p.VictimStatus.Current
		}
		view.People.People = append(view.People.People, line)
	}
	return nil
}
