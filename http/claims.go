package http

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/html"
	"github.com/flare-ilo/flare/wages"
)

// Wage claims and the fund's ledger (issue #8): the JSON API and the pages
// share the claim service.

func (s *Server) claims(w http.ResponseWriter, r *http.Request) (flare.ClaimService, bool) {
	if s.cfg.Claims == nil || s.cfg.Persons == nil {
		s.writeError(w, r, errNoRoute)
		return nil, false
	}
	return s.cfg.Claims, true
}

// claimRequest is the body of POST /api/v1/persons/{id}/claims: the claim
// document of `flare wages` and who it is made against.
type claimRequest struct {
	Claim     json.RawMessage       `json:"claim"`
	Offenders []flare.ClaimOffender `json:"offenders"`
}

func (s *Server) handleAPICreateClaim(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.claims(w, r)
	if !ok {
		return
	}
	var req claimRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if len(req.Claim) == 0 {
		s.writeError(w, r, flare.FieldError("claim", "is required: the claim document of docs/wages.md"))
		return
	}
	c := &flare.WageClaim{PersonID: r.PathValue("id"), Document: req.Claim, Offenders: req.Offenders}
	if err := svc.CreateClaim(r.Context(), c); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/claims/"+c.ID)
	writeJSON(w, http.StatusCreated, c)
}

