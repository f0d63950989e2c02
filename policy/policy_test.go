package policy

import (
	"testing"

	"github.com/flare-ilo/flare"
)

func TestDecide(t *testing.T) {
	const own, other = "agency-own", "agency-other"
	user := flare.Actor{UserID: "u1", AgencyID: own, Roles: []string{"inspector"}}
	tests := []struct {
		name   string
		actor  flare.Actor
		action Action
		owner  string
		want   Decision
	}{
		{"console reads any", flare.Actor{Console: true}, Read, other, Allow},
		{"console creates any", flare.Actor{Console: true}, Create, other, Allow},
		{"own agency reads", user, Read, own, Allow},
		{"own agency creates", user, Create, own, Allow},
		{"own agency updates", user, Update, own, Allow},
		{"other agency read hidden", user, Read, other, DenyNotFound},
		{"other agency update hidden", user, Update, other, DenyNotFound},
		{"other agency create forbidden", user, Create, other, DenyForbidden},
		{"no agency", flare.Actor{UserID: "u2"}, Read, own, DenyNotFound},
		{"record without owner", user, Read, "", DenyNotFound},
		{"zero actor", flare.Actor{}, Read, own, DenyNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Decide(tt.actor, tt.action, Record{Type: "case", OwnerAgencyID: tt.owner})
			if got != tt.want {
				t.Errorf("Decide = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestError(t *testing.T) {
	rec := Record{Type: "case"}
	if err := Error(Allow, rec); err != nil {
		t.Errorf("Allow gave %v", err)
	}
	if got := flare.ErrorCodeOf(Error(DenyNotFound, rec)); got != flare.ENOTFOUND {
		t.Errorf("DenyNotFound code = %q", got)
	}
	if got := flare.ErrorCodeOf(Error(DenyForbidden, rec)); got != flare.EFORBIDDEN {
		t.Errorf("DenyForbidden code = %q", got)
	}
}
