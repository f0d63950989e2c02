package screening

import (
	"reflect"
	"testing"
)

func TestRegistry(t *testing.T) {
	if got, want := Versions(), []string{"ICLS-2018"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Versions() = %v, want %v", got, want)
	}
	r, ok := Rules(LatestVersion)
	if !ok || r.Version() != LatestVersion {
		t.Fatalf("Rules(%q) = %v, %v", LatestVersion, r, ok)
	}
	if _, ok := Rules("ICLS-2013"); ok {
		t.Error("Rules found an unknown version")
	}
	if !DefaultConfig().PresumeMinor {
		t.Error("the presumption of minority must be on by default (screening.md rule 3)")
	}
}

func TestIndicatorDefaults(t *testing.T) {
	// The table of shared/domain/screening.md, "The eleven ILO indicators".
	want := map[Indicator]Element{
		AbuseOfVulnerability: C6, Deception: I2, RestrictionOfMovement: C2, Isolation: C2,
		PhysicalSexualViolence: C1, IntimidationThreats: C1, RetentionOfDocuments: C5,
		WithholdingOfWages: C4, DebtBondage: C3, AbusiveConditions: I6, ExcessiveOvertime: I3,
	}
	if len(Indicators()) != 11 {
		t.Errorf("%d indicators, want eleven", len(Indicators()))
	}
	for _, i := range Indicators() {
		if got := i.DefaultElement(); got != want[i] {
			t.Errorf("%s records %s, want %s", i, got, want[i])
		}
	}
	if Indicator("fraud").Valid() {
		t.Error("unknown indicator reported valid")
	}
}

func TestElementKindsAndOrder(t *testing.T) {
	els := Elements()
	if len(els) != 15 {
		t.Fatalf("%d elements, want 15", len(els))
	}
	for i, e := range els {
		if e.rank() != i {
			t.Errorf("rank(%s) = %d, want %d", e, e.rank(), i)
		}
		wantKind := Involuntariness
		if i >= 9 {
			wantKind = Coercion
		}
		if e.Kind() != wantKind {
			t.Errorf("%s kind %v, want %v", e, e.Kind(), wantKind)
		}
	}
	for _, bad := range []Element{"", "I0", "I10", "C7", "c1", "X1"} {
		if bad.Valid() {
			t.Errorf("%q reported valid", bad)
		}
	}
}
