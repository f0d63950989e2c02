package html

// PartiesSection is the organisations and worksites of a case on its page.
type PartiesSection struct{}
