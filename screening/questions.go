package screening

// Question is one plain question of the screening interview. An interview
// asks it in the user's language (Key is its message key), and a "yes"
// fills the input field it names: an observation of Element (and
// Indicator) for Field "observations", a flag, or the code Value for a list
// or object field. Detail questions ("observations[].on", ...) follow each
// observation to record when, by whom, how and on what evidence.
type Question struct {
	Key       string    `json:"key"`
	Field     string    `json:"field"`
	Element   Element   `json:"element,omitempty"`
	Indicator Indicator `json:"indicator,omitempty"`
	Value     string    `json:"value,omitempty"`
}

// Input fields that questions fill.
const (
	FieldObservations         = "observations"
	FieldObservationEpisode   = "observations[].episode"
	FieldObservationOn        = "observations[].on"
	FieldObservationPerp      = "observations[].perpetrator"
	FieldObservationStage     = "observations[].stage"
	FieldObservationMode      = "observations[].mode"
	FieldObservationEvidence  = "observations[].evidence"
	FieldReferencePeriod      = "reference_period"
	FieldAge                  = "age"
	FieldMayBeMinor           = "may_be_minor"
	FieldParentInForcedLabour = "parent_in_forced_labour"
	FieldWorstForms           = "worst_forms"
	FieldTraffickingActs      = "trafficking.acts"
	FieldTraffickingMeans     = "trafficking.means"
	FieldTraffickingPurposes  = "trafficking.purposes"
)

// icls2018Questions is the interview of rule set ICLS-2018: questions that
// map to every element and every ILO indicator, then the details of each
// observation, then the child and trafficking questions. Several questions
// may record one element (two indicators record C2), and one indicator may
// stand behind several elements (deception about the job, the employer or
// the length of work records I2, I7 or I8).
func icls2018Questions() []Question {
	obs := func(key string, el Element, ind Indicator) Question {
		return Question{Key: "screening.question." + key, Field: FieldObservations, Element: el, Indicator: ind}
	}
	field := func(key, f, value string) Question {
		return Question{Key: "screening.question." + key, Field: f, Value: value}
	}
	return []Question{
		field("reference_period", FieldReferencePeriod, ""),
		field("age", FieldAge, ""),
		field("may_be_minor", FieldMayBeMinor, ""),

		obs("born_or_sold_into_work", I1, ""),
		obs("job_different_from_promised", I2, Deception),
		obs("forced_overtime", I3, ExcessiveOvertime),
		obs("dangerous_work_not_agreed", I4, AbusiveConditions),
		obs("little_or_no_pay", I5, ""),
		obs("degrading_living_conditions", I6, AbusiveConditions),
		obs("different_employer_than_agreed", I7, Deception),
		obs("longer_than_agreed", I8, Deception),
		obs("cannot_stop_work", I9, ""),
		obs("threats", C1, IntimidationThreats),
		obs("violence", C1, PhysicalSexualViolence),
		obs("movement_restricted", C2, RestrictionOfMovement),
		obs("isolated", C2, Isolation),
		obs("debt", C3, DebtBondage),
		obs("wages_withheld", C4, WithholdingOfWages),
		obs("documents_kept", C5, RetentionOfDocuments),
		obs("threat_of_dismissal_or_deportation", C6, AbuseOfVulnerability),

		field("detail.episode", FieldObservationEpisode, ""),
		field("detail.on", FieldObservationOn, ""),
		field("detail.perpetrator", FieldObservationPerp, ""),
		field("detail.stage", FieldObservationStage, ""),
		field("detail.mode", FieldObservationMode, ""),
		field("detail.evidence", FieldObservationEvidence, ""),

		field("parent_in_forced_labour", FieldParentInForcedLabour, ""),
		field("worst_form.slavery", FieldWorstForms, string(WorstFormSlavery)),
		field("worst_form.commercial_sexual_exploitation", FieldWorstForms, string(WorstFormCommercialSexualExploitation)),
		field("worst_form.illicit_activities", FieldWorstForms, string(WorstFormIllicitActivities)),

		field("act.recruitment", FieldTraffickingActs, string(ActRecruitment)),
		field("act.transportation", FieldTraffickingActs, string(ActTransportation)),
		field("act.transfer", FieldTraffickingActs, string(ActTransfer)),
		field("act.harbouring", FieldTraffickingActs, string(ActHarbouring)),
		field("act.receipt", FieldTraffickingActs, string(ActReceipt)),
		field("means.threat", FieldTraffickingMeans, string(MeansThreat)),
		field("means.force", FieldTraffickingMeans, string(MeansForce)),
		field("means.coercion", FieldTraffickingMeans, string(MeansCoercion)),
		field("means.abduction", FieldTraffickingMeans, string(MeansAbduction)),
		field("means.fraud", FieldTraffickingMeans, string(MeansFraud)),
		field("means.deception", FieldTraffickingMeans, string(MeansDeception)),
		field("means.abuse_of_power", FieldTraffickingMeans, string(MeansAbuseOfPower)),
		field("means.abuse_of_vulnerability", FieldTraffickingMeans, string(MeansAbuseOfVulnerability)),
		field("means.payment_to_person_in_control", FieldTraffickingMeans, string(MeansPaymentToPersonInControl)),
		field("purpose.sexual_exploitation", FieldTraffickingPurposes, string(PurposeSexualExploitation)),
		field("purpose.forced_labour", FieldTraffickingPurposes, string(PurposeForcedLabour)),
		field("purpose.slavery", FieldTraffickingPurposes, string(PurposeSlavery)),
		field("purpose.servitude", FieldTraffickingPurposes, string(PurposeServitude)),
		field("purpose.organ_removal", FieldTraffickingPurposes, string(PurposeOrganRemoval)),
		field("purpose.other_exploitation", FieldTraffickingPurposes, string(PurposeOther)),
	}
}
