package screening

// Role is the role of the person who imposed an element on the worker
// (shared/domain/screening.md, "Rules": the perpetrator's role). Under the
// child rule a parent's coercion does not count on its own (ICLS 2018).
type Role string

// Perpetrator roles.
const (
	RoleEmployer   Role = "employer"
	RoleRecruiter  Role = "recruiter"
	RoleThirdParty Role = "third_party"
	RoleParent     Role = "parent"
	RoleState      Role = "state"
)

// Roles returns every perpetrator role.
func Roles() []Role {
	return []Role{RoleEmployer, RoleRecruiter, RoleThirdParty, RoleParent, RoleState}
}

// Mode is how the worker met a coercion element. ICLS 2018 counts coercion
// whether the worker experienced it, was threatened with it, or witnessed it
// imposed on co-workers in connection with involuntary work.
type Mode string

// Modes of coercion (ICLS 2018).
const (
	ModeExperienced Mode = "experienced"
	ModeThreatened  Mode = "threatened"
	ModeWitnessed   Mode = "witnessed"
)

// Modes returns every mode of coercion.
func Modes() []Mode { return []Mode{ModeExperienced, ModeThreatened, ModeWitnessed} }

// Stage is the stage of the work an observation refers to.
type Stage string

// Stages of an episode of work (ICLS 2018: coercion may occur at
// recruitment, during employment or to prevent the worker from leaving).
const (
	StageRecruitment Stage = "recruitment"
	StageEmployment  Stage = "employment"
	StageExit        Stage = "exit"
)

// Stages returns every stage.
func Stages() []Stage { return []Stage{StageRecruitment, StageEmployment, StageExit} }

// EvidenceKind is what supports an observation.
type EvidenceKind string

// Kinds of evidence an interview records for each answer.
const (
	EvidenceStatement   EvidenceKind = "statement"
	EvidenceObservation EvidenceKind = "observation"
	EvidenceDocument    EvidenceKind = "document"
)

// EvidenceKinds returns every kind of evidence.
func EvidenceKinds() []EvidenceKind {
	return []EvidenceKind{EvidenceStatement, EvidenceObservation, EvidenceDocument}
}

// Evidence is what an observation rests on: its kind and a reference to it
// (a note, a document number). The engine only carries it into the result so
// that every finding shows what it stands on (rule 6).
type Evidence struct {
	Kind EvidenceKind `json:"kind"`
	Ref  string       `json:"ref,omitempty"`
}

// Observation records one element for one episode: one job with one
// employer, recruiter or third party (shared/domain/screening.md, "Rules").
type Observation struct {
	// Episode identifies the job the observation belongs to. Elements of
	// different episodes never combine.
	Episode string
	// On is the day the observation refers to.
	On Date
	// Element is the element recorded, when named explicitly. When empty,
	// the indicator's default element is recorded.
	Element Element
	// Indicator is the ILO indicator observed, if any.
	Indicator Indicator
	// Perpetrator is the role of who imposed the element.
	Perpetrator Role
	// Stage is the stage of the work.
	Stage Stage
	// Mode is how the worker met a coercion element; empty for
	// involuntariness.
	Mode Mode
	// Evidence is what the observation rests on; nil if none was recorded.
	Evidence *Evidence
}

// RecordedElement returns the element o records: its explicit element, or
// else its indicator's default element.
func (o Observation) RecordedElement() Element {
	if o.Element != "" {
		return o.Element
	}
	return o.Indicator.DefaultElement()
}
