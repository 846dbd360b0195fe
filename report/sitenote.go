package report

import (
	"fmt"
	"io"
)

// NoteMaybeLibC is a site's note when the site could not be told apart
// from the C library linked into the program.
const NoteMaybeLibC = "the call site could not be told apart from the C library linked into this static program " +
	"(no line information, and its entry code does not show where the C library starts): " +
	"the site may be the C library's wrapper rather than the program's own call; build with -g to see it"

// writeSiteNotes says under the table, once per note, what is uncertain
// about some groups' sites (Site.Note), and how many groups it concerns.
func writeSiteNotes(w io.Writer, groups []Group) error {
	var notes []string
	count := map[string]int{}
	for _, g := range groups {
		if g.Site.Note == "" {
			continue
		}
		if count[g.Site.Note] == 0 {
			notes = append(notes, g.Site.Note)
		}
		count[g.Site.Note]++
	}
	for _, n := range notes {
		if _, err := fmt.Fprintf(w, "note (%s): %s\n", plural(count[n], "group"), displayText(n)); err != nil {
			return err
		}
	}
	return nil
}
