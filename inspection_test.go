package flare

import (
	"strings"
	"testing"
	"time"
)

func validInspection() *Inspection {
	return &Inspection{CaseID: "c", WorksiteID: "w", Kind: InspectionPlanned, VisitedOn: time.Date(2026, 4, 2, 15, 4, 0, 0, time.UTC),
		InspectorNames: []string{"A. Inspector"}, WorkersInterviewed: 3}
}

func TestInspectionValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(*Inspection)
		field string
	}{
		{"valid", func(*Inspection) {}, ""},
		{"inspector by id only", func(in *Inspection) { in.InspectorNames, in.InspectorIDs = nil, []string{"u1", "u1", " "} }, ""},
		{"no case", func(in *Inspection) { in.CaseID = "" }, "case_id"},
		{"no worksite", func(in *Inspection) { in.WorksiteID = "" }, "worksite_id"},
		{"unknown kind", func(in *Inspection) { in.Kind = "joint" }, "kind"},
		{"no date", func(in *Inspection) { in.VisitedOn = time.Time{} }, "visited_on"},
		{"blank inspectors", func(in *Inspection) { in.InspectorNames = []string{" ", "\t"} }, "inspectors"},
		{"too many inspectors", func(in *Inspection) { in.InspectorNames = strings.Split(strings.Repeat("x,", MaxInspectors)+"y", ",") }, "inspectors"},
		{"long inspector name", func(in *Inspection) { in.InspectorNames = []string{strings.Repeat("n", MaxNameLength+1)} }, "inspector_names"},
		{"negative workers", func(in *Inspection) { in.WorkersInterviewed = -1 }, "workers_interviewed"},
		{"absurd workers", func(in *Inspection) { in.WorkersInterviewed = MaxWorkersInterviewed + 1 }, "workers_interviewed"},
		{"long findings", func(in *Inspection) { in.Findings = strings.Repeat("f", MaxFindingsLength+1) }, "findings"},
		{"too many orders", func(in *Inspection) { in.Orders = make([]string, MaxInspectionOrders+1); fill(in.Orders) }, "orders"},
		{"long order", func(in *Inspection) { in.Orders = []string{strings.Repeat("o", 2*MaxNameLength+1)} }, "orders"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := validInspection()
			tc.edit(in)
			err := in.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !in.VisitedOn.Equal(time.Date(2026, 4, 2, 0, 0, 0, 0, time.UTC)) || in.Orders == nil || in.AssessmentIDs == nil {
					t.Fatalf("not normalised: %+v", in)
				}
				if len(in.InspectorIDs) > 1 {
					t.Fatalf("ids not deduplicated: %v", in.InspectorIDs)
				}
				return
			}
			if e, ok := err.(*Error); !ok || e.Code != EINVALID || e.Fields[tc.field] == "" {
				t.Fatalf("error = %v, want invalid %s", err, tc.field)
			}
		})
	}
}

func fill(s []string) {
	for i := range s {
		s[i] = "order"
	}
}
