package html

import "github.com/flare-ilo/flare"

// PeopleSection is the people of a case on its page.
type PeopleSection struct {
	// Shown is false when the server has no person service.
	Shown  bool
	CaseID string
	People []PersonLine
}

// PersonLine is one person in the case's list: the name only when the
// user may see it, else why it is withheld.
type PersonLine struct {
	ID       string
	Name     string
	Withheld string
	Role     flare.PersonRole
	Stage    flare.VictimStage
}

// PersonView is a person's page.
type PersonView struct {
	Page
	Person *flare.Person
	// AskReason shows the form for the reason police and prosecution give
	// to see a victim's identity.
	AskReason bool
	// Justification is the reason given, carried to the edit link.
	Justification string
	// Work is the person's screenings and wage claims.
	Work PersonWork
	// Protection is the person's services, periods and decision deadlines.
	Protection PersonProtection
	// CanErase offers the erasure page: to supervisors, who alone may
	// erase (the store decides for good, per case).
	CanErase bool
}

// PersonFormView is the form to add or edit a person. Identity fields are
// shown only when the user may write them.
type PersonFormView struct {
	Page
	CaseID string
	// PersonID is set when editing.
	PersonID      string
	Version       int64
	ShowIdentity  bool
	Justification string
	Form          PersonForm
	Errors        map[string]string
	ErrorMessage  string
	// DocError and StageError are the errors of the document rows and of
	// the victim status, shown under their fieldsets.
	DocError, StageError string
	Roles                []flare.PersonRole
	Genders              []flare.Gender
	DocTypes             []flare.IdentityDocumentType
	Deciders             []flare.DecisionMaker
}

// PersonForm is a person's form as typed: text, so a refused value is
// shown again as it was.
type PersonForm struct {
	Role, FirstName, MiddleName, SecondName, Birthdate, AgeYears string
	AgeEstimated                                                 bool
	Gender, Citizenship, PrimaryLanguage, SecondaryLanguage      string
	Email, MobilePhone, Street, City, State, PostalCode, Country string
	Documents                                                    []PersonDocumentForm
	Stages                                                       []PersonStageForm
}

// PersonDocumentForm is one identity document row of the form.
type PersonDocumentForm struct {
	// N numbers the row from 1, for its legend.
	N                                int
	Type, Number, Country, ExpiresOn string
}

// PersonStageForm is one victim status stage of the form.
type PersonStageForm struct {
	Stage     flare.VictimStage
	DecidedOn string
	DecidedBy string
}
