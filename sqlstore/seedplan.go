package sqlstore

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/flare-ilo/flare"
)

// This file plans the synthetic casework of Seed: pure functions of the
// seed and the case's number, so that the same seed gives the same cases,
// people and parties on either database (issue #5: "realistic synthetic
// cases ... for demos and benchmarks"). seed.go writes the plan.

// seedNames is the synthetic name list; see its "note".
//
//go:embed seeddata/names.json
var seedNamesJSON []byte

// nameGroup is one origin of names: the given and family names common
// there, and the nationalities and languages that go with them.
type nameGroup struct {
	Name          string   `json:"name"`
	Nationalities []string `json:"nationalities"`
	Languages     []string `json:"languages"`
	Female        []string `json:"female"`
	Male          []string `json:"male"`
	Family        []string `json:"family"`
}

// loadNameGroups parses the embedded name list.
func loadNameGroups() ([]nameGroup, error) {
	var f struct {
		Groups []nameGroup `json:"groups"`
	}
	if err := json.Unmarshal(seedNamesJSON, &f); err != nil {
		return nil, fmt.Errorf("seed names: %w", err)
	}
	for _, g := range f.Groups {
		if len(g.Nationalities) == 0 || len(g.Languages) == 0 || len(g.Female) == 0 || len(g.Male) == 0 || len(g.Family) == 0 {
			return nil, fmt.Errorf("seed names: group %q has an empty list", g.Name)
		}
	}
	if len(f.Groups) == 0 {
		return nil, fmt.Errorf("seed names: no group")
	}
	return f.Groups, nil
}

// seedAgency is an agency Seed creates when absent, and the prefix of its
// case references.
type seedAgency struct {
	name   string
	kind   flare.AgencyKind
	prefix string
	weight int // share of the seeded cases it owns
}

// seedAgencies are the agencies of the synthetic national response.
var seedAgencies = []seedAgency{
	{"National Labour Inspectorate", flare.AgencyLabourInspectorate, "LI", 35},
	{"Anti-Trafficking Police Unit", flare.AgencyPolice, "ATU", 25},
	{"Migrant Workers' Rights Centre", flare.AgencyNGO, "MWR", 15},
	{"Victim Support Services", flare.AgencyVictimServices, "VSS", 10},
	{"Office of the Public Prosecutor", flare.AgencyProsecution, "PP", 5},
	{"Immigration Service", flare.AgencyImmigration, "IMM", 5},
	{"General Workers' Union", flare.AgencyTradeUnion, "GWU", 5},
}

// seedRegions are the regions of the synthetic country, each with towns.
var seedRegions = []struct {
	name  string
	towns []string
}{
	{"Capital District", []string{"Port Amara", "Old Harbour", "Riverside"}},
	{"Northern Province", []string{"Kessel", "Tamaro", "Ridgefield"}},
	{"Coastal Province", []string{"Sandport", "Bellmare", "Cape Oru"}},
	{"Delta Region", []string{"Lowmarsh", "Ninefork", "Saltreed"}},
	{"Highlands", []string{"Mount Elin", "Tarsa", "Greystone"}},
	{"Eastern Plains", []string{"Dunmore", "Harlow Cross", "Okuta"}},
	{"Lake District", []string{"Lakeshore", "Mirren", "Fenwick"}},
	{"Southern Province", []string{"Southgate", "Varo", "Palmhill"}},
}

// seedSector is an ISIC Rev.4 division where forced labour is common
// (ILO, Global Estimates of Modern Slavery 2022: domestic work,
// construction, manufacturing, agriculture and fishing, accommodation and
// food), with what work there looks like.
type seedSector struct {
	section, division string
	weight            int
	activity          string   // for case titles: "cocoa farm"
	employer          []string // words in employers' names
	site              []string // worksite descriptions
}

var seedSectors = []seedSector{
	{"A", "01", 16, "plantation", []string{"Agro", "Farms", "Plantations", "Growers"}, []string{"Cocoa plantation with workers' barracks", "Vegetable greenhouses", "Palm oil estate", "Sugar cane fields", "Tea estate and drying shed"}},
	{"A", "03", 8, "fishing vessel", []string{"Fisheries", "Marine", "Seafood"}, []string{"Fishing vessel moored at the harbour", "Shrimp peeling shed", "Fish processing jetty"}},
	{"A", "02", 2, "logging camp", []string{"Timber", "Forestry"}, []string{"Logging camp in the forest reserve"}},
	{"C", "14", 8, "garment workshop", []string{"Garments", "Textiles", "Fashion"}, []string{"Garment workshop on the upper floor", "Sewing unit behind a shop"}},
	{"C", "23", 5, "brick kiln", []string{"Bricks", "Ceramics"}, []string{"Brick kiln with workers' huts", "Clay pit and kiln"}},
	{"C", "10", 4, "food processing plant", []string{"Foods", "Processing"}, []string{"Meat packing plant", "Cashew processing unit"}},
	{"F", "41", 10, "construction site", []string{"Construction", "Builders", "Contractors"}, []string{"High-rise construction site", "Housing project with labour camp"}},
	{"F", "42", 4, "road works", []string{"Civil Works", "Engineering"}, []string{"Road construction camp", "Bridge works"}},
	{"T", "97", 14, "private household", []string{"Household"}, []string{"Private household, live-in domestic work", "Villa with domestic staff quarters"}},
	{"I", "56", 6, "restaurant", []string{"Restaurants", "Catering", "Kitchens"}, []string{"Restaurant kitchen", "Catering company kitchen"}},
	{"I", "55", 4, "hotel", []string{"Hotels", "Resorts", "Hospitality"}, []string{"Hotel housekeeping department", "Beach resort"}},
	{"B", "08", 4, "quarry", []string{"Quarries", "Mining"}, []string{"Stone quarry", "Sand mining site"}},
	{"B", "07", 2, "gold mine", []string{"Mining", "Minerals"}, []string{"Artisanal gold mine"}},
	{"N", "81", 3, "cleaning company", []string{"Cleaning Services", "Facility Services"}, []string{"Office building cleaned at night"}},
	{"S", "96", 3, "massage parlour", []string{"Wellness", "Beauty"}, []string{"Massage and nail salon"}},
	{"H", "49", 2, "trucking depot", []string{"Logistics", "Transport"}, []string{"Truck depot and warehouse"}},
	{"G", "47", 1, "market stall", []string{"Trading", "Retail"}, []string{"Market stalls and storeroom"}},
}

