package http

import (
	"net/http"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/html"
	"github.com/flare-ilo/flare/policy"
)

// handleApp is the staff home: the places the user's roles open, so that an
// admin is not sent to a case list they may not see.
func (s *Server) handleApp(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r.Context())
	actor := u.Actor()
	var links []html.AppLink
	own := policy.Record{Type: "case", OwnerAgencyID: u.AgencyID}
	if policy.Decide(actor, policy.Read, own, nil) == policy.Allow {
		links = append(links, html.AppLink{URL: "/cases", TitleKey: "cases.title", TextKey: "staff.cases_text"})
		if s.cfg.Tasks != nil {
			links = append(links, html.AppLink{URL: "/tasks", TitleKey: "work.my_tasks_title", TextKey: "work.my_tasks_text"})
		}
		if s.cfg.Referrals != nil {
			links = append(links, html.AppLink{URL: "/referrals", TitleKey: "referral.title", TextKey: "referral.home_text"})
		}
		if s.cfg.Protection != nil {
			links = append(links, html.AppLink{URL: "/protection/ending", TitleKey: "protection.ending_title", TextKey: "protection.home_text"})
		}
		if s.cfg.Claims != nil && (u.HasRole(flare.RoleFundOfficer) || u.HasRole(flare.RoleSupervisor)) {
			links = append(links, html.AppLink{URL: "/fund", TitleKey: "fund.title", TextKey: "fund.hint"})
		}
	}
	if s.cfg.Reports != nil && (u.HasRole(flare.RoleIntake) || u.HasRole(flare.RoleSupervisor)) {
		links = append(links, html.AppLink{URL: "/intake", TitleKey: "intake.title", TextKey: "intake.home_text"})
	}
	if s.cfg.Statistics != nil && (u.HasRole(flare.RoleAnalyst) || u.HasRole(flare.RoleSupervisor)) {
		links = append(links, html.AppLink{URL: "/statistics", TitleKey: "estimate.heading", TextKey: "estimate.home_text"})
	}
	if policy.DecideUserAdmin(actor, u.AgencyID) == policy.Allow {
		links = append(links, html.AppLink{URL: "/admin/users", TitleKey: "users.title", TextKey: "staff.users_text"})
	}
	view := html.AppView{Page: s.cfg.Renderer.NewPage(r, "staff.title"), Email: u.Email, Links: links}
	s.render(w, r, http.StatusOK, "app", view)
}
