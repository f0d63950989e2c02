package html

import "github.com/flare-ilo/flare"

// CaseFormView is the form that opens a case or edits its details. Case is
// nil for a new case; Version is the version the edit is based on.
type CaseFormView struct {
	Page
	Case    *flare.Case
	Version int64
	// The values as typed, shown again with Errors (field -> message) when
	// the store refused them.
	Reference, Title, Region, OpenedOn string
	AssignToMe                         bool
	Errors                             map[string]string
	ErrorMessage                       string
}

// ConflictView tells a user that someone else saved the record since they
// opened it, and shows what is stored next to what they typed, so nothing
// they wrote is lost and nothing stored is overwritten silently
// (security checklist R-CC1).
type ConflictView struct {
	Page
	// RecordLabel names the record ("Case LI-2026/7").
	RecordLabel string
	// BackURL reopens the form on the stored version.
	BackURL string
	Fields  []ConflictField
}

// ConflictField is one field of a conflict page.
type ConflictField struct {
	LabelKey      string // catalogue key of the field's label
	Yours, Stored string
	Differs       bool
}

// NewConflictField compares what the user typed with what is stored.
func NewConflictField(labelKey, yours, stored string) ConflictField {
	return ConflictField{LabelKey: labelKey, Yours: yours, Stored: stored, Differs: yours != stored}
}