// seedIndicators are the ILO indicators of forced labour (ILO, Indicators
// of Forced Labour, 2012), for case titles.
var seedIndicators = []string{
	"unpaid wages", "passports retained", "debt bondage", "restricted movement", "threats against family",
	"deceptive recruitment", "excessive overtime", "isolation", "physical violence", "abusive living conditions",
	"recruitment fees", "confiscated phones",
}

var seedStreets = []string{"Market Street", "Harbour Road", "Station Road", "Mill Lane", "Industrial Avenue", "Kiln Road",
	"Palm Avenue", "Quarry Road", "Canal Street", "Hillside Road", "Fishermen's Wharf", "Old Mission Road"}

var seedRecruiterWords = []string{"Global", "Golden", "Bright Future", "Star", "Pacific", "Sunrise", "Continental", "Prime", "Horizon", "United", "Crescent", "Silver Line"}
var seedRecruiterKinds = []string{"Manpower Services", "Recruitment Agency", "Overseas Employment", "Placement Agency", "HR Solutions", "Travel and Jobs"}
var seedCompanySuffixes = []string{"Ltd", "Co.", "& Sons", "Enterprises", "Group", "SARL", "S.A.", "Pvt Ltd"}

var seedTaskTitles = []string{
	"Interview the presumed victims with an interpreter", "Refer the victims to a shelter", "Request a joint labour inspection",
	"Check the employer's registration", "Collect pay slips and contracts", "Arrange medical examination",
	"Ask the consulate for travel documents", "Calculate wage arrears", "Send the file to the prosecutor",
	"Follow up with the victim services", "Verify the recruitment agency's licence", "Return the retained passports",
}

// Weighted choices of the plan.
var (
	seedStatusWeights = []weighted[flare.CaseStatus]{
		{flare.CaseClosed, 40}, {flare.CaseOpen, 15}, {flare.CaseAssessment, 12}, {flare.CaseReferred, 10},
		{flare.CaseInvestigation, 15}, {flare.CaseProceedings, 8},
	}
	seedReasonWeights = []weighted[flare.ClosureReason]{
		{flare.ClosureResolved, 30}, {flare.ClosureNoForcedLabour, 20}, {flare.ClosureReferredElsewhere, 12},
		{flare.ClosureProceedingsEnded, 15}, {flare.ClosureWithdrawn, 8}, {flare.ClosureUnreachable, 8},
		{flare.ClosureDuplicate, 4}, {flare.ClosureOther, 3},
	}
	seedRoleWeights = []weighted[string]{
		{seedRoleVictim, 72}, {seedRolePerpetrator, 10}, {seedRoleWitness, 10}, {seedRoleReporter, 8},
	}
)

// The roles of a planned person; seed.go maps them onto the person
// service's roles.
const (
	seedRoleVictim      = "presumed_victim"
	seedRolePerpetrator = "suspected_perpetrator"
	seedRoleWitness     = "witness"
	seedRoleReporter    = "reporter"
)

type weighted[T any] struct {
	v T
	w int
}

