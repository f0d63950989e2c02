package http

import (
	"net/http"
	"time"

	"github.com/flare-ilo/flare"
)

// Referrals between agencies (issue #6, the core): the JSON API. Pages
// come with the rest of the issue.

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
		Access         flare.GrantAccess  `json:"access"`
		PersonIDs      []string           `json:"person_ids"`
		FieldGroups    []flare.FieldGroup `json:"field_groups"`
		Basis          flare.LegalBasis   `json:"legal_basis"`
		Reference      string             `json:"reference"`
		ConsentGivenOn string             `json:"consent_given_on"`
		ConsentScope   string             `json:"consent_scope"`
		ExpiresOn      string             `json:"expires_on"`
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
			Basis: req.Sharing.Basis, Reference: req.Sharing.Reference, ConsentScope: req.Sharing.ConsentScope}}
	dates := []struct {
		field, value string
		to           func(time.Time)
	}{
		{"due_on", req.DueOn, func(t time.Time) { ref.DueOn = t }},
		{"sharing.consent_given_on", req.Sharing.ConsentGivenOn, func(t time.Time) { ref.Grant.ConsentGivenOn = &t }},
		{"sharing.expires_on", req.Sharing.ExpiresOn, func(t time.Time) { ref.Grant.ExpiresOn = &t }},
	}
	for _, d := range dates {
		if d.value == "" {
			continue
		}
		t, err := parseDate(d.field, d.value)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		d.to(t)
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
	list, err := svc.Referrals(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if list == nil {
		list = []*flare.Referral{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"referrals": list})
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
	default:
		err = errNoRoute
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ref)
}
