package http

import (
	"net/http"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/html"
)

// personWork fills the screenings and wage claims of a person's page. A
// user the policy does not let see them gets the section without them,
// not an error page: the person's record stays readable.
func (s *Server) personWork(r *http.Request, p *flare.Person, view *html.PersonView) error {
	view.Work.CanMatch = s.cfg.Matches != nil && p.PersonIdentity != nil
	if s.cfg.Assessments != nil {
		list, err := s.cfg.Assessments.PersonAssessments(r.Context(), p.ID)
		switch flare.ErrorCodeOf(err) {
		case "":
			view.Work.CanScreen, view.Work.Assessments = true, list
		case flare.EFORBIDDEN, flare.ENOTFOUND:
		default:
			return err
		}
	}
	if s.cfg.Claims != nil && p.Role == flare.RolePresumedVictim {
		list, err := s.cfg.Claims.PersonClaims(r.Context(), p.ID)
		switch flare.ErrorCodeOf(err) {
		case "":
			view.Work.CanClaim, view.Work.Claims = true, list
		case flare.EFORBIDDEN, flare.ENOTFOUND:
		default:
			return err
		}
	}
	return nil
}
