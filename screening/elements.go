package screening

// Element is one element of the statistical definition of forced labour of
// the 20th ICLS (2018): a dimension of involuntariness (I1–I9) or of
// coercion, threat or menace of a penalty (C1–C6). The codes are stable
// identifiers used in data, the API and statistics
// (shared/domain/screening.md, "Element codes").
type Element string

// Involuntariness elements (ICLS 2018).
const (
	I1 Element = "I1" // unfree recruitment at birth or through a transaction (slavery, bonded labour)
	I2 Element = "I2" // a job of a different nature from the one specified at recruitment, without consent
	I3 Element = "I3" // abusive requirements for overtime or on-call work not previously agreed
	I4 Element = "I4" // work in hazardous conditions the worker has not consented to
	I5 Element = "I5" // work with very low or no wages
	I6 Element = "I6" // degrading living conditions imposed by the employer, recruiter or a third party
	I7 Element = "I7" // work for other employers than agreed
	I8 Element = "I8" // work for a longer period than agreed
	I9 Element = "I9" // work with no or limited freedom to terminate the contract
)

// Coercion elements (ICLS 2018).
const (
	C1 Element = "C1" // threats or violence against the worker or their family, relatives or close associates
	C2 Element = "C2" // restrictions on the worker's movement
	C3 Element = "C3" // debt bondage or manipulation of debt
	C4 Element = "C4" // withholding of wages or other promised benefits
	C5 Element = "C5" // withholding of valuable documents (identity documents, residence permits)
	C6 Element = "C6" // abuse of vulnerability: denial of rights or privileges, threats of dismissal or deportation
)

// Kind says which half of the ICLS 2018 definition an element belongs to:
// forced labour is work that is both involuntary and under coercion.
type Kind int

// The two kinds of element. The zero Kind marks an unknown element.
const (
	Involuntariness Kind = iota + 1
	Coercion
)

// Elements returns every element in the order of the source, involuntariness
// first. Results list elements in this order.
func Elements() []Element {
	return []Element{I1, I2, I3, I4, I5, I6, I7, I8, I9, C1, C2, C3, C4, C5, C6}
}

// Kind returns the kind of e, or 0 if e is not a known element.
func (e Element) Kind() Kind {
	switch e {
	case I1, I2, I3, I4, I5, I6, I7, I8, I9:
		return Involuntariness
	case C1, C2, C3, C4, C5, C6:
		return Coercion
	}
	return 0
}

// Valid reports whether e is a known element.
func (e Element) Valid() bool { return e.Kind() != 0 }

// rank is e's position in Elements, used to sort; unknown elements last.
// It reads the digit of the code rather than searching the list because
// sorting calls it for every comparison.
func (e Element) rank() int {
	switch e.Kind() {
	case Involuntariness:
		return int(e[1] - '1')
	case Coercion:
		return 9 + int(e[1]-'1')
	}
	return 15
}

// Indicator is one of the eleven ILO indicators of forced labour (ILO,
// 2012) that front-line officials look for.
type Indicator string

// The eleven ILO indicators of forced labour (ILO, 2012).
const (
	AbuseOfVulnerability   Indicator = "abuse_of_vulnerability"
	Deception              Indicator = "deception"
	RestrictionOfMovement  Indicator = "restriction_of_movement"
	Isolation              Indicator = "isolation"
	PhysicalSexualViolence Indicator = "physical_sexual_violence"
	IntimidationThreats    Indicator = "intimidation_threats"
	RetentionOfDocuments   Indicator = "retention_of_documents"
	WithholdingOfWages     Indicator = "withholding_of_wages"
	DebtBondage            Indicator = "debt_bondage"
	AbusiveConditions      Indicator = "abusive_conditions"
	ExcessiveOvertime      Indicator = "excessive_overtime"
)

// Indicators returns the eleven indicators in the order of the ILO list.
func Indicators() []Indicator {
	return []Indicator{
		AbuseOfVulnerability, Deception, RestrictionOfMovement, Isolation,
		PhysicalSexualViolence, IntimidationThreats, RetentionOfDocuments,
		WithholdingOfWages, DebtBondage, AbusiveConditions, ExcessiveOvertime,
	}
}

// DefaultElement returns the element an observation of indicator i records
// when it names no element itself, or "" if i is not a known indicator. The
// mapping is the table in shared/domain/screening.md; an observation may name
// another element explicitly when the facts call for it (for example
// deception about the employer records I7, not I2).
func (i Indicator) DefaultElement() Element {
	switch i {
	case AbuseOfVulnerability:
		return C6
	case Deception:
		return I2
	case RestrictionOfMovement, Isolation:
		return C2
	case PhysicalSexualViolence, IntimidationThreats:
		return C1
	case RetentionOfDocuments:
		return C5
	case WithholdingOfWages:
		return C4
	case DebtBondage:
		return C3
	case AbusiveConditions:
		return I6
	case ExcessiveOvertime:
		return I3
	}
	return ""
}

// Valid reports whether i is one of the eleven indicators.
func (i Indicator) Valid() bool { return i.DefaultElement() != "" }