func (s *Server) handleAPIPersonClaims(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.claims(w, r)
	if !ok {
		return
	}
	list, err := svc.PersonClaims(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if list == nil {
		list = []*flare.WageClaim{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"claims": list})
}

// claimResponse is the body of GET /api/v1/claims/{id}.
type claimResponse struct {
	Claim   *flare.WageClaim     `json:"claim"`
	Ledger  []*flare.LedgerEntry `json:"ledger"`
	Balance flare.ClaimBalance   `json:"balance"`
}

func (s *Server) handleAPIClaim(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.claims(w, r)
	if !ok {
		return
	}
	c, ledger, bal, err := svc.Claim(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if ledger == nil {
		ledger = []*flare.LedgerEntry{}
	}
	writeJSON(w, http.StatusOK, claimResponse{Claim: c, Ledger: ledger, Balance: bal})
}

// ledgerRequest is the body of POST /api/v1/claims/{id}/ledger.
type ledgerRequest struct {
	Kind      flare.LedgerKind `json:"kind"`
	Amount    string           `json:"amount"`
	DecidedOn string           `json:"decided_on"`
	Basis     flare.AwardBasis `json:"basis"`
	Reference string           `json:"reference"`
}

func (s *Server) handleAPILedgerEntry(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.claims(w, r)
	if !ok {
		return
	}
	var req ledgerRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	e, err := ledgerEntry(r.PathValue("id"), req)
	if err == nil {
		err = svc.AddLedgerEntry(r.Context(), e)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, e)
}

func ledgerEntry(claimID string, req ledgerRequest) (*flare.LedgerEntry, error) {
	e := &flare.LedgerEntry{ClaimID: claimID, Kind: req.Kind, AmountText: req.Amount, Basis: req.Basis, Reference: req.Reference}
	if req.DecidedOn != "" {
		d, err := parseDate("decided_on", req.DecidedOn)
		if err != nil {
			return nil, err
		}
		e.DecidedOn = d
	}
	return e, nil
}

func (s *Server) handleAPIFund(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.claims(w, r)
	if !ok {
		return
	}
	totals, err := svc.FundTotals(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if totals == nil {
		totals = []flare.FundTotals{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"totals": totals})
}

// maxClaimForm bounds the claim form: periods pasted or uploaded as CSV.
const maxClaimForm = 1 << 20

func (s *Server) handleClaimForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.claims(w, r); !ok {
		return
	}
	view, err := s.claimFormView(r, r.PathValue("id"), html.ClaimForm{NormalHours: "48", OvertimePremium: "0.5",
		InterestRate: "0", AsOf: flare.DateOf(time.Now()).Format(time.DateOnly)})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "claim_form", view)
}

// claimFormView loads the worker and the offenders the claim may name.
func (s *Server) claimFormView(r *http.Request, personID string, form html.ClaimForm) (html.ClaimFormView, error) {
	p, err := s.cfg.Persons.Person(r.Context(), personID)
	if err != nil {
		return html.ClaimFormView{}, err
	}
	view := html.ClaimFormView{Page: s.cfg.Renderer.NewPage(r, "claim.title"), PersonID: p.ID, PersonLabel: personLabel(s, r, p), Form: form}
	people, err := s.cfg.Persons.CasePersons(r.Context(), p.CaseID)
	if err != nil {
		return view, err
	}
	for _, o := range people {
		if o.ID != p.ID && o.Role == flare.RoleSuspectedPerpetrator {
			view.Offenders = append(view.Offenders, html.ClaimOffenderChoice{Value: "person:" + o.ID, Label: personLabel(s, r, o)})
		}
	}
	if s.cfg.Organisations != nil {
		orgs, err := s.cfg.Organisations.Organisations(r.Context(), p.CaseID)
		if err != nil {
			return view, err
		}
		for _, o := range orgs {
			view.Offenders = append(view.Offenders, html.ClaimOffenderChoice{Value: "organisation:" + o.ID, Label: o.Name})
		}
	}
	return view, nil
}

// handleClaimSubmit previews or saves the claim form. Preview computes and
// shows the statement without storing anything; save stores the claim and
// opens it. A refusal keeps everything typed and says where each problem is.
func (s *Server) handleClaimSubmit(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.claims(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxClaimForm+64<<10)
	if err := r.ParseMultipartForm(maxClaimForm); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		s.writeErrorStatus(w, r, http.StatusRequestEntityTooLarge, flare.Errorf(flare.EINVALID, "the form is too large: at most 1 MiB of periods"))
		return
	}
	form := claimFormOf(r)
	if f, _, err := r.FormFile("periods_file"); err == nil {
		b, err := io.ReadAll(io.LimitReader(f, maxClaimForm))
		f.Close()
		if err != nil {
			s.writeError(w, r, flare.FieldError("periods_file", "could not be read"))
			return
		}
		form.Periods = string(b)
	}
	view, err := s.claimFormView(r, r.PathValue("id"), form)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	doc, lines, err := claimDocument(form)
	var c *flare.WageClaim
	if err == nil {
		c = &flare.WageClaim{PersonID: view.PersonID, Document: doc, Offenders: chosenOffenders(form)}
		if r.PostFormValue("action") == "save" {
			err = svc.CreateClaim(r.Context(), c)
		} else if err = previewClaim(c); err == nil {
			view.Statement = statementOf(c.Result)
			s.render(w, r, http.StatusOK, "claim_form", view)
			return
		}
	}
	if err != nil {
		if flare.ErrorCodeOf(err) != flare.EINVALID {
			s.writeError(w, r, err)
			return
		}
		view.ErrorMessage, view.Errors = "", claimProblems(err, lines)
		s.render(w, r, http.StatusBadRequest, "claim_form", view)
		return
	}
	http.Redirect(w, r, "/claims/"+c.ID, http.StatusSeeOther)
}

// previewClaim computes a claim without storing it.
func previewClaim(c *flare.WageClaim) error {
	var err error
	c.Input, c.Result, err = flare.ComputeClaim(c.Document)
	return err
}

func claimFormOf(r *http.Request) html.ClaimForm {
	f := html.ClaimForm{Currency: strings.ToUpper(strings.TrimSpace(r.FormValue("currency"))), MinimumWages: r.FormValue("minimum_wages"),
		NormalHours: r.FormValue("normal_hours"), OvertimePremium: r.FormValue("overtime_premium"),
		InterestRate: r.FormValue("interest_rate"), AsOf: r.FormValue("as_of"), AgreedHourly: r.FormValue("agreed_hourly"),
		Periods: r.FormValue("periods"), Costs: r.FormValue("costs"), Chosen: map[string]bool{}}
	for _, v := range r.Form["offender"] {
		f.Chosen[v] = true
	}
	return f
}

