package http

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/flare-ilo/flare"
)

// JustificationHeader carries the reason police or prosecution give for
// reading a victim's identity (issue #3, audit trail). The query parameter
// "justification" does the same for pages and simple clients; the header
// keeps the reason out of URLs and browser history, so prefer it.
const JustificationHeader = "Flare-Justification"

// maxJustification bounds the reason (audit.MaxJustificationLength).
const maxJustification = 1000

// withJustification puts the reason the request gives, if any, into its
// context for the person service to check and record.
func withJustification(r *http.Request) *http.Request {
	why := r.Header.Get(JustificationHeader)
	if why == "" {
		why = r.URL.Query().Get("justification")
	}
	if why == "" {
		return r
	}
	if len([]rune(why)) > maxJustification {
		why = string([]rune(why)[:maxJustification])
	}
	return r.WithContext(flare.WithJustification(r.Context(), why))
}

// personListResponse is the body of GET /api/v1/cases/{id}/persons and of
// GET /api/v1/persons?name=.
type personListResponse struct {
	Persons []*flare.Person `json:"persons"`
}

func (s *Server) persons(w http.ResponseWriter, r *http.Request) (flare.PersonService, bool) {
	if s.cfg.Persons == nil {
		s.writeError(w, r, errNoRoute)
		return nil, false
	}
	return s.cfg.Persons, true
}

