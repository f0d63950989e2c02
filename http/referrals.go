package http

import (
	"net/http"

	"github.com/flare-ilo/flare"
)

// Referrals between agencies (issue #6): the JSON API. The pages are in
// referral_pages.go; both go through the same services.

func (s *Server) referrals(w http.ResponseWriter, r *http.Request) (flare.ReferralService, bool) {
	if s.cfg.Referrals == nil {
		s.writeError(w, r, errNoRoute)
		return nil, false
	}
	return s.cfg.Referrals, true
}

// referralRequest is the body of POST /api/v1/cases/{id}/referrals.
type referralRequest struct {
	ToAgencyID string `json:"to_agency_id"`
	Purpose    string `json:"purpose"`
	Urgent     bool   `json:"urgent"`
	DueOn      string `json:"due_on"`
	Sharing    struct {
		Access             flare.GrantAccess  `json:"access"`
		PersonIDs          []string           `json:"person_ids"`
		FieldGroups        []flare.FieldGroup `json:"field_groups"`
		Basis              flare.LegalBasis   `json:"legal_basis"`
		Reference          string             `json:"reference"`
		ConsentGivenOn     string             `json:"consent_given_on"`
		ConsentLanguage    string             `json:"consent_language"`
		ConsentInterpreter string             `json:"consent_interpreter"`
		ConsentPersonID    string             `json:"consent_person_id"`
		ConsentScope       string             `json:"consent_scope"`
		ExpiresOn          string             `json:"expires_on"`
	} `json:"sharing"`
}

func (s *Server) handleAPISendReferral(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.referrals(w, r)
	if !ok {
		return
	}
	var req referralRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	ref := &flare.Referral{CaseID: r.PathValue("id"), ToAgencyID: req.ToAgencyID, Purpose: req.Purpose, Urgent: req.Urgent,
		Grant: flare.CaseGrant{Access: req.Sharing.Access, PersonIDs: req.Sharing.PersonIDs, FieldGroups: req.Sharing.FieldGroups,
			Basis: req.Sharing.Basis, Reference: req.Sharing.Reference, ConsentScope: req.Sharing.ConsentScope,
			ConsentLanguage: req.Sharing.ConsentLanguage, ConsentInterpreter: req.Sharing.ConsentInterpreter,
			ConsentPersonID: req.Sharing.ConsentPersonID}}
	var err error
	if ref.DueOn, err = formDay("due_on", req.DueOn); err == nil {
		if ref.Grant.ConsentGivenOn, err = formDate("sharing.consent_given_on", req.Sharing.ConsentGivenOn); err == nil {
			ref.Grant.ExpiresOn, err = formDate("sharing.expires_on", req.Sharing.ExpiresOn)
		}
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := svc.SendReferral(r.Context(), ref); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, ref)
}

func (s *Server) handleAPIReferrals(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.referrals(w, r)
	if !ok {
		return
	}
	var list []*flare.Referral
	var err error
	if caseID := r.PathValue("id"); caseID != "" {
		list, err = svc.CaseReferrals(r.Context(), caseID)
	} else {
		list, err = svc.Referrals(r.Context())
	}
	writeList(s, w, r, "referrals", list, err)
}

// referralAnswer is the body of POST /api/v1/referrals/{id}/decline.
type referralAnswer struct {
	Reason string `json:"reason"`
}

func (s *Server) handleAPIAnswerReferral(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.referrals(w, r)
	if !ok {
		return
	}
	var (
		ref *flare.Referral
		err error
	)
	switch r.PathValue("action") {
	case "accept":
		ref, err = svc.AcceptReferral(r.Context(), r.PathValue("id"))
	case "decline":
		var req referralAnswer
		if err := decodeJSON(w, r, &req); err != nil {
			s.writeError(w, r, err)
			return
		}
		ref, err = svc.DeclineReferral(r.Context(), r.PathValue("id"), req.Reason)
	case "withdraw-consent":
		ref, err = svc.WithdrawConsent(r.Context(), r.PathValue("id"))
	default:
		err = errNoRoute
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ref)
}

func (s *Server) grants(w http.ResponseWriter, r *http.Request) (flare.GrantService, bool) {
	if s.cfg.Grants == nil {
		s.writeError(w, r, errNoRoute)
		return nil, false
	}
	return s.cfg.Grants, true
}

// handleAPICaseGrants lists who a case is shared with, for those who may
// share it.
func (s *Server) handleAPICaseGrants(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.grants(w, r)
	if !ok {
		return
	}
	list, err := svc.CaseGrants(r.Context(), r.PathValue("id"))
	writeList(s, w, r, "grants", list, err)
}

// handleAPIGrantAction revokes a grant or records the withdrawal of the
// consent it rests on.
func (s *Server) handleAPIGrantAction(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.grants(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	switch r.PathValue("action") {
	case "revoke":
		if err := svc.RevokeGrant(r.Context(), id); err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": id, "revoked": true})
	case "withdraw-consent":
		g, err := svc.WithdrawConsent(r.Context(), id)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, g)
	default:
		s.writeError(w, r, errNoRoute)
	}
}
