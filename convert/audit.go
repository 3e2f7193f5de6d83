package convert

import (
	"fmt"
	"sort"
)

// Audit kinds. Activities are counted per 1.x module type as
// "activities/<modtype>".
const (
	KindSections   = "sections"
	KindActivities = "activities"
	KindBlocks     = "blocks"
	KindFiles      = "files"
	KindBytes      = "bytes"
	KindLinks      = "links"
	KindTexts      = "texts"
)

// Tally counts one kind of thing: how many were read from the 1.x backup,
// how many were written to the 2.x backup, and how many were left out or
// changed with a finding that says so.
type Tally struct {
	Read      int64 `json:"read"`
	Written   int64 `json:"written"`
	Explained int64 `json:"explained"`
}

// Balanced reports whether every item read was written or explained.
func (t Tally) Balanced() bool { return t.Read == t.Written+t.Explained }

// Audit is the conservation count of one conversion, per kind.
type Audit map[string]*Tally

func (a Audit) tally(kind string) *Tally {
	t := a[kind]
	if t == nil {
		t = &Tally{}
		a[kind] = t
	}
	return t
}

// Read adds n items of kind read.
func (a Audit) Read(kind string, n int64) { a.tally(kind).Read += n }

// Wrote adds n items of kind written.
func (a Audit) Wrote(kind string, n int64) { a.tally(kind).Written += n }

// Explain adds n items of kind accounted for by a finding.
func (a Audit) Explain(kind string, n int64) { a.tally(kind).Explained += n }

// Add adds every tally of b to a.
func (a Audit) Add(b Audit) {
	for k, t := range b {
		x := a.tally(k)
		x.Read += t.Read
		x.Written += t.Written
		x.Explained += t.Explained
	}
}

// Kinds returns the kinds counted, sorted.
func (a Audit) Kinds() []string {
	ks := make([]string, 0, len(a))
	for k := range a {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Unbalanced returns a description of every kind whose counts do not add
// up, sorted; empty when the audit balances.
func (a Audit) Unbalanced() []string {
	var out []string
	for _, k := range a.Kinds() {
		if t := a[k]; !t.Balanced() {
			out = append(out, fmt.Sprintf("%s: read %d, wrote %d, explained %d", k, t.Read, t.Written, t.Explained))
		}
	}
	return out
}
