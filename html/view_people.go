package html

// PeopleSection is the people of a case on its page.
type PeopleSection struct{}
