package http

import (
	"bytes"
	"io"
	"net/http"
	"strings"

	"github.com/flare-ilo/flare"
)

// partnerReport is the body of POST /api/v1/reports: what a partner
// organisation took down by phone or in person.
type partnerReport struct {
	Text         string   `json:"text"`
	Country      string   `json:"country"`
	Region       string   `json:"region"`
	Town         string   `json:"town"`
	Workplace    string   `json:"workplace"`
	Sector       string   `json:"sector"`
	People       int      `json:"people"`
	Danger       bool     `json:"danger"`
	Signs        []string `json:"signs"`
	Relationship string   `json:"relationship"`
	Contact      string   `json:"contact"`
	Lang         string   `json:"lang"`
}

// partnerReceipt is the answer: the receipt code to give the reporter, so
// they can follow up on the portal themselves.
type partnerReceipt struct {
	Receipt string             `json:"receipt"`
	Status  flare.ReportStatus `json:"status"`
	Channel string             `json:"channel"`
}

// decodePartnerReport reads and checks the JSON body of a partner report.
func decodePartnerReport(body io.Reader) (*flare.Report, error) {
	var p partnerReport
	if err := decodeJSONBody(body, &p); err != nil {
		return nil, err
	}
	r := &flare.Report{Text: p.Text, Country: p.Country, Region: p.Region, Town: p.Town, Workplace: p.Workplace,
		Sector: p.Sector, People: p.People, Danger: p.Danger, Signs: p.Signs, Relationship: p.Relationship,
		Contact: p.Contact, Lang: p.Lang, Channel: flare.ChannelPartner}
	if len(r.Lang) > 16 {
		return nil, flare.FieldError("lang", "is not a language tag")
	}
	return r, r.Validate()
}

// handleAPIPartnerReport takes a report from a partner organisation,
// authenticated by its API key (Authorization: Bearer KEY). It enters the
// same queue as the portal's, marked with its channel and partner. An
// Idempotency-Key header makes a retry return the first receipt.
func (s *Server) handleAPIPartnerReport(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Reports == nil {
		s.writeError(w, r, errNoRoute)
		return
	}
	key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || key == "" || len(key) > 200 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="flare-partners"`)
		s.writeError(w, r, flare.Errorf(flare.EUNAUTHORIZED, "send the partner API key as Authorization: Bearer KEY"))
		return
	}
	partner, err := s.cfg.Reports.PartnerByKey(r.Context(), key)
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="flare-partners"`)
		s.writeError(w, r, err)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		s.writeError(w, r, flare.Errorf(flare.EINVALID, "send the body as application/json"))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBytes))
	if err != nil {
		s.writeError(w, r, jsonError(err))
		return
	}
	rep, err := decodePartnerReport(bytes.NewReader(body))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rep.PartnerID = partner.ID
	token := ""
	if k := r.Header.Get("Idempotency-Key"); k != "" {
		if len(k) > 200 {
			s.writeError(w, r, flare.Errorf(flare.EINVALID, "the Idempotency-Key is longer than 200 characters"))
			return
		}
		token = "partner:" + partner.ID + ":" + k
	}
	code, err := s.cfg.Reports.SubmitReport(r.Context(), flare.NewReport{Report: rep, Token: token})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, partnerReceipt{Receipt: flare.FormatReceipt(code), Status: flare.ReportReceived, Channel: string(flare.ChannelPartner)})
}
