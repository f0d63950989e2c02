package http

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/html"
	"github.com/flare-ilo/flare/policy"
)

// The referral pages (issue #6): an agency's referrals (what waits for its
// answer, what it sent), the form that refers a case, and the sharing
// section of a case page. Every form posts to its own route and works
// without JavaScript.

// agencyNames maps agency ids to names, for the pages.
func (s *Server) agencyNames(ctx context.Context) (map[string]string, []*flare.Agency, error) {
	names := map[string]string{}
	if s.cfg.Agencies == nil {
		return names, nil, nil
	}
	all, err := s.cfg.Agencies.Agencies(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, a := range all {
		names[a.ID] = a.Name
	}
	return names, all, nil
}

// referralLine names a referral's agencies for a viewer of agency me, on
// page p whose forms return to back.
func referralLine(p html.Page, back string, ref *flare.Referral, names map[string]string, me string) html.ReferralLine {
	return html.ReferralLine{Referral: ref, Page: p, Back: back, FromName: names[ref.FromAgencyID], ToName: names[ref.ToAgencyID],
		Incoming: ref.ToAgencyID == me, People: len(ref.Grant.PersonIDs),
		CanWithdraw: ref.Grant.Basis == flare.BasisConsent && ref.ConsentWithdrawnAt == nil &&
			(ref.Status == flare.ReferralSent || ref.Status == flare.ReferralAccepted)}
}

// handleReferralsPage shows the agency's referrals.
func (s *Server) handleReferralsPage(w http.ResponseWriter, r *http.Request) {
	s.showReferrals(w, r, http.StatusOK, html.ReferralsView{})
}

func (s *Server) showReferrals(w http.ResponseWriter, r *http.Request, status int, view html.ReferralsView) {
	svc, ok := s.referrals(w, r)
	if !ok {
		return
	}
	list, err := svc.Referrals(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	names, _, err := s.agencyNames(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	me, _ := userFrom(r.Context())
	view.Page = s.cfg.Renderer.NewPage(r, "referral.title")
	for _, ref := range list {
		line := referralLine(view.Page, "/referrals", ref, names, me.AgencyID)
		switch {
		case ref.Status != flare.ReferralSent:
			view.Answered = append(view.Answered, line)
		case line.Incoming:
			view.Waiting = append(view.Waiting, line)
		default:
			view.Sent = append(view.Sent, line)
		}
	}
	s.render(w, r, status, "referrals", view)
}

// handleReferralAnswer accepts, declines or records a withdrawal of
// consent from the referral page. An accepted referral opens its case.
func (s *Server) handleReferralAnswer(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.referrals(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	id := r.PathValue("id")
	var (
		ref *flare.Referral
		err error
	)
	switch r.PathValue("action") {
	case "accept":
		ref, err = svc.AcceptReferral(r.Context(), id)
	case "decline":
		ref, err = svc.DeclineReferral(r.Context(), id, r.PostFormValue("reason"))
		if flare.ErrorCodeOf(err) == flare.EINVALID {
			s.showReferrals(w, r, http.StatusBadRequest, html.ReferralsView{DeclineID: id,
				DeclineReason: r.PostFormValue("reason"), DeclineError: flare.ErrorMessageOf(err)})
			return
		}
	case "withdraw-consent":
		if err = confirmed(r); err == nil {
			ref, err = svc.WithdrawConsent(r.Context(), id)
		}
	default:
		err = errNoRoute
	}
	if err != nil {
		s.showAnswerConflict(w, r, err)
		return
	}
	if ref.Status == flare.ReferralAccepted && ref.ToAgencyID != "" && r.PathValue("action") == "accept" {
		http.Redirect(w, r, "/cases/"+url.PathEscape(ref.CaseID), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, backTo(r, "/referrals"), http.StatusSeeOther)
}

// confirmed checks the confirmation box of a form whose effect cannot be
// undone: a tap on the wrong button must not end a victim's sharing.
func confirmed(r *http.Request) error {
	if r.PostFormValue("confirm") != "1" {
		return flare.FieldError("confirm", "tick the box to confirm")
	}
	return nil
}

// showAnswerConflict explains a refused answer (already answered by a
// colleague, consent already withdrawn) on the conflict page.
func (s *Server) showAnswerConflict(w http.ResponseWriter, r *http.Request, err error) {
	var fe *flare.Error
	if !errors.As(err, &fe) || (fe.Code != flare.ECONFLICT && fe.Code != flare.EINVALID) {
		s.writeError(w, r, err)
		return
	}
	status := http.StatusConflict
	if fe.Code == flare.EINVALID {
		status = http.StatusBadRequest
	}
	view := html.RefusedView{Page: s.cfg.Renderer.NewPage(r, "referral.refused_title"), Message: fe.Message,
		BackURL: backTo(r, "/referrals")}
	s.render(w, r, status, "refused", view)
}

// backTo is the local page a form asked to return to, or fallback.
func backTo(r *http.Request, fallback string) string {
	return localPath(r.PostFormValue("back"), fallback)
}

// handleReferralForm shows the form that refers a case.
func (s *Server) handleReferralForm(w http.ResponseWriter, r *http.Request) {
	today := flare.DateOf(time.Now()).Format(time.DateOnly)
	form := html.ReferralForm{Access: string(flare.GrantContribute), Scope: "case", Basis: string(flare.BasisLaw),
		ConsentGivenOn: today}
	view, err := s.referralFormView(r, form)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "referral_form", view)
}

// referralFormView fills the referral form for the case in the path: the
// other agencies and the people of the case.
func (s *Server) referralFormView(r *http.Request, form html.ReferralForm) (html.ReferralFormView, error) {
	ctx := r.Context()
	c, err := s.cfg.Cases.Case(ctx, r.PathValue("id"))
	if err != nil {
		return html.ReferralFormView{}, err
	}
	_, agencies, err := s.agencyNames(ctx)
	if err != nil {
		return html.ReferralFormView{}, err
	}
	agencies = slices.DeleteFunc(slices.Clone(agencies), func(a *flare.Agency) bool { return a.ID == c.AgencyID })
	view := html.ReferralFormView{Page: s.cfg.Renderer.NewPage(r, "referral.new_title"), Case: c, Agencies: agencies,
		Groups: flare.FieldGroups(), Bases: []flare.LegalBasis{flare.BasisLaw, flare.BasisCourtOrder, flare.BasisConsent}, Form: form}
	if s.cfg.Persons != nil {
		people, err := s.cfg.Persons.CasePersons(ctx, c.ID)
		if err != nil {
			return html.ReferralFormView{}, err
		}
		for _, p := range people {
			view.People = append(view.People, html.PersonChoice{ID: p.ID, Label: personLabel(s, r, p)})
		}
	}
	return view, nil
}

// handleSendReferral sends the referral typed in the form; a refusal shows
// the form again with what was typed and the reason next to the field.
func (s *Server) handleSendReferral(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.referrals(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	form := referralFormOf(r)
	ref, err := referralOf(r.PathValue("id"), form)
	if err == nil {
		err = svc.SendReferral(r.Context(), ref)
	}
	if err == nil {
		http.Redirect(w, r, "/cases/"+url.PathEscape(ref.CaseID)+"#sharing", http.StatusSeeOther)
		return
	}
	view, verr := s.referralFormView(r, form)
	if verr != nil {
		s.writeError(w, r, verr)
		return
	}
	s.refuseForm(w, r, err, &view.Errors, &view.ErrorMessage, func(status int) {
		s.render(w, r, status, "referral_form", view)
	})
}

// referralFormOf reads the referral form as typed.
func referralFormOf(r *http.Request) html.ReferralForm { return referralFormValues(r.PostForm) }

func referralFormValues(v url.Values) html.ReferralForm {
	f := html.ReferralForm{ToAgencyID: v.Get("to_agency_id"), Purpose: v.Get("purpose"),
		DueOn: v.Get("due_on"), Urgent: v.Get("urgent") == "1", Access: v.Get("access"),
		Scope: v.Get("scope"), Basis: v.Get("legal_basis"), Reference: v.Get("reference"),
		ConsentGivenOn: v.Get("consent_given_on"), ConsentLanguage: v.Get("consent_language"),
		ConsentInterpreter: v.Get("consent_interpreter"), ConsentPersonID: v.Get("consent_person_id"),
		ConsentScope: v.Get("consent_scope"), ExpiresOn: v.Get("expires_on"),
		PersonIDs: map[string]bool{}, Groups: map[string]bool{}}
	for _, id := range v["person_id"] {
		f.PersonIDs[id] = true
	}
	for _, g := range v["field_group"] {
		f.Groups[g] = true
	}
	return f
}

// referralOf turns the form into a referral of case caseID. Consent
// fields are read only for the consent basis: a law-based referral
// ignores a consent date left filled in.
func referralOf(caseID string, f html.ReferralForm) (*flare.Referral, error) {
	ref := &flare.Referral{CaseID: caseID, ToAgencyID: f.ToAgencyID, Purpose: f.Purpose, Urgent: f.Urgent,
		Grant: flare.CaseGrant{Access: flare.GrantAccess(f.Access), Basis: flare.LegalBasis(f.Basis), Reference: f.Reference}}
	if f.Scope == "people" {
		for id := range f.PersonIDs {
			ref.Grant.PersonIDs = append(ref.Grant.PersonIDs, id)
		}
		slices.Sort(ref.Grant.PersonIDs)
		if len(ref.Grant.PersonIDs) == 0 {
			return nil, flare.FieldError("person_ids", "choose the people to share, or share the whole case")
		}
		for _, g := range flare.FieldGroups() {
			if f.Groups[string(g)] {
				ref.Grant.FieldGroups = append(ref.Grant.FieldGroups, g)
			}
		}
	}
	var err error
	if ref.DueOn, err = formDay("due_on", f.DueOn); err != nil {
		return nil, err
	}
	if ref.Grant.Basis == flare.BasisConsent {
		g := &ref.Grant
		g.ConsentLanguage, g.ConsentInterpreter, g.ConsentPersonID, g.ConsentScope =
			f.ConsentLanguage, f.ConsentInterpreter, f.ConsentPersonID, f.ConsentScope
		if g.ConsentGivenOn, err = formDate("consent_given_on", f.ConsentGivenOn); err != nil {
			return nil, err
		}
		if g.ExpiresOn, err = formDate("expires_on", f.ExpiresOn); err != nil {
			return nil, err
		}
	}
	return ref, nil
}

// caseSharing fills the sharing section of a case page: its referrals for
// those who work on it in its own agency, and its grants for those who may
// share it. A grantee sees neither.
func (s *Server) caseSharing(r *http.Request, view *html.CaseView) error {
	me, _ := userFrom(r.Context())
	if s.cfg.Referrals == nil || view.Case.AgencyID != me.AgencyID {
		return nil
	}
	// Read-only staff of the agency are not shown the section, rather
	// than refused it: a refusal on every page view would fill the audit
	// log with denials nobody attempted.
	rec := policy.Record{Type: "case", OwnerAgencyID: view.Case.AgencyID}
	if policy.Decide(me.Actor(), policy.Update, rec, nil) != policy.Allow {
		return nil
	}
	ctx := r.Context()
	refs, err := s.cfg.Referrals.CaseReferrals(ctx, view.Case.ID)
	if err != nil {
		return err
	}
	names, _, err := s.agencyNames(ctx)
	if err != nil {
		return err
	}
	sec := html.SharingSection{Shown: true, CaseID: view.Case.ID}
	for _, ref := range refs {
		sec.Referrals = append(sec.Referrals, referralLine(view.Page, "/cases/"+view.Case.ID+"#sharing", ref, names, me.AgencyID))
	}
	if s.cfg.Grants != nil && me.HasRole(flare.RoleSupervisor) {
		grants, err := s.cfg.Grants.CaseGrants(ctx, view.Case.ID)
		if err != nil {
			return err
		}
		sec.ShowGrants = true
		for _, g := range grants {
			sec.Grants = append(sec.Grants, html.GrantLine{CaseGrant: g, AgencyName: names[g.AgencyID],
				Active: g.Active(time.Now()), People: len(g.PersonIDs)})
		}
	}
	view.Sharing = sec
	return nil
}

// handleGrantAction revokes a grant or records the withdrawal of the
// consent it rests on, from the case page.
func (s *Server) handleGrantAction(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.grants(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	var err error
	switch r.PathValue("action") {
	case "revoke":
		err = svc.RevokeGrant(r.Context(), r.PathValue("id"))
	case "withdraw-consent":
		if err = confirmed(r); err == nil {
			_, err = svc.WithdrawConsent(r.Context(), r.PathValue("id"))
		}
	default:
		err = errNoRoute
	}
	if err != nil {
		s.showAnswerConflict(w, r, err)
		return
	}
	http.Redirect(w, r, backTo(r, "/cases"), http.StatusSeeOther)
}
