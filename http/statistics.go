package http

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/html"
	"github.com/flare-ilo/flare/mse"
)

// disclosureK is the threshold below which a count of the overlap table is
// not shown (security checklist R-SD1's default k = 10): a small cell of
// lists can point at a person.
const disclosureK = 10

// estimateResponse is the body of GET /api/v1/statistics/estimate, with
// the keys of `flare estimate --format json` for the estimate.
type estimateResponse struct {
	Lists      []string       `json:"lists"`
	Patterns   []estimateCell `json:"patterns"`
	Observed   int64          `json:"observed"`
	Unobserved float64        `json:"unobserved"`
	Total      float64        `json:"total"`
	CILow      float64        `json:"ci_low"`
	CIHigh     *float64       `json:"ci_high"`
	Terms      []string       `json:"terms"`
	Method     string         `json:"method"`
	Records    int            `json:"records"`
	Links      int            `json:"links"`
}

// estimateCell is a pattern's count, null when suppressed (R-SD1).
type estimateCell struct {
	On    []bool `json:"on"`
	Count *int   `json:"count"`
}

// estimate builds the capture table for the request and estimates it
// with SparseMSE's stepwise model and log-normal interval.
func (s *Server) estimate(r *http.Request) (*flare.CaptureTable, *mse.Result, error) {
	if s.cfg.Statistics == nil {
		return nil, nil, errNoRoute
	}
	q := r.URL.Query()
	f := flare.CaptureFilter{Region: q.Get("region")}
	var err error
	if f.From, err = parseDate("from", q.Get("from")); err != nil {
		return nil, nil, err
	}
	if f.To, err = parseDate("to", q.Get("to")); err != nil {
		return nil, nil, err
	}
	ct, err := s.cfg.Statistics.CaptureTable(r.Context(), f)
	if err != nil {
		return nil, nil, err
	}
	if len(ct.Lists) < mse.MinLists || len(ct.Lists) > mse.MaxLists {
		return ct, nil, flare.Errorf(flare.EINVALID, "an estimate needs the lists of %d to %d agencies; this period and region have %d", mse.MinLists, mse.MaxLists, len(ct.Lists))
	}
	t, err := mse.NewTable(sanitizeLists(ct.Lists))
	if err != nil {
		return ct, nil, flare.Errorf(flare.EINVALID, "%v", err)
	}
	for _, p := range ct.Patterns {
		if err := t.Set(mse.Pattern(p.On), int64(p.Count)); err != nil {
			return ct, nil, flare.Errorf(flare.EINVALID, "%v", err)
		}
	}
	res, err := mse.Estimate(context.WithoutCancel(r.Context()), t, mse.DefaultOptions(mse.MethodStepwise))
	if err != nil {
		var me *mse.ModelError
		if errors.As(err, &me) {
			return ct, nil, flare.Errorf(flare.EINVALID, "no estimate: %v", err)
		}
		return ct, nil, flare.Errorf(flare.EINVALID, "no estimate for these lists: %v", err)
	}
	return ct, res, nil
}

// sanitizeLists makes agency names usable as list names (":" joins list
// names in term names).
func sanitizeLists(lists []string) []string {
	out := make([]string, len(lists))
	for i, l := range lists {
		out[i] = strings.ReplaceAll(l, ":", " ")
	}
	return out
}

func (s *Server) handleAPIEstimate(w http.ResponseWriter, r *http.Request) {
	ct, res, err := s.estimate(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := estimateResponse{Lists: ct.Lists, Observed: res.Observed, Unobserved: res.Unobserved, Total: res.Total, CILow: res.Low,
		Terms: res.Fit.TermNames(), Method: string(res.Options.Method), Records: ct.Records, Links: ct.Links}
	if !res.HighUnbounded {
		high := res.High
		out.CIHigh = &high
	}
	if out.Terms == nil {
		out.Terms = []string{}
	}
	for _, p := range ct.Patterns {
		cell := estimateCell{On: p.On}
		if p.Count >= disclosureK {
			n := p.Count
			cell.Count = &n
		}
		out.Patterns = append(out.Patterns, cell)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleEstimatePage(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Statistics == nil {
		s.writeError(w, r, errNoRoute)
		return
	}
	q := r.URL.Query()
	view := html.EstimateView{Page: s.cfg.Renderer.NewPage(r, "estimate.heading"), From: q.Get("from"), To: q.Get("to"),
		Region: q.Get("region"), K: disclosureK, Asked: q.Get("from") != "" || q.Get("to") != ""}
	if !view.Asked {
		s.render(w, r, http.StatusOK, "estimate", view)
		return
	}
	ct, res, err := s.estimate(r)
	status := http.StatusOK
	if err != nil {
		if code := flare.ErrorCodeOf(err); code != flare.EINVALID {
			s.writeError(w, r, err)
			return
		}
		status, view.ErrorMessage = http.StatusBadRequest, flare.ErrorMessageOf(err)
		if ct != nil && len(ct.Lists) < mse.MinLists {
			// The usual refusal, in the page's language.
			msg := s.cfg.Renderer.Catalog().T(view.Lang.Code, "estimate.too_few")
			view.ErrorMessage = strings.ReplaceAll(msg, "{n}", fmt.Sprint(len(ct.Lists)))
		}
	}
	if ct != nil {
		view.Lists, view.Individuals, view.Records, view.Links = ct.Lists, ct.Individuals, ct.Records, ct.Links
		for _, p := range ct.Patterns {
			view.Rows = append(view.Rows, html.EstimateRow{On: p.On, Count: p.Count, Suppressed: p.Count > 0 && p.Count < disclosureK})
		}
	}
	if res != nil {
		view.Observed = fmt.Sprintf("%d", res.Observed)
		view.Unobserved = fmt.Sprintf("%.0f", res.Unobserved)
		view.Total = fmt.Sprintf("%.0f", res.Total)
		view.Low, view.High, view.HighUnbounded = fmt.Sprintf("%.0f", res.Low), fmt.Sprintf("%.0f", res.High), res.HighUnbounded
		view.Terms = res.Fit.TermNames()
	}
	s.render(w, r, status, "estimate", view)
}