func (s *Server) handleAPICasePersons(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.persons(w, r)
	if !ok {
		return
	}
	r = withJustification(r)
	list, err := svc.CasePersons(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if list == nil {
		list = []*flare.Person{}
	}
	writeJSON(w, http.StatusOK, personListResponse{Persons: list})
}

// handleAPIFindPersons searches people by name through the blind index.
func (s *Server) handleAPIFindPersons(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.persons(w, r)
	if !ok {
		return
	}
	r = withJustification(r)
	list, err := svc.FindPersons(r.Context(), r.URL.Query().Get("name"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if list == nil {
		list = []*flare.Person{}
	}
	writeJSON(w, http.StatusOK, personListResponse{Persons: list})
}

func (s *Server) handleAPIPerson(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.persons(w, r)
	if !ok {
		return
	}
	r = withJustification(r)
	p, err := svc.Person(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(p.Version))
	writeJSON(w, http.StatusOK, p)
}

// readOnlyPersonFields are keys of a person's JSON a client may not set.
var readOnlyPersonFields = map[string]bool{"id": true, "case_id": true, "version": true, "created_at": true,
	"updated_at": true, "identity_withheld": true}

// handleAPICreatePerson adds a person to a case. The body is a person as
// GET returns it, without the read-only keys; dates may be "YYYY-MM-DD".
func (s *Server) handleAPICreatePerson(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.persons(w, r)
	if !ok {
		return
	}
	fields, err := decodePersonFields(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var p flare.Person
	for k, v := range fields {
		if readOnlyPersonFields[k] {
			s.writeError(w, r, flare.FieldError(k, "is set by the server"))
			return
		}
		if err := unmarshalPersonField(&p, k, v); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	p.CaseID = r.PathValue("id")
	if err := svc.CreatePerson(withJustification(r).Context(), &p); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/persons/"+p.ID)
	w.Header().Set("ETag", etag(p.Version))
	writeJSON(w, http.StatusCreated, p)
}

// unmarshalPersonField decodes one key of a person body into p.
func unmarshalPersonField(p *flare.Person, key string, raw json.RawMessage) error {
	var dst any
	ident := func() *flare.PersonIdentity {
		if p.PersonIdentity == nil {
			p.PersonIdentity = &flare.PersonIdentity{}
		}
		return p.PersonIdentity
	}
	switch key {
	case "role":
		dst = &p.Role
	case "first_name":
		dst = &ident().FirstName
	case "middle_name":
		dst = &ident().MiddleName
	case "second_name":
		dst = &ident().SecondName
	case "birthdate":
		dst = &ident().Birthdate
	case "contact":
		dst = &ident().Contact
	case "identity_documents":
		dst = &ident().IdentityDocuments
	case "gender":
		dst = &p.Gender
	case "age_years":
		dst = &p.AgeYears
	case "age_estimated":
		dst = &p.AgeEstimated
	case "citizenship":
		dst = &p.Citizenship
	case "primary_language":
		dst = &p.PrimaryLanguage
	case "secondary_language":
		dst = &p.SecondaryLanguage
	case "victim_status":
		dst = &p.VictimStatus
	default:
		return flare.FieldError(key, "is not a known field")
	}
	return decodeField(key, raw, dst)
}

// decodeField decodes one value strictly, naming key in any error.
func decodeField(key string, raw json.RawMessage, dst any) error {
	if err := decodeJSONBody(strings.NewReader(string(raw)), dst); err != nil {
		if fe, ok := err.(*flare.Error); ok && len(fe.Fields) > 0 {
			for f := range fe.Fields {
				return flare.FieldError(key+"."+f, "is not valid here: %s", fe.Fields[f])
			}
		}
		return flare.FieldError(key, "is not valid: %s", flare.ErrorMessageOf(err))
	}
	return nil
}

// decodePersonFields reads a JSON object into its keys, after turning every
// "YYYY-MM-DD" date into the RFC 3339 form the domain types read.
func decodePersonFields(w http.ResponseWriter, r *http.Request) (map[string]json.RawMessage, error) {
	var raw any
	if err := decodeJSON(w, r, &raw); err != nil {
		return nil, err
	}
	obj, ok := raw.(map[string]any)
	if !ok {
		return nil, flare.Errorf(flare.EINVALID, "the body must be a JSON object")
	}
	expandDates(obj)
	out := make(map[string]json.RawMessage, len(obj))
	for k, v := range obj {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, flare.FieldError(k, "is not valid JSON")
		}
		out[k] = b
	}
	return out, nil
}

var dateOnly = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// dateKeys are the keys of a person body that hold dates.
var dateKeys = map[string]bool{"birthdate": true, "expires_on": true, "decided_on": true}

// expandDates rewrites "YYYY-MM-DD" values of date keys, at any depth, to
// midnight UTC in RFC 3339.
func expandDates(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if s, ok := val.(string); ok && dateKeys[k] && dateOnly.MatchString(s) {
				if _, err := time.Parse(time.DateOnly, s); err == nil {
					x[k] = s + "T00:00:00Z"
				}
				continue
			}
			expandDates(val)
		}
	case []any:
		for _, val := range x {
			expandDates(val)
		}
	}
}

// personUpdateFrom turns the keys of a PATCH body into an update; null
// clears birthdate, age_years and victim_status.
func personUpdateFrom(version int64, fields map[string]json.RawMessage) (flare.PersonUpdate, error) {
	upd := flare.PersonUpdate{Version: version}
	for k, raw := range fields {
		if readOnlyPersonFields[k] {
			return upd, flare.FieldError(k, "cannot be changed")
		}
		var err error
		switch k {
		case "role":
			upd.Role, err = decodeInto[flare.PersonRole](k, raw)
		case "first_name":
			upd.FirstName, err = decodeInto[string](k, raw)
		case "middle_name":
			upd.MiddleName, err = decodeInto[string](k, raw)
		case "second_name":
			upd.SecondName, err = decodeInto[string](k, raw)
		case "birthdate":
			upd.Birthdate, err = decodeInto[*time.Time](k, raw)
		case "contact":
			upd.Contact, err = decodeInto[flare.PersonContact](k, raw)
		case "identity_documents":
			upd.IdentityDocuments, err = decodeInto[[]flare.IdentityDocument](k, raw)
		case "gender":
			upd.Gender, err = decodeInto[flare.Gender](k, raw)
		case "age_years":
			upd.AgeYears, err = decodeInto[*int](k, raw)
		case "age_estimated":
			upd.AgeEstimated, err = decodeInto[bool](k, raw)
		case "citizenship":
			upd.Citizenship, err = decodeInto[[]string](k, raw)
		case "primary_language":
			upd.PrimaryLanguage, err = decodeInto[string](k, raw)
		case "secondary_language":
			upd.SecondaryLanguage, err = decodeInto[string](k, raw)
		case "victim_status":
			upd.VictimStatus, err = decodeInto[*flare.VictimStatus](k, raw)
		default:
			err = flare.FieldError(k, "is not a known field")
		}
		if err != nil {
			return upd, err
		}
	}
	return upd, nil
}

func decodeInto[T any](key string, raw json.RawMessage) (*T, error) {
	v := new(T)
	if err := decodeField(key, raw, v); err != nil {
		return nil, err
	}
	return v, nil
}

// handleAPIUpdatePerson changes a person. As for cases, If-Match is
// required (428 without, 412 when stale; R-CC1); a field of a group the
// user may not write is refused with 403 and nothing changes (R-AZ2).
func (s *Server) handleAPIUpdatePerson(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.persons(w, r)
	if !ok {
		return
	}
	match := r.Header.Get("If-Match")
	if match == "" {
		s.writeErrorStatus(w, r, http.StatusPreconditionRequired,
			flare.Errorf(flare.EINVALID, "send If-Match with the ETag of the person as you read it"))
		return
	}
	version, ok := parseETag(match)
	if !ok {
		s.writeError(w, r, flare.Errorf(flare.EINVALID, "If-Match must be an ETag from this API, like \"v3\""))
		return
	}
	fields, err := decodePersonFields(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	upd, err := personUpdateFrom(version, fields)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	r = withJustification(r)
	p, err := svc.UpdatePerson(r.Context(), r.PathValue("id"), upd)
	if err != nil {
		if fv, stale := fieldOf(err, "version"); stale && fv == "stale" {
			s.writeErrorStatus(w, r, http.StatusPreconditionFailed, err)
			return
		}
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(p.Version))
	writeJSON(w, http.StatusOK, p)
}

// handleAPIExportPerson answers a subject access request (R-DP2): every
// field held on the person, the grants covering them and an audit summary.
// Only a supervisor of the owning agency may.
func (s *Server) handleAPIExportPerson(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.persons(w, r)
	if !ok {
		return
	}
	r = withJustification(r)
	x, err := svc.ExportPerson(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="person-`+x.Person.ID+`.json"`)
	writeJSON(w, http.StatusOK, x)
}