func chosenOffenders(f html.ClaimForm) []flare.ClaimOffender {
	var out []flare.ClaimOffender
	for v := range f.Chosen {
		if t, id, ok := strings.Cut(v, ":"); ok {
			out = append(out, flare.ClaimOffender{Type: t, ID: id})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// claimLines maps the items of the claim document to the lines the user
// typed them on: "periods[2]" -> "periods, line 4".
type claimLines map[string]string

// claimDocument turns the form into the claim document of docs/wages.md,
// which the engine validates field by field. Periods are CSV lines
// start,end,hours_worked,paid[,lawful_deductions,unlawful_deductions,estimated]
// and costs date,kind,amount; minimum wages are "YYYY-MM-DD rate" lines.
// A header line (starting with a letter) is skipped.
func claimDocument(f html.ClaimForm) ([]byte, claimLines, error) {
	lines := claimLines{}
	var minimum []map[string]string
	for n, line := range strings.Split(f.MinimumWages, "\n") {
		fields := strings.Fields(strings.ReplaceAll(line, ",", " "))
		if len(fields) == 0 {
			continue
		}
		if len(fields) != 2 {
			return nil, nil, flare.FieldError("minimum_wages", "line %d: write the date the rate starts and the hourly rate, e.g. 2026-01-01 1.25", n+1)
		}
		lines[fmt.Sprintf("rules.minimum_wage_hourly[%d]", len(minimum))] = fmt.Sprintf("minimum_wages:%d", n+1)
		minimum = append(minimum, map[string]string{"from": fields[0], "hourly": fields[1]})
	}
	periods, err := csvRows(f.Periods, "periods", 4, 7, lines, func(i int, rec []string) (any, error) {
		p := map[string]any{"start": rec[0], "end": rec[1], "hours_worked": rec[2], "paid": rec[3]}
		var deductions []map[string]any
		for k, lawful := range map[int]bool{4: true, 5: false} {
			if k < len(rec) && rec[k] != "" && rec[k] != "0" {
				kind := "unlawful deductions"
				if lawful {
					kind = "lawful deductions"
				}
				deductions = append(deductions, map[string]any{"kind": kind, "amount": rec[k], "lawful": lawful})
			}
		}
		sort.Slice(deductions, func(a, b int) bool { return deductions[a]["lawful"] == true })
		if len(deductions) > 0 {
			p["deductions"] = deductions
		}
		if len(rec) > 6 {
			// Yes and no in the interface's five languages.
			switch strings.ToLower(rec[6]) {
			case "", "0", "no", "false", "non", "não", "nao", "لا":
			case "1", "yes", "true", "estimated", "oui", "sí", "si", "sim", "نعم":
				p["estimated"] = true
			default:
				return nil, fmt.Errorf("the 7th column says whether the hours are estimated: yes or no")
			}
		}
		return p, nil
	})
	if err != nil {
		return nil, nil, err
	}
	costs, err := csvRows(f.Costs, "costs", 3, 3, lines, func(i int, rec []string) (any, error) {
		return map[string]any{"date": rec[0], "kind": rec[1], "amount": rec[2]}, nil
	})
	if err != nil {
		return nil, nil, err
	}
	rules := map[string]any{"currency": f.Currency, "minimum_wage_hourly": minimum, "normal_hours_per_week": strings.TrimSpace(f.NormalHours),
		"overtime_premium": strings.TrimSpace(f.OvertimePremium), "annual_interest_rate": strings.TrimSpace(f.InterestRate), "as_of": strings.TrimSpace(f.AsOf)}
	doc := map[string]any{"rules": rules, "periods": periods, "costs_paid_by_worker": costs}
	if a := strings.TrimSpace(f.AgreedHourly); a != "" {
		doc["agreed_hourly"] = a
	}
	b, err := json.Marshal(doc)
	return b, lines, err
}

// csvRows reads pasted CSV rows of min to max columns into document items,
// remembering the line of each.
func csvRows(text, name string, min, max int, lines claimLines, item func(int, []string) (any, error)) ([]any, error) {
	rd := csv.NewReader(strings.NewReader(text))
	rd.FieldsPerRecord = -1
	rd.TrimLeadingSpace = true
	out := []any{}
	for {
		rec, err := rd.Read()
		if err == io.EOF {
			return out, nil
		}
		line, _ := rd.FieldPos(0)
		if err != nil {
			return nil, flare.FieldError(name, "line %d is not CSV: %v", line, err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if first := strings.TrimSpace(rec[0]); first != "" && (first[0] < '0' || first[0] > '9') {
			continue // a header
		}
		if len(rec) < min || len(rec) > max {
			return nil, flare.FieldError(name, "line %d has %d columns, expected %d to %d", line, len(rec), min, max)
		}
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		v, err := item(len(out), rec)
		if err != nil {
			return nil, flare.FieldError(name, "line %d: %v", line, err)
		}
		lines[fmt.Sprintf("%s[%d]", map[string]string{"periods": "periods", "costs": "costs_paid_by_worker"}[name], len(out))] = fmt.Sprintf("%s:%d", name, line)
		out = append(out, v)
	}
}

var itemPath = regexp.MustCompile(`^claim\.((?:rules\.minimum_wage_hourly|periods|costs_paid_by_worker)\[\d+\])(?:\.(.*))?$`)

// claimProblems lists what was refused, each problem with the form field
// and line it came from.
func claimProblems(err error, lines claimLines) []string {
	var fe *flare.Error
	if !errors.As(err, &fe) {
		return []string{err.Error()}
	}
	if len(fe.Fields) == 0 {
		return []string{fe.Message}
	}
	var out []string
	for field, problem := range fe.Fields {
		where := strings.TrimPrefix(field, "claim.")
		if m := itemPath.FindStringSubmatch(field); m != nil {
			if at, ok := lines[m[1]]; ok {
				name, n, _ := strings.Cut(at, ":")
				where = name + ", line " + n
				if m[2] != "" {
					where += " (" + m[2] + ")"
				}
			}
		}
		out = append(out, where+": "+problem)
	}
	sort.Strings(out)
	return out
}

// statementOf explains a computation line by line.
func statementOf(res wages.Result) *html.ClaimStatement {
	money := res.Currency.Format
	st := &html.ClaimStatement{Currency: res.Currency.Code, AsOf: res.AsOf.String(), Estimated: res.FromEstimatedHours.Total != 0}
	for _, p := range res.Periods {
		st.Periods = append(st.Periods, html.ClaimPeriodLine{Start: p.Start.String(), End: p.End.String(), Hours: p.HoursWorked.String(),
			Rate: p.HourlyRate.String(), NormalHours: p.NormalHours.Round(2), OvertimeHours: p.OvertimeHours.Round(2),
			WagesDue: money(p.WagesDue), Credited: money(p.Credited), Underpayment: money(p.Underpayment),
			UnpaidOvertime: money(p.UnpaidOvertime), UnlawfulDeductions: money(p.UnlawfulDeductions),
			Interest: money(p.Interest), InterestDays: p.InterestDays, Total: money(p.Total), Estimated: p.Estimated})
	}
	for _, c := range res.Costs {
		st.Costs = append(st.Costs, html.ClaimCostLine{Date: c.Date.String(), Kind: c.Kind, Amount: money(c.Amount),
			Interest: money(c.Interest), InterestDays: c.InterestDays, Total: money(c.Total)})
	}
	t := res.Totals
	st.Totals = html.ClaimTotals{Underpayment: money(t.Underpayment), UnpaidOvertime: money(t.UnpaidOvertime),
		UnlawfulDeductions: money(t.UnlawfulDeductions), RecruitmentCosts: money(t.RecruitmentCosts),
		Interest: money(t.Interest), Total: money(t.Total)}
	return st
}

// handleClaimPage shows a claim's statement, ledger and balance, with the
// form that appends to the ledger; it prints as the claim statement.
func (s *Server) handleClaimPage(w http.ResponseWriter, r *http.Request) {
	s.renderClaim(w, r, http.StatusOK, html.LedgerForm{}, "")
}

func (s *Server) renderClaim(w http.ResponseWriter, r *http.Request, status int, entry html.LedgerForm, msg string) {
	svc, ok := s.claims(w, r)
	if !ok {
		return
	}
	c, ledger, bal, err := svc.Claim(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	view := html.ClaimView{Page: s.cfg.Renderer.NewPage(statementRequest(r), "claim.title"), Claim: c, Statement: statementOf(c.Result),
		Ledger: ledger, Balance: bal, Kinds: flare.LedgerKinds(), Today: flare.DateOf(time.Now()).Format(time.DateOnly),
		Entry: entry, ErrorMessage: msg}
	if p, err := s.cfg.Persons.Person(r.Context(), c.PersonID); err == nil {
		view.PersonLabel = personLabel(s, r, p)
		// Issue #8: "a printable claim statement in the worker's language".
		if l, ok := s.cfg.Renderer.Catalog().Language(p.PrimaryLanguage); ok && l.Code != view.Lang.Code {
			view.WorkerLanguage = &l
		}
	}
	for _, o := range c.Offenders {
		view.Offenders = append(view.Offenders, s.offenderLabel(r, o))
	}
	s.render(w, r, status, "claim", view)
}

// offenderLabel names an offender of a claim.
func (s *Server) offenderLabel(r *http.Request, o flare.ClaimOffender) string {
	if o.Type == "organisation" && s.cfg.Organisations != nil {
		if org, err := s.cfg.Organisations.Organisation(r.Context(), o.ID); err == nil {
			return org.Name
		}
	}
	if o.Type == "person" {
		if p, err := s.cfg.Persons.Person(r.Context(), o.ID); err == nil {
			return personLabel(s, r, p)
		}
	}
	return o.Type + " " + o.ID
}

// handleLedgerForm appends to a claim's ledger from the claim page; a
// refusal shows the page again with the entry as typed and the reason.
func (s *Server) handleLedgerForm(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.claims(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	form := html.LedgerForm{Kind: r.PostFormValue("kind"), Amount: r.PostFormValue("amount"), DecidedOn: r.PostFormValue("decided_on"),
		Basis: r.PostFormValue("basis"), Reference: r.PostFormValue("reference")}
	e, err := ledgerEntry(r.PathValue("id"), ledgerRequest{Kind: flare.LedgerKind(form.Kind), Amount: form.Amount,
		DecidedOn: form.DecidedOn, Basis: flare.AwardBasis(form.Basis), Reference: form.Reference})
	if err == nil {
		err = svc.AddLedgerEntry(r.Context(), e)
	}
	if err != nil {
		code := flare.ErrorCodeOf(err)
		if code != flare.EINVALID && code != flare.ECONFLICT {
			s.writeError(w, r, err)
			return
		}
		status := http.StatusBadRequest
		if code == flare.ECONFLICT {
			status = http.StatusConflict
		}
		s.renderClaim(w, r, status, form, flare.ErrorMessageOf(err))
		return
	}
	http.Redirect(w, r, "/claims/"+e.ClaimID+"#ledger", http.StatusSeeOther)
}

func (s *Server) handleFundPage(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.claims(w, r)
	if !ok {
		return
	}
	totals, err := svc.FundTotals(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "fund", html.FundView{Page: s.cfg.Renderer.NewPage(r, "fund.title"), Totals: totals})
}

// statementRequest is r as the page's language sees it: a claim statement
// may be shown in the worker's language (?statement_lang=) without
// changing the language the user chose for the rest of the interface.
func statementRequest(r *http.Request) *http.Request {
	code := r.URL.Query().Get("statement_lang")
	if code == "" {
		return r
	}
	r2 := r.Clone(r.Context())
	q := r2.URL.Query()
	q.Set("lang", code)
	r2.URL.RawQuery = q.Encode()
	return r2
}
