package http

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/html"
	"github.com/flare-ilo/flare/screening"
)

// The screening interview (issue #7): an inspector or caseworker asks the
// rule set's plain questions, the engine screens the answers, and the
// assessment is stored on the person with its explanation.

func (s *Server) assessments(w http.ResponseWriter, r *http.Request) (flare.AssessmentService, bool) {
	if s.cfg.Assessments == nil || s.cfg.Persons == nil {
		s.writeError(w, r, errNoRoute)
		return nil, false
	}
	return s.cfg.Assessments, true
}

// assessmentRequest is the body of POST /api/v1/persons/{id}/assessments:
// the screening input document of docs/screening.md under "input".
type assessmentRequest struct {
	Rule        string          `json:"rule"`
	Interpreter string          `json:"interpreter"`
	Input       json.RawMessage `json:"input"`
}

func (s *Server) handleAPIScreen(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.assessments(w, r)
	if !ok {
		return
	}
	var req assessmentRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if len(req.Input) == 0 {
		s.writeError(w, r, flare.FieldError("input", "is required: the screening input document"))
		return
	}
	in, err := screening.DecodeInput(req.Input)
	if err != nil {
		var ie *screening.InputError
		if errors.As(err, &ie) {
			err = flare.FieldError("input."+ie.Field, "%s", ie.Message)
		}
		s.writeError(w, r, err)
		return
	}
	a := &flare.Assessment{PersonID: r.PathValue("id"), Rule: req.Rule, Interpreter: req.Interpreter, Input: in}
	if err := svc.Screen(r.Context(), a); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/assessments/"+a.ID)
	writeJSON(w, http.StatusCreated, a)
}