func pickWeighted[T any](r *rand.Rand, ws []weighted[T]) T {
	total := 0
	for _, x := range ws {
		total += x.w
	}
	n := r.IntN(total)
	for _, x := range ws {
		if n < x.w {
			return x.v
		}
		n -= x.w
	}
	return ws[len(ws)-1].v
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// seedCasePlan is everything Seed writes for one case.
type seedCasePlan struct {
	agency    int // index into the agencies in use
	reference string
	title     string
	region    string
	status    flare.CaseStatus
	reason    flare.ClosureReason
	openedOn  time.Time
	closedOn  *time.Time
	createdAt time.Time
	people    []seedPersonPlan
	orgs      []seedOrgPlan
	sites     []seedSitePlan
	tasks     []seedTaskPlan
	// The records of issue #6 (seedcasework in this file).
	referrals   []seedReferralPlan
	services    []seedServicePlan
	periods     []seedPeriodPlan
	inspections []seedInspectionPlan
	proceedings []seedProceedingPlan
}

type seedPersonPlan struct {
	role        string
	firstName   string
	familyName  string
	sex         string // "female" or "male"
	birthdate   *time.Time
	estimated   int // estimated age in years when the birthdate is unknown
	nationality string
	languages   []string
	phone       string
}

type seedOrgPlan struct {
	kind         string // employer, recruitment_agency, labour_contractor, buyer
	name         string
	registration string
	country      string
	city         string
}

type seedSitePlan struct {
	address     string
	city        string
	region      string
	section     string
	division    string
	description string
	lat, lng    float64
}

type seedTaskPlan struct {
	title string
	dueOn time.Time
}

// seedPlanner makes the plan of each case from the seed.
type seedPlanner struct {
	seed     int64
	today    time.Time
	agencies []seedAgency
	names    []nameGroup // every origin, the local group included
	local    nameGroup   // the host country's names
	people   int         // per case
}

// plan returns the plan of case n (0-based within this run; number is the
// case's number in its reference). Each case draws from its own stream, so
// its plan depends on the seed and n only.
func (p *seedPlanner) plan(n, number int) seedCasePlan {
	r := rand.New(rand.NewPCG(uint64(p.seed), uint64(n)))
	ws := make([]weighted[int], len(p.agencies))
	for i, a := range p.agencies {
		ws[i] = weighted[int]{i, a.weight}
	}
	c := seedCasePlan{agency: pickWeighted(r, ws)}
	// Opened in the last five years, older cases more often closed.
	age := r.IntN(5 * 365)
	c.openedOn = p.today.AddDate(0, 0, -age)
	c.createdAt = c.openedOn.Add(time.Duration(8*3600+r.IntN(10*3600)) * time.Second)
	c.status = pickWeighted(r, seedStatusWeights)
	if age > 2*365 && r.IntN(3) > 0 {
		c.status = flare.CaseClosed
	}
	if c.status == flare.CaseClosed {
		closed := c.openedOn.AddDate(0, 0, r.IntN(age+1))
		c.closedOn = &closed
		c.reason = pickWeighted(r, seedReasonWeights)
	}
	c.reference = fmt.Sprintf("%s/%d/%06d", p.agencies[c.agency].prefix, c.openedOn.Year(), number)
	region := pick(r, seedRegions)
	c.region = region.name
	town := pick(r, region.towns)
	sector := pickSector(r)
	c.title = fmt.Sprintf("%s in %s: %s", capitalise(sector.activity), town, pick(r, seedIndicators))
	if r.IntN(3) == 0 {
		c.title += ", " + pick(r, seedIndicators)
	}
	origin := pick(r, p.names)
	local := p.local
	c.people = make([]seedPersonPlan, p.people)
	for i := range c.people {
		c.people[i] = p.person(r, i, origin, local)
	}
	c.orgs = planOrgs(r, sector, town, local)
	c.sites = append(c.sites, planSite(r, sector, region.name, town))
	if r.IntN(4) == 0 {
		c.sites = append(c.sites, planSite(r, pickSector(r), region.name, pick(r, region.towns)))
	}
	c.tasks = p.tasks(r, c)
	// Drawn last, so that the cases, people, parties and tasks of a seed
	// are those it gave before these records were seeded.
	p.casework(r, &c, town)
	return c
}

func pickSector(r *rand.Rand) seedSector {
	ws := make([]weighted[int], len(seedSectors))
	for i, s := range seedSectors {
		ws[i] = weighted[int]{i, s.weight}
	}
	return seedSectors[pickWeighted(r, ws)]
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// person plans the i-th person of a case: the first is most often the
// reporter or a victim, victims come mostly from the case's origin, and
// suspected perpetrators mostly from the local group.
func (p *seedPlanner) person(r *rand.Rand, i int, origin, local nameGroup) seedPersonPlan {
	role := pickWeighted(r, seedRoleWeights)
	if i == 0 {
		role = seedRoleVictim
	}
	g := origin
	switch {
	case role == seedRolePerpetrator && r.IntN(3) > 0, role == seedRoleReporter && r.IntN(2) == 0:
		g = local
	case role == seedRoleVictim && r.IntN(10) == 0:
		g = pick(r, p.names)
	}
	pp := seedPersonPlan{role: role, nationality: pick(r, g.Nationalities)}
	if r.IntN(100) < 45 {
		pp.sex, pp.firstName = "female", pick(r, g.Female)
	} else {
		pp.sex, pp.firstName = "male", pick(r, g.Male)
	}
	pp.familyName = pick(r, g.Family)
	pp.languages = []string{pick(r, g.Languages)}
	if r.IntN(3) == 0 {
		if l := pick(r, g.Languages); l != pp.languages[0] {
			pp.languages = append(pp.languages, l)
		}
	}
	// Ages: victims 15 to 55 (about one in twelve a child), others adults.
	years := 18 + r.IntN(38)
	if role == seedRoleVictim && r.IntN(12) == 0 {
		years = 14 + r.IntN(4)
	}
	if role != seedRoleVictim {
		years = 22 + r.IntN(40)
	}
	if r.IntN(3) == 0 {
		pp.estimated = years // no document: an estimated age
	} else {
		b := p.today.AddDate(-years, 0, -r.IntN(365))
		pp.birthdate = &b
	}
	if r.IntN(2) == 0 {
		pp.phone = fmt.Sprintf("+%d %03d %04d", 200+r.IntN(700), r.IntN(1000), r.IntN(10000))
	}
	return pp
}

func planOrgs(r *rand.Rand, sector seedSector, town string, local nameGroup) []seedOrgPlan {
	employer := seedOrgPlan{kind: "employer", country: pick(r, local.Nationalities), city: town,
		registration: fmt.Sprintf("RC-%07d", r.IntN(10000000))}
	if sector.section == "T" {
		employer.name = "Household " + pick(r, local.Family)
	} else {
		employer.name = fmt.Sprintf("%s %s %s", pick(r, local.Family), pick(r, sector.employer), pick(r, seedCompanySuffixes))
	}
	out := []seedOrgPlan{employer}
	if r.IntN(2) == 0 {
		out = append(out, seedOrgPlan{kind: "recruitment_agency",
			name:         fmt.Sprintf("%s %s", pick(r, seedRecruiterWords), pick(r, seedRecruiterKinds)),
			registration: fmt.Sprintf("LIC-%05d", r.IntN(100000)), country: pick(r, local.Nationalities), city: town})
	}
	if r.IntN(5) == 0 {
		out = append(out, seedOrgPlan{kind: "labour_contractor",
			name:         fmt.Sprintf("%s Labour Supply %s", pick(r, local.Family), pick(r, seedCompanySuffixes)),
			registration: fmt.Sprintf("LC-%06d", r.IntN(1000000)), country: pick(r, local.Nationalities), city: town})
	}
	if r.IntN(10) == 0 {
		out = append(out, seedOrgPlan{kind: "buyer",
			name:    fmt.Sprintf("%s %s International", pick(r, seedRecruiterWords), pick(r, sector.employer)),
			country: "GB", city: "London", registration: fmt.Sprintf("%08d", r.IntN(100000000))})
	}
	return out
}

func planSite(r *rand.Rand, sector seedSector, region, town string) seedSitePlan {
	return seedSitePlan{
		address: fmt.Sprintf("%d %s", 1+r.IntN(240), pick(r, seedStreets)), city: town, region: region,
		section: sector.section, division: sector.division, description: pick(r, sector.site),
		// Somewhere in a box of about 600 km by 600 km.
		lat: -5 + r.Float64()*5.5, lng: 30 + r.Float64()*5.5,
	}
}

// tasks plans a case's open tasks, about a third of them overdue. A
// closed case has none left: the seeder writes no task as done, since a
// done task names the user who did it and the console is no user.
func (p *seedPlanner) tasks(r *rand.Rand, c seedCasePlan) []seedTaskPlan {
	if c.status == flare.CaseClosed {
		return nil
	}
	out := make([]seedTaskPlan, 1+r.IntN(4))
	for i := range out {
		t := seedTaskPlan{title: pick(r, seedTaskTitles), dueOn: p.today.AddDate(0, 0, 1+r.IntN(45))}
		if r.IntN(3) == 0 {
			t.dueOn = p.today.AddDate(0, 0, -1-r.IntN(60)) // overdue
		}
		out[i] = t
	}
	return out
}

// ----- The records of issue #6 -----
//
// Referrals between the agencies, the services and protection periods of
// presumed victims, the inspections of worksites and the proceedings of a
// case, in shares a national response of this size might show. They are
// planned from the case alone (its status, dates, people and parties), so
// they agree with it: nothing dated before the case opened or after it
// closed (or after today), services and periods for presumed victims only,
// a closed proceeding with its outcome, an open one in a case still open.

// seedReferralPlan is one referral of a case and what it shares.
type seedReferralPlan struct {
	to        int // index into the agencies in use
	purpose   string
	urgent    bool
	access    flare.GrantAccess
	basis     flare.LegalBasis
	reference string
	people    []int // indexes into the case's people; none is the whole case
	consent   *seedConsentPlan
	createdAt time.Time
	dueOn     time.Time
	status    flare.ReferralStatus
	// decidedAt is when an accepted or declined referral was answered.
	decidedAt     *time.Time
	declineReason string
	// withdrawnAt is when the person withdrew their consent: before the
	// answer (status withdrawn) or after it was accepted (grant revoked).
	withdrawnAt *time.Time
}

type seedConsentPlan struct {
	person      int
	givenOn     time.Time
	language    string
	interpreter string
	scope       string
	expiresOn   time.Time
}

type seedServicePlan struct {
	person     int
	kind       flare.ServiceKind
	agency     int // index into the agencies in use, -1 for none
	provider   string
	startedOn  time.Time
	endedOn    *time.Time
	outcome    string
	recordedAt time.Time
}

type seedPeriodPlan struct {
	person     int
	kind       flare.PeriodKind
	agency     int // the responsible agency
	startsOn   time.Time
	endsOn     time.Time // as first recorded, before extensions
	reference  string
	extensions []seedExtensionPlan
	recordedAt time.Time
}

type seedExtensionPlan struct {
	endsOn     time.Time
	reason     string
	extendedAt time.Time
}

type seedInspectionPlan struct {
	site       int
	kind       flare.InspectionKind
	visitedOn  time.Time
	inspectors []string
	findings   string
	workers    int
	orders     []string
	createdAt  time.Time
}

type seedProceedingPlan struct {
	kind      flare.ProceedingKind
	stage     flare.ProceedingStage
	reference string
	openedOn  time.Time
	closedOn  *time.Time
	outcome   flare.ProceedingOutcome
	people    []int // suspected perpetrators of the case
	orgs      []int // indexes into the case's organisations
	penalties []flare.Penalty
	createdAt time.Time
	updatedAt time.Time
}

// seedReferralRoutes are where an agency of each kind sends its cases, and
// how often: the inspectorate to the police and victim services, the
// police to the prosecutor, the NGOs to the police and the inspectorate...
// (ILO 2013 Tripartite Meeting of Experts, conclusions ¶9 and ¶12: a
// national referral mechanism between enforcement and victim services).
var seedReferralRoutes = map[flare.AgencyKind][]weighted[flare.AgencyKind]{
	flare.AgencyLabourInspectorate: {{flare.AgencyPolice, 5}, {flare.AgencyVictimServices, 4}, {flare.AgencyProsecution, 1}, {flare.AgencyImmigration, 1}},
	flare.AgencyPolice:             {{flare.AgencyVictimServices, 4}, {flare.AgencyProsecution, 4}, {flare.AgencyLabourInspectorate, 2}, {flare.AgencyImmigration, 1}},
	flare.AgencyNGO:                {{flare.AgencyPolice, 3}, {flare.AgencyLabourInspectorate, 3}, {flare.AgencyVictimServices, 3}},
	flare.AgencyVictimServices:     {{flare.AgencyPolice, 3}, {flare.AgencyNGO, 2}, {flare.AgencyImmigration, 2}},
	flare.AgencyProsecution:        {{flare.AgencyPolice, 3}, {flare.AgencyVictimServices, 2}},
	flare.AgencyImmigration:        {{flare.AgencyPolice, 3}, {flare.AgencyVictimServices, 3}},
	flare.AgencyTradeUnion:         {{flare.AgencyLabourInspectorate, 4}, {flare.AgencyNGO, 2}, {flare.AgencyPolice, 1}},
}

// seedReferralPurposes are what a receiving agency of each kind is asked
// to do, and the scope of a consent given for it.
var seedReferralPurposes = map[flare.AgencyKind]struct{ purposes, scopes []string }{
	flare.AgencyPolice: {[]string{"Open a criminal investigation: indicators of forced labour found", "Investigate the recruiter and the retention of passports", "Protect the workers who fear reprisals"},
		[]string{"Identity and statement, for the criminal investigation"}},
	flare.AgencyProsecution: {[]string{"Consider charges of forced labour and trafficking", "Review the evidence before charges"},
		[]string{"Identity and statement, for the prosecution"}},
	flare.AgencyVictimServices: {[]string{"Assist the presumed victims: shelter, medical care, interpretation", "Find a shelter place for the workers tonight", "Psychological support and legal aid for the victims"},
		[]string{"Identity and contact details, to arrange shelter and assistance", "Identity, health needs and contact details, for assistance"}},
	flare.AgencyLabourInspectorate: {[]string{"Inspect the worksite and calculate the wages owed", "Joint inspection of the worksite"},
		[]string{"Identity and employment details, to claim the wages owed"}},
	flare.AgencyImmigration: {[]string{"Grant a recovery and reflection period to the foreign victims", "Issue temporary residence permits to the victims"},
		[]string{"Identity and nationality, for a recovery period and residence permit"}},
	flare.AgencyNGO: {[]string{"Reintegration support and job training after the shelter", "Accompany the workers to court"},
		[]string{"Identity and contact details, for reintegration support"}},
}

var seedLawBases = []string{
	"Prevention of Trafficking in Persons Act 2018, s. 21 (mandatory referral)",
	"Labour Code, art. 612 (report of offences to the competent authority)",
	"Criminal Procedure Code, art. 40 (duty to report offences)",
	"Victims' Assistance Regulation 2020, reg. 7 (referral for assistance)",
}

var seedDeclineReasons = []string{
	"Outside our mandate: no worker of our sector",
	"Not enough information: send the inspection report first",
	"No shelter place left this month; ask the NGO shelter",
	"Already handled in one of our own cases",
	"The workers have left the country",
}

// Who delivers a service when no Flare agency does.
var seedProviders = map[flare.ServiceKind][]string{
	flare.ServiceShelter:          {"Saint Brigid Women's Shelter", "Safe House of the Red Cross", "Municipal emergency shelter"},
	flare.ServiceMedical:          {"District General Hospital", "Mobile clinic of Doctors of the World", "Health centre of the town"},
	flare.ServicePsychological:    {"Trauma counselling centre", "Psychologist of the victims' unit"},
	flare.ServiceLegalAid:         {"Bar association legal aid clinic", "University law clinic"},
	flare.ServiceInterpretation:   {"Court interpreters' pool", "Community interpreters' association"},
	flare.ServiceFinancialSupport: {"Victims' assistance fund", "Municipal social services"},
	flare.ServiceSafeReturn:       {"IOM assisted voluntary return programme", "Consulate of the country of origin"},
	flare.ServiceReintegration:    {"IOM reintegration programme", "Vocational training centre"},
	flare.ServiceEmployment:       {"Public employment service", "Job placement programme of the union"},
}

var seedServiceKinds = []weighted[flare.ServiceKind]{
	{flare.ServiceShelter, 20}, {flare.ServiceMedical, 18}, {flare.ServicePsychological, 12}, {flare.ServiceLegalAid, 12},
	{flare.ServiceInterpretation, 12}, {flare.ServiceFinancialSupport, 10}, {flare.ServiceSafeReturn, 6},
	{flare.ServiceReintegration, 5}, {flare.ServiceEmployment, 5},
}

// seedOutcomes are outcomes of services, none naming anyone; they are
// sealed all the same, as the service seals them.
var seedOutcomes = map[flare.ServiceKind][]string{
	flare.ServiceShelter:          {"Stayed in the shelter until a room was found.", "Left the shelter for the family's home."},
	flare.ServiceMedical:          {"Treated for injuries to the hands; follow-up in four weeks.", "Examined; malnutrition treated.", "Dental care and vaccinations."},
	flare.ServicePsychological:    {"Eight counselling sessions; sleeping better.", "Referred to a specialist for trauma therapy."},
	flare.ServiceLegalAid:         {"Lawyer assigned for the wage claim.", "Advised on the criminal complaint and the residence permit."},
	flare.ServiceInterpretation:   {"Interpreter at the interview and the medical examination."},
	flare.ServiceFinancialSupport: {"Monthly allowance paid for three months.", "Emergency grant for clothes and a phone."},
	flare.ServiceSafeReturn:       {"Returned home with an escort; met by the family.", "Travel documents issued by the consulate."},
	flare.ServiceReintegration:    {"Started a sewing business with a small grant.", "Back in school."},
	flare.ServiceEmployment:       {"Found work in a hotel with a written contract.", "Six-month training, then hired."},
}

var seedExtensionReasons = []string{
	"Still receiving medical treatment",
	"Needed as a witness in the criminal proceedings",
	"The wage claim is still before the labour court",
	"Not yet safe to return: threats from the recruiter",
}

var seedInspectionOrders = []string{
	"Stop-work order on the site until it is made safe",
	"Pay the wages owed within 14 days",
	"Return the workers' identity documents today",
	"Provide drinking water, sanitation and rest days",
	"Give every worker a written contract",
	"Close the locked dormitory",
}

// Amounts of penalties are in euro cents: the synthetic country's local
// names are from euro-area countries.
const seedCurrency = "EUR"

var (
	seedCriminalStages = []weighted[flare.ProceedingStage]{
		{flare.StageInvestigation, 35}, {flare.StageCharged, 25}, {flare.StageTrial, 25}, {flare.StageVerdict, 10}, {flare.StageAppeal, 5},
	}
	seedAdminStages = []weighted[flare.ProceedingStage]{{flare.StageOpened, 50}, {flare.StageDecided, 35}, {flare.StageAppeal, 15}}
	seedCivilStages = []weighted[flare.ProceedingStage]{{flare.StageFiled, 60}, {flare.StageJudgment, 30}, {flare.StageAppeal, 10}}
	// seedFirstInstance are the decisions a running proceeding may carry
	// at its verdict, decision or judgment, or under appeal.
	seedFirstInstance = map[flare.ProceedingKind][]flare.ProceedingOutcome{
		flare.ProceedingCriminal:       {flare.OutcomeConvicted, flare.OutcomeConvicted, flare.OutcomeAcquitted},
		flare.ProceedingAdministrative: {flare.OutcomeFined, flare.OutcomeFined, flare.OutcomeOrdered},
		flare.ProceedingCivil:          {flare.OutcomeUpheld, flare.OutcomeUpheld, flare.OutcomeRejected},
	}
	seedOutcomeWeights = map[flare.ProceedingKind][]weighted[flare.ProceedingOutcome]{
		flare.ProceedingCriminal: {{flare.OutcomeConvicted, 55}, {flare.OutcomeAcquitted, 20}, {flare.OutcomeDismissed, 15}, {flare.OutcomeWithdrawn, 10}},
		flare.ProceedingAdministrative: {{flare.OutcomeFined, 55}, {flare.OutcomeOrdered, 20}, {flare.OutcomeNoBreach, 15},
			{flare.OutcomeDismissed, 5}, {flare.OutcomeWithdrawn, 5}},
		flare.ProceedingCivil: {{flare.OutcomeUpheld, 45}, {flare.OutcomeSettled, 25}, {flare.OutcomeRejected, 15},
			{flare.OutcomeDismissed, 10}, {flare.OutcomeWithdrawn, 5}},
	}
)

const seedDay = 24 * time.Hour

// daysBetween is the number of whole days from a to b (0 when b is not
// after a).
func daysBetween(a, b time.Time) int {
	if !b.After(a) {
		return 0
	}
	return int(b.Sub(a) / seedDay)
}

// dayIn returns a day from from to to (from when to is not after it), at
// most span days after from when span is positive.
func dayIn(r *rand.Rand, from, to time.Time, span int) time.Time {
	n := daysBetween(from, to)
	if span > 0 {
		n = min(n, span)
	}
	return from.AddDate(0, 0, r.IntN(n+1))
}

// atWork is a time of day in office hours on day d.
func atWork(r *rand.Rand, d time.Time) time.Time {
	return d.Add(time.Duration(8*3600+r.IntN(9*3600)) * time.Second)
}

// casework plans the records of issue #6 of case c, whose main worksite is
// in town.
func (p *seedPlanner) casework(r *rand.Rand, c *seedCasePlan, town string) {
	end := p.today
	if c.closedOn != nil {
		end = *c.closedOn
	}
	c.referrals = p.referrals(r, c, end)
	p.protection(r, c, end, town)
	c.inspections = p.inspections(r, c, end)
	c.proceedings = p.proceedings(r, c, end)
}

// agencyOfKind returns the index of the agency in use of kind k, or -1.
func (p *seedPlanner) agencyOfKind(k flare.AgencyKind) int {
	for i, a := range p.agencies {
		if a.kind == k {
			return i
		}
	}
	return -1
}

// victims returns the indexes of the presumed victims of c (every victim
// once the case is past "open", as seedPerson records it).
func victims(c *seedCasePlan) []int {
	var out []int
	if c.status == flare.CaseOpen {
		return nil
	}
	for i, pp := range c.people {
		if pp.role == seedRoleVictim {
			out = append(out, i)
		}
	}
	return out
}

// presumedOn is the day seedPerson records the victims of c as presumed.
func presumedOn(c *seedCasePlan) time.Time { return c.openedOn.AddDate(0, 0, 7) }

// referrals plans the referrals of c: every referred case has one, most
// cases under investigation or in proceedings, fewer of the others.
func (p *seedPlanner) referrals(r *rand.Rand, c *seedCasePlan, end time.Time) []seedReferralPlan {
	chance := map[flare.CaseStatus]int{flare.CaseOpen: 5, flare.CaseAssessment: 20, flare.CaseReferred: 100,
		flare.CaseInvestigation: 60, flare.CaseProceedings: 80, flare.CaseClosed: 30}[c.status]
	switch c.reason {
	case flare.ClosureReferredElsewhere:
		chance = 100
	case flare.ClosureProceedingsEnded:
		chance = 80
	}
	if r.IntN(100) >= chance {
		return nil
	}
	n := 1
	if r.IntN(7) == 0 {
		n = 2
	}
	var out []seedReferralPlan
	for i := range n {
		if ref, ok := p.referral(r, c, end, i == 0); ok {
			out = append(out, ref)
		}
	}
	return out
}

// referral plans one referral of c; first is the case's first referral.
func (p *seedPlanner) referral(r *rand.Rand, c *seedCasePlan, end time.Time, first bool) (seedReferralPlan, bool) {
	from := p.agencies[c.agency].kind
	var routes []weighted[int]
	for _, w := range seedReferralRoutes[from] {
		if to := p.agencyOfKind(w.v); to >= 0 && to != c.agency {
			routes = append(routes, weighted[int]{to, w.w})
		}
	}
	if len(routes) == 0 {
		return seedReferralPlan{}, false
	}
	ref := seedReferralPlan{to: pickWeighted(r, routes), urgent: r.IntN(5) == 0, access: flare.GrantContribute}
	toKind := p.agencies[ref.to].kind
	purposes := seedReferralPurposes[toKind]
	ref.purpose = pick(r, purposes.purposes)
	if r.IntN(10) < 3 {
		ref.access = flare.GrantRead
	}
	// A referred case waits for its answer: its referral is recent.
	day := dayIn(r, c.openedOn, end, 0)
	if c.status == flare.CaseReferred && first {
		day = end.AddDate(0, 0, -r.IntN(min(daysBetween(c.openedOn, end), 45)+1))
	}
	ref.createdAt = atWork(r, day)
	dueIn := 7 + r.IntN(24)
	if ref.urgent {
		dueIn = 2 + r.IntN(4)
	}
	ref.dueOn = day.AddDate(0, 0, dueIn)

	// The legal basis: assistance rests mostly on the person's consent,
	// enforcement mostly on the law (PRODUCT.md: nothing is shared without
	// a legal basis).
	vs := victims(c)
	consentShare := 15
	switch toKind {
	case flare.AgencyVictimServices, flare.AgencyNGO, flare.AgencyImmigration:
		consentShare = 60
	}
	switch k := r.IntN(100); {
	case k < consentShare && len(vs) > 0:
		v := pick(r, vs)
		pp := c.people[v]
		given := day.AddDate(0, 0, -r.IntN(4))
		if given.Before(c.openedOn) {
			given = c.openedOn
		}
		cp := &seedConsentPlan{person: v, givenOn: given, language: pp.languages[0], scope: pick(r, purposes.scopes),
			expiresOn: given.AddDate(0, 6+6*r.IntN(2), 0)}
		if !p.localLanguage(cp.language) || r.IntN(5) == 0 {
			cp.interpreter = p.interpreter(r, cp.language)
		}
		ref.basis, ref.consent, ref.people = flare.BasisConsent, cp, []int{v}
		ref.reference = fmt.Sprintf("Written consent form CF-%d-%05d, explained in the person's language", given.Year(), r.IntN(100000))
	case k < consentShare+15:
		ref.basis = flare.BasisCourtOrder
		ref.reference = fmt.Sprintf("Order of the High Court, No. HC/%d/%04d", day.Year(), 1+r.IntN(9999))
	default:
		ref.basis, ref.reference = flare.BasisLaw, pick(r, seedLawBases)
		if len(vs) > 0 && r.IntN(10) < 3 {
			ref.people = vs[:min(len(vs), 1+r.IntN(3))]
		}
	}

	// Where it stands: recent referrals of cases still open are often
	// unanswered (some past their due date), a few old ones forgotten; the
	// others were answered within a few weeks, most of them accepted.
	left := daysBetween(day, end)
	open := c.closedOn == nil
	switch {
	case open && left <= 40 && (r.IntN(100) < 60 || (c.status == flare.CaseReferred && first)),
		open && r.IntN(100) < 3,
		open && left < 1:
		ref.status = flare.ReferralSent
		if ref.basis == flare.BasisConsent && r.IntN(20) == 0 && left >= 1 {
			w := atWork(r, day.AddDate(0, 0, 1+r.IntN(left)))
			ref.status, ref.withdrawnAt = flare.ReferralWithdrawn, &w
		}
		return ref, true
	}
	// Answered within a few weeks, or on the day a case closed on the day
	// it was referred.
	decided := ref.createdAt.Add(2 * time.Hour)
	if left >= 1 {
		decided = atWork(r, day.AddDate(0, 0, 1+r.IntN(min(left, dueIn+7))))
	}
	ref.decidedAt = &decided
	switch k := r.IntN(100); {
	case k < 78:
		ref.status = flare.ReferralAccepted
		if ref.basis == flare.BasisConsent && r.IntN(20) == 0 {
			if after := daysBetween(decided, end); after >= 1 {
				w := atWork(r, flare.DateOf(decided).AddDate(0, 0, 1+r.IntN(after)))
				ref.withdrawnAt = &w
			}
		}
	case k < 96 || ref.basis != flare.BasisConsent:
		ref.status, ref.declineReason = flare.ReferralDeclined, pick(r, seedDeclineReasons)
	default:
		// The person withdrew their consent before the answer.
		ref.status, ref.decidedAt, ref.withdrawnAt = flare.ReferralWithdrawn, nil, &decided
	}
	return ref, true
}

// localLanguage reports whether lang is a language of the host country.
func (p *seedPlanner) localLanguage(lang string) bool {
	return slices.Contains(p.local.Languages, lang)
}

// interpreter names an interpreter of lang, from a group that speaks it.
func (p *seedPlanner) interpreter(r *rand.Rand, lang string) string {
	g := p.local
	for _, x := range p.names {
		if slices.Contains(x.Languages, lang) {
			g = x
			break
		}
	}
	first := pick(r, g.Male)
	if r.IntN(2) == 0 {
		first = pick(r, g.Female)
	}
	return first + " " + pick(r, g.Family)
}

// protection plans the services and protection periods of c: in half the
// cases past "open", the first presumed victim (and sometimes another)
// received one or two services; foreign victims
// among them a recovery and reflection period, and a residence permit
// when the case went on to an investigation or proceedings, some permits
// extended. Only a few victims of a case: the seed stays quick (see
// docs/benchmarks.md), and the lists and pages have what to show.
func (p *seedPlanner) protection(r *rand.Rand, c *seedCasePlan, end time.Time, town string) {
	vs := victims(c)
	start := presumedOn(c)
	if len(vs) == 0 || start.After(end) || r.IntN(100) >= 50 {
		return
	}
	who := []int{vs[0]}
	if len(vs) > 1 && r.IntN(10) < 3 {
		who = append(who, vs[1+r.IntN(len(vs)-1)])
	}
	vss, ngo := p.agencyOfKind(flare.AgencyVictimServices), p.agencyOfKind(flare.AgencyNGO)
	for _, v := range who {
		for range 1 + r.IntN(2) {
			s := seedServicePlan{person: v, kind: pickWeighted(r, seedServiceKinds), agency: -1}
			switch {
			case vss >= 0 && r.IntN(2) == 0 && s.kind != flare.ServiceSafeReturn:
				s.agency = vss
			case ngo >= 0 && r.IntN(4) == 0:
				s.agency = ngo
			}
			if s.agency < 0 || r.IntN(3) == 0 {
				s.provider = pick(r, seedProviders[s.kind])
				if s.kind == flare.ServiceMedical || s.kind == flare.ServiceShelter {
					s.provider += ", " + town
				}
			}
			s.startedOn = dayIn(r, start, end, 60)
			if ends := s.startedOn.AddDate(0, 0, 1+r.IntN(120)); !ends.After(end) || c.closedOn != nil {
				if ends.After(end) {
					ends = end
				}
				s.endedOn = &ends
				s.outcome = pick(r, seedOutcomes[s.kind])
			} else if r.IntN(2) == 0 {
				s.outcome = "Ongoing."
			}
			s.recordedAt = atWork(r, s.startedOn)
			c.services = append(c.services, s)
		}
		if slices.Contains(p.local.Nationalities, c.people[v].nationality) || r.IntN(10) < 4 {
			continue
		}
		p.periods(r, c, v, start, end)
	}
}

// periods plans the recovery period of foreign victim v from start, then
// perhaps a residence permit, with the default lengths
// (flare.DefaultProtectionConfig: 30 and 180 days).
func (p *seedPlanner) periods(r *rand.Rand, c *seedCasePlan, v int, start, end time.Time) {
	cfg := flare.DefaultProtectionConfig()
	resp := c.agency
	if i := p.agencyOfKind(flare.AgencyVictimServices); i >= 0 {
		resp = i
	}
	rec := seedPeriodPlan{person: v, kind: flare.PeriodRecovery, agency: resp, startsOn: start,
		endsOn: start.AddDate(0, 0, cfg.RecoveryPeriodDays-1), recordedAt: atWork(r, start)}
	if r.IntN(2) == 0 {
		rec.reference = fmt.Sprintf("RR-%d-%05d", start.Year(), r.IntN(100000))
	}
	c.periods = append(c.periods, rec)
	permit := c.status == flare.CaseInvestigation || c.status == flare.CaseProceedings || c.reason == flare.ClosureProceedingsEnded
	from := rec.endsOn.AddDate(0, 0, 1)
	if !permit || from.After(end) || r.IntN(10) < 3 {
		return
	}
	resp = c.agency
	if i := p.agencyOfKind(flare.AgencyImmigration); i >= 0 {
		resp = i
	}
	res := seedPeriodPlan{person: v, kind: flare.PeriodResidence, agency: resp, startsOn: from,
		endsOn: from.AddDate(0, 0, cfg.ResidencePermitDays-1), recordedAt: atWork(r, from),
		reference: fmt.Sprintf("TRP-%d-%06d", from.Year(), r.IntN(1000000))}
	// Extended, once or twice, a few days before it would end, when that
	// day has come.
	current := res.endsOn
	for range 2 {
		on := current.AddDate(0, 0, -3-r.IntN(10))
		if on.After(end) || r.IntN(10) < 6 {
			break
		}
		current = current.AddDate(0, 0, cfg.ResidencePermitDays)
		res.extensions = append(res.extensions, seedExtensionPlan{endsOn: current, reason: pick(r, seedExtensionReasons),
			extendedAt: atWork(r, on)})
	}
	c.periods = append(c.periods, res)
}

// inspections plans the inspections of c's worksites: half the cases of
// the labour inspectorate have one or two, a few cases of the others.
func (p *seedPlanner) inspections(r *rand.Rand, c *seedCasePlan, end time.Time) []seedInspectionPlan {
	chance := 10
	if p.agencies[c.agency].kind == flare.AgencyLabourInspectorate {
		chance = 50
	}
	if r.IntN(100) >= chance {
		return nil
	}
	n := 1
	if r.IntN(5) == 0 {
		n = 2
	}
	out := make([]seedInspectionPlan, n)
	for i := range out {
		in := seedInspectionPlan{site: r.IntN(len(c.sites)), kind: flare.InspectionUnannounced,
			visitedOn: dayIn(r, c.openedOn, end, 90), workers: 2 + r.IntN(25)}
		if r.IntN(10) < 3 {
			in.kind = flare.InspectionPlanned
		}
		for range 1 + r.IntN(3) {
			first := pick(r, p.local.Female)
			if r.IntN(2) == 0 {
				first = pick(r, p.local.Male)
			}
			in.inspectors = append(in.inspectors, first+" "+pick(r, p.local.Family))
		}
		onSite := in.workers + r.IntN(40)
		in.findings = fmt.Sprintf("%d workers on site at the time of the visit; %d interviewed apart from the managers. "+
			"Workers described %s and %s. The living quarters were inspected.",
			onSite, in.workers, pick(r, seedIndicators), pick(r, seedIndicators))
		for range r.IntN(4) {
			if o := pick(r, seedInspectionOrders); !slices.Contains(in.orders, o) {
				in.orders = append(in.orders, o)
			}
		}
		in.createdAt = atWork(r, in.visitedOn)
		out[i] = in
	}
	return out
}

// proceedings plans the proceedings of c: a criminal one in every case in
// proceedings and most cases closed when they ended, sometimes a civil or
// administrative one beside it, and an administrative one in some cases
// under investigation or closed otherwise.
func (p *seedPlanner) proceedings(r *rand.Rand, c *seedCasePlan, end time.Time) []seedProceedingPlan {
	var kinds []flare.ProceedingKind
	switch {
	case c.status == flare.CaseProceedings || (c.reason == flare.ClosureProceedingsEnded && r.IntN(10) < 8):
		kinds = append(kinds, flare.ProceedingCriminal)
		if r.IntN(10) < 3 {
			kinds = append(kinds, pick(r, []flare.ProceedingKind{flare.ProceedingCivil, flare.ProceedingAdministrative}))
		}
	case c.status == flare.CaseInvestigation && r.IntN(10) < 3, c.status == flare.CaseClosed && r.IntN(100) < 8:
		kinds = append(kinds, flare.ProceedingAdministrative)
	case c.reason == flare.ClosureProceedingsEnded:
		kinds = append(kinds, flare.ProceedingCivil)
	}
	var perpetrators []int
	for i, pp := range c.people {
		if pp.role == seedRolePerpetrator {
			perpetrators = append(perpetrators, i)
		}
	}
	var out []seedProceedingPlan
	for _, k := range kinds {
		pr := seedProceedingPlan{kind: k}
		pr.openedOn = dayIn(r, c.openedOn.AddDate(0, 0, 14+r.IntN(150)), end, 0)
		if pr.openedOn.After(end) {
			pr.openedOn = end
		}
		pr.createdAt = atWork(r, pr.openedOn)
		n := 1 + r.IntN(9999)
		switch k {
		case flare.ProceedingCriminal:
			pr.reference = fmt.Sprintf("CR-%04d/%d", n, pr.openedOn.Year())
			pr.people = perpetrators
			if len(pr.people) == 0 || r.IntN(10) < 4 {
				pr.orgs = []int{0} // the employer, planned first
			}
		case flare.ProceedingAdministrative:
			pr.reference = fmt.Sprintf("ADM/%d/%04d", pr.openedOn.Year(), n)
			pr.orgs = []int{0}
		case flare.ProceedingCivil:
			pr.reference = fmt.Sprintf("LC-%04d/%d", n, pr.openedOn.Year())
			pr.orgs = []int{0}
		}
		if len(c.orgs) > 1 && c.orgs[1].kind == "recruitment_agency" && k != flare.ProceedingCivil && r.IntN(10) < 3 {
			pr.orgs = append(pr.orgs, 1)
		}
		// A closed case has its proceedings closed; an open one mostly
		// running, a few already over.
		mayEnd := k != flare.ProceedingCriminal || c.status != flare.CaseProceedings
		if c.closedOn != nil || (mayEnd && daysBetween(pr.openedOn, end) > 180 && r.IntN(10) < 3) {
			closed := dayIn(r, pr.openedOn, end, 0)
			pr.closedOn, pr.stage = &closed, flare.StageClosed
			pr.outcome = pickWeighted(r, seedOutcomeWeights[k])
			pr.updatedAt = atWork(r, closed)
		} else {
			stages := map[flare.ProceedingKind][]weighted[flare.ProceedingStage]{flare.ProceedingCriminal: seedCriminalStages,
				flare.ProceedingAdministrative: seedAdminStages, flare.ProceedingCivil: seedCivilStages}[k]
			pr.stage = pickWeighted(r, stages)
			pr.updatedAt = pr.createdAt
			// A decision at first instance carries its outcome.
			switch pr.stage {
			case flare.StageVerdict, flare.StageDecided, flare.StageJudgment, flare.StageAppeal:
				pr.outcome = pick(r, seedFirstInstance[k])
			}
		}
		pr.penalties = planPenalties(r, pr.outcome, len(c.people)+1)
		out = append(out, pr)
	}
	return out
}

// planPenalties plans the penalties of an outcome; workers is about how
// many people the case is about.
func planPenalties(r *rand.Rand, o flare.ProceedingOutcome, workers int) []flare.Penalty {
	// euros draws an amount in whole tens of euros, in cents.
	euros := func(lo, hi int) int64 { return int64((lo+r.IntN(hi-lo+1))/10*10) * 100 }
	var out []flare.Penalty
	switch o {
	case flare.OutcomeConvicted:
		// Forced labour is punished by imprisonment (ILO Protocol of 2014,
		// Art. 1: "effective" and "dissuasive" penalties); the months
		// here are synthetic, not any country's tariff.
		out = append(out, flare.Penalty{Kind: flare.PenaltyImprisonment, Months: 6 * (4 + r.IntN(27)), Suspended: r.IntN(10) == 0})
		if r.IntN(2) == 0 {
			out = append(out, flare.Penalty{Kind: flare.PenaltyFine, Amount: euros(5_000, 100_000), Currency: seedCurrency})
		}
		if r.IntN(3) == 0 {
			out = append(out, flare.Penalty{Kind: flare.PenaltyOrder, Amount: euros(2_000, 60_000), Currency: seedCurrency,
				Note: "Compensation to the victims, shared among them"})
		}
	case flare.OutcomeFined:
		out = append(out, flare.Penalty{Kind: flare.PenaltyFine, Amount: euros(500, 5_000) * int64(workers), Currency: seedCurrency,
			Note: fmt.Sprintf("For %d workers without contracts or pay slips", workers)})
	case flare.OutcomeOrdered:
		out = append(out, flare.Penalty{Kind: flare.PenaltyOrder, Amount: euros(1_000, 40_000), Currency: seedCurrency,
			Note: "Pay the wages owed within 30 days"})
	case flare.OutcomeUpheld, flare.OutcomeSettled:
		out = append(out, flare.Penalty{Kind: flare.PenaltyOrder, Amount: euros(3_000, 80_000), Currency: seedCurrency,
			Note: "Back pay and damages to the workers"})
	}
	return out
}
