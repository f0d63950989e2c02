package screening

// Act is the action element of trafficking in persons (UN Palermo Protocol,
// 2000, Art. 3(a)).
type Act string

// Acts of trafficking (Palermo Protocol, Art. 3(a)).
const (
	ActRecruitment    Act = "recruitment"
	ActTransportation Act = "transportation"
	ActTransfer       Act = "transfer"
	ActHarbouring     Act = "harbouring"
	ActReceipt        Act = "receipt"
)

// Acts returns every act in the order of Art. 3(a).
func Acts() []Act {
	return []Act{ActRecruitment, ActTransportation, ActTransfer, ActHarbouring, ActReceipt}
}

// Means is the means element of trafficking (Palermo Protocol, Art. 3(a)).
// For a child it is not required (Art. 3(c)).
type Means string

// Means of trafficking (Palermo Protocol, Art. 3(a)).
const (
	MeansThreat                   Means = "threat"
	MeansForce                    Means = "force"
	MeansCoercion                 Means = "coercion"
	MeansAbduction                Means = "abduction"
	MeansFraud                    Means = "fraud"
	MeansDeception                Means = "deception"
	MeansAbuseOfPower             Means = "abuse_of_power"
	MeansAbuseOfVulnerability     Means = "abuse_of_vulnerability"
	MeansPaymentToPersonInControl Means = "payment_to_person_in_control"
)

// AllMeans returns every means in the order of Art. 3(a).
func AllMeans() []Means {
	return []Means{
		MeansThreat, MeansForce, MeansCoercion, MeansAbduction, MeansFraud,
		MeansDeception, MeansAbuseOfPower, MeansAbuseOfVulnerability,
		MeansPaymentToPersonInControl,
	}
}

// Purpose is the exploitative purpose element of trafficking (Palermo
// Protocol, Art. 3(a): exploitation "shall include, at a minimum" the forms
// listed; national law may add others, recorded as PurposeOther).
type Purpose string

// Exploitative purposes (Palermo Protocol, Art. 3(a)).
const (
	PurposeSexualExploitation Purpose = "sexual_exploitation"
	PurposeForcedLabour       Purpose = "forced_labour"
	PurposeSlavery            Purpose = "slavery"
	PurposeServitude          Purpose = "servitude"
	PurposeOrganRemoval       Purpose = "organ_removal"
	PurposeOther              Purpose = "other_exploitation"
)

// Purposes returns every purpose in the order of Art. 3(a), then
// PurposeOther.
func Purposes() []Purpose {
	return []Purpose{
		PurposeSexualExploitation, PurposeForcedLabour, PurposeSlavery,
		PurposeServitude, PurposeOrganRemoval, PurposeOther,
	}
}

// TraffickingElements are the trafficking elements recorded for a person.
type TraffickingElements struct {
	Acts     []Act
	Means    []Means
	Purposes []Purpose
}

// WorstForm is a worst form of child labour that makes a child's work forced
// labour under ICLS 2018 (ILO Convention No. 182, Art. 3(a)–(c)).
type WorstForm string

// Worst forms of child labour counted by the child rule.
const (
	// WorstFormSlavery is slavery or practices similar to slavery (C182 Art. 3(a)).
	WorstFormSlavery WorstForm = "slavery"
	// WorstFormCommercialSexualExploitation is the use of a child for
	// prostitution or pornography (C182 Art. 3(b)).
	WorstFormCommercialSexualExploitation WorstForm = "commercial_sexual_exploitation"
	// WorstFormIllicitActivities is the use of a child for illicit
	// activities such as drug trafficking (C182 Art. 3(c)).
	WorstFormIllicitActivities WorstForm = "illicit_activities"
)

// WorstForms records which worst forms of child labour were found.
type WorstForms struct {
	Slavery                      bool
	CommercialSexualExploitation bool
	IllicitActivities            bool
}

// Recorded returns the worst forms set in w, in the order of C182 Art. 3.
func (w WorstForms) Recorded() []WorstForm {
	var out []WorstForm
	if w.Slavery {
		out = append(out, WorstFormSlavery)
	}
	if w.CommercialSexualExploitation {
		out = append(out, WorstFormCommercialSexualExploitation)
	}
	if w.IllicitActivities {
		out = append(out, WorstFormIllicitActivities)
	}
	return out
}