func (s *Server) handleAPIAssessment(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.assessments(w, r)
	if !ok {
		return
	}
	a, err := svc.Assessment(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

func (s *Server) handleAPIPersonAssessments(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.assessments(w, r)
	if !ok {
		return
	}
	list, err := svc.PersonAssessments(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if list == nil {
		list = []*flare.Assessment{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"assessments": list})
}

// screeningForm builds the interview page of a person from the rule set's
// questions, with the answers of a refused submission if any.
func (s *Server) screeningForm(r *http.Request, p *flare.Person, form map[string][]string) html.ScreeningFormView {
	rules, _ := screening.Rules(screening.LatestVersion)
	get := func(name, def string) string {
		if v := form[name]; len(v) > 0 {
			return v[0]
		}
		if form != nil {
			return ""
		}
		return def
	}
	today := flare.DateOf(time.Now()).Format(time.DateOnly)
	view := html.ScreeningFormView{Page: s.cfg.Renderer.NewPage(r, "screening.title"), PersonID: p.ID, CaseID: p.CaseID,
		PersonLabel: personLabel(s, r, p), Today: today,
		PeriodStart: get("period_start", ""), PeriodEnd: get("period_end", ""), Age: get("age", ageOf(p)),
		Interpreter: get("interpreter", ""), MayBeMinor: get("may_be_minor", "") == "1",
		ParentInForcedLabour: get("parent_in_forced_labour", "") == "1"}
	for _, r := range screening.Roles() {
		view.Roles = append(view.Roles, string(r))
	}
	for _, st := range screening.Stages() {
		view.Stages = append(view.Stages, string(st))
	}
	for _, m := range screening.Modes() {
		view.Modes = append(view.Modes, string(m))
	}
	for _, e := range screening.EvidenceKinds() {
		view.EvidenceKinds = append(view.EvidenceKinds, string(e))
	}
	checked := func(name, value string) bool {
		for _, v := range form[name] {
			if v == value {
				return true
			}
		}
		return false
	}
	for n, q := range rules.Questions() {
		prefix := "q" + strconv.Itoa(n)
		switch q.Field {
		case screening.FieldObservations:
			view.Signs = append(view.Signs, html.ScreeningQuestion{N: n, Key: q.Key,
				Coercion: questionElement(q).Kind() == screening.Coercion, Yes: get(prefix, "") == "1",
				Episode: get(prefix+"_episode", "job1"), On: get(prefix+"_on", today),
				Perpetrator: get(prefix+"_perpetrator", string(screening.RoleEmployer)),
				Stage:       get(prefix+"_stage", string(screening.StageEmployment)),
				Mode:        get(prefix+"_mode", string(screening.ModeExperienced)),
				Evidence:    get(prefix+"_evidence", string(screening.EvidenceStatement)), Ref: get(prefix+"_ref", "")})
		case screening.FieldWorstForms:
			view.WorstForms = append(view.WorstForms, html.ScreeningFlag{Name: "worst_form", Value: q.Value, Key: q.Key, Checked: checked("worst_form", q.Value)})
		case screening.FieldTraffickingActs:
			view.Acts = append(view.Acts, html.ScreeningFlag{Name: "act", Value: q.Value, Key: q.Key, Checked: checked("act", q.Value)})
		case screening.FieldTraffickingMeans:
			view.Means = append(view.Means, html.ScreeningFlag{Name: "means", Value: q.Value, Key: q.Key, Checked: checked("means", q.Value)})
		case screening.FieldTraffickingPurposes:
			view.Purposes = append(view.Purposes, html.ScreeningFlag{Name: "purpose", Value: q.Value, Key: q.Key, Checked: checked("purpose", q.Value)})
		}
	}
	return view
}

// questionElement is the element a sign question records.
func questionElement(q screening.Question) screening.Element {
	if q.Element != "" {
		return q.Element
	}
	return screening.Observation{Indicator: q.Indicator}.RecordedElement()
}

func ageOf(p *flare.Person) string {
	if p.AgeYears == nil {
		return ""
	}
	return strconv.Itoa(*p.AgeYears)
}

// personLabel names a person on a page: their name when the user may see
// it, else their role in the case.
func personLabel(s *Server, r *http.Request, p *flare.Person) string {
	if p.PersonIdentity != nil {
		if n := p.PersonIdentity.FullName(); n != "" {
			return n
		}
	}
	cat := s.cfg.Renderer.Catalog()
	return cat.T(cat.Choose(r).Code, "person.role."+string(p.Role))
}

func (s *Server) handleScreeningForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.assessments(w, r); !ok {
		return
	}
	p, err := s.cfg.Persons.Person(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "screening_form", s.screeningForm(r, p, nil))
}

// handleScreen screens the interview's answers and stores the assessment;
// an answer the engine refuses brings the form back with every answer kept
// and the question at fault named.
func (s *Server) handleScreen(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.assessments(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes*4)
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, flare.Errorf(flare.EINVALID, "the form could not be read"))
		return
	}
	p, err := s.cfg.Persons.Person(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	in, asked, err := screeningInput(r.PostForm)
	a := &flare.Assessment{PersonID: p.ID, Input: in, Interpreter: r.PostFormValue("interpreter")}
	if err == nil {
		err = svc.Screen(r.Context(), a)
	}
	if err != nil {
		if flare.ErrorCodeOf(err) != flare.EINVALID {
			s.writeError(w, r, err)
			return
		}
		view := s.screeningForm(r, p, r.PostForm)
		view.ErrorMessage, view.ErrorQuestion = flare.ErrorMessageOf(err), askedAt(err, asked)
		s.render(w, r, http.StatusBadRequest, "screening_form", view)
		return
	}
	http.Redirect(w, r, "/assessments/"+a.ID, http.StatusSeeOther)
}

// screeningInput reads the interview form into the engine's input; asked
// lists, for each observation, the catalogue key of its question.
func screeningInput(form map[string][]string) (screening.Input, []string, error) {
	get := func(name string) string {
		if v := form[name]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	var in screening.Input
	var asked []string
	if start, end := get("period_start"), get("period_end"); start != "" || end != "" {
		var p screening.Period
		var err error
		if p.Start, err = screening.ParseDate(start); err != nil {
			return in, nil, flare.FieldError("reference_period.start", "must be a date YYYY-MM-DD")
		}
		if p.End, err = screening.ParseDate(end); err != nil {
			return in, nil, flare.FieldError("reference_period.end", "must be a date YYYY-MM-DD")
		}
		in.Period = &p
	}
	if v := get("age"); v != "" {
		age, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return in, nil, flare.FieldError("age", "must be a number of years")
		}
		in.Age = &age
	}
	in.MayBeMinor = get("may_be_minor") == "1"
	in.ParentInForcedLabour = get("parent_in_forced_labour") == "1"
	rules, _ := screening.Rules(screening.LatestVersion)
	for n, q := range rules.Questions() {
		prefix := "q" + strconv.Itoa(n)
		if q.Field != screening.FieldObservations || get(prefix) != "1" {
			continue
		}
		o := screening.Observation{Episode: get(prefix + "_episode"), Element: q.Element, Indicator: q.Indicator,
			Perpetrator: screening.Role(get(prefix + "_perpetrator")), Stage: screening.Stage(get(prefix + "_stage"))}
		if questionElement(q).Kind() == screening.Coercion {
			o.Mode = screening.Mode(get(prefix + "_mode"))
		}
		on, err := screening.ParseDate(get(prefix + "_on"))
		if err != nil {
			return in, append(asked, q.Key), flare.FieldError(fmt.Sprintf("observations[%d].on", len(asked)), "must be a date YYYY-MM-DD")
		}
		o.On = on
		if kind := get(prefix + "_evidence"); kind != "" {
			o.Evidence = &screening.Evidence{Kind: screening.EvidenceKind(kind), Ref: get(prefix + "_ref")}
		}
		in.Observations = append(in.Observations, o)
		asked = append(asked, q.Key)
	}
	for _, v := range form["worst_form"] {
		switch screening.WorstForm(v) {
		case screening.WorstFormSlavery:
			in.WorstForms.Slavery = true
		case screening.WorstFormCommercialSexualExploitation:
			in.WorstForms.CommercialSexualExploitation = true
		case screening.WorstFormIllicitActivities:
			in.WorstForms.IllicitActivities = true
		}
	}
	for _, v := range form["act"] {
		in.Trafficking.Acts = append(in.Trafficking.Acts, screening.Act(v))
	}
	for _, v := range form["means"] {
		in.Trafficking.Means = append(in.Trafficking.Means, screening.Means(v))
	}
	for _, v := range form["purpose"] {
		in.Trafficking.Purposes = append(in.Trafficking.Purposes, screening.Purpose(v))
	}
	return in, asked, nil
}

var observationField = regexp.MustCompile(`^observations\[(\d+)\]`)

// askedAt returns the question an error about observations[k] belongs to.
func askedAt(err error, asked []string) string {
	var fe *flare.Error
	if !errors.As(err, &fe) {
		return ""
	}
	for field := range fe.Fields {
		if m := observationField.FindStringSubmatch(field); m != nil {
			if k, _ := strconv.Atoi(m[1]); k < len(asked) {
				return asked[k]
			}
		}
	}
	return ""
}

// handleAssessmentPage shows a result with its explanation in the page's
// language, and offers to record the presumption it supports.
func (s *Server) handleAssessmentPage(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.assessments(w, r)
	if !ok {
		return
	}
	a, err := svc.Assessment(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	me, _ := userFrom(r.Context())
	view := html.AssessmentView{Page: s.cfg.Renderer.NewPage(r, "screening.result"), Assessment: a, AssessedByMe: a.AssessedBy == me.ID}
	cat := s.screeningCatalogue(view.Lang.Code)
	for _, m := range a.Result.Explanation {
		view.Explanation = append(view.Explanation, cat.Render(m))
	}
	for _, ep := range a.Result.Episodes {
		line := html.AssessmentEpisode{Episode: ep.Episode, Result: string(ep.Result)}
		for _, el := range ep.Elements {
			line.Elements = append(line.Elements, cat.Render(screening.Message{Key: "screening.element." + string(el)}))
		}
		view.Episodes = append(view.Episodes, line)
	}
	if a.Result.Result == screening.Met {
		if p, err := s.cfg.Persons.Person(r.Context(), a.PersonID); err == nil {
			st := p.VictimStatus
			view.CanPresume = st == nil || (st.Presumed == nil && st.Identified == nil)
			view.PersonVersion = p.Version
		}
	}
	s.render(w, r, http.StatusOK, "assessment", view)
}

// screeningCatalogue is the engine's catalogue in lang, from the staff
// catalogues, English where a text is missing.
func (s *Server) screeningCatalogue(lang string) screening.Catalogue {
	cat := s.cfg.Renderer.Catalog()
	out := screening.Catalogue{}
	for k, en := range screening.English() {
		if t := cat.T(lang, k); t != k {
			out[k] = t
		} else {
			out[k] = en
		}
	}
	return out
}

// handlePresume records the person as a presumed victim on the strength of
// a met screening (issue #7: "a met result can move the person's victim
// status to presumed"), dated today and decided by the user's agency. The
// person's version guards against overwriting a change made meanwhile.
func (s *Server) handlePresume(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.assessments(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	a, err := svc.Assessment(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if a.Result.Result != screening.Met {
		s.writeError(w, r, flare.Errorf(flare.ECONFLICT, "only a met screening supports a presumption"))
		return
	}
	version, err := strconv.ParseInt(r.PostFormValue("person_version"), 10, 64)
	if err != nil {
		s.writeError(w, r, flare.FieldError("person_version", "is missing: reload the page"))
		return
	}
	p, err := s.cfg.Persons.Person(r.Context(), a.PersonID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	me, _ := userFrom(r.Context())
	status := flare.VictimStatus{}
	if p.VictimStatus != nil {
		status = *p.VictimStatus
	}
	status.Presumed = &flare.StatusDecision{DecidedOn: flare.DateOf(time.Now()), DecidedBy: s.decisionMaker(r, me.AgencyID), AgencyID: me.AgencyID}
	ps := &status
	if _, err := s.cfg.Persons.UpdatePerson(r.Context(), p.ID, flare.PersonUpdate{Version: version, VictimStatus: &ps}); err != nil {
		if fv, _ := fieldOf(err, "version"); fv == "stale" {
			s.writeErrorStatus(w, r, http.StatusConflict, flare.Errorf(flare.ECONFLICT, "the person's record changed since you opened this page: reload it and try again"))
			return
		}
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/persons/"+p.ID, http.StatusSeeOther)
}

// decisionMaker is the HTCDS kind of body the user's agency is.
func (s *Server) decisionMaker(r *http.Request, agencyID string) flare.DecisionMaker {
	if s.cfg.Agencies == nil {
		return flare.DecidedByOther
	}
	a, err := s.cfg.Agencies.Agency(r.Context(), agencyID)
	if err != nil {
		return flare.DecidedByOther
	}
	switch a.Kind {
	case flare.AgencyPolice:
		return flare.DecidedByPolice
	case flare.AgencyProsecution, flare.AgencyJudiciary:
		return flare.DecidedByCourtOrProsecution
	case flare.AgencyNGO, flare.AgencyTradeUnion:
		return flare.DecidedByNGO
	case flare.AgencyEmployersOrganisation:
		return flare.DecidedByOther
	}
	return flare.DecidedByOtherGovernment
}
