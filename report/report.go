// Package report holds findings: the record of every change a stage made and
// every problem it saw. A finding is data, not a log line: the same value
// feeds the human summary, --json output and tests.
//
// Report collects findings from concurrent producers. It keeps every count
// but only the first MaxPerCode findings of each code in full, so memory stays
// bounded however many changes a stage makes on a huge input.
package report

import (
	"fmt"
	"sort"
	"sync"
)

// Severity says how bad a finding is.
type Severity string

// Severities, from least to most serious.
const (
	Info    Severity = "info"    // a fact worth knowing; nothing is wrong
	Warning Severity = "warning" // damage found or repaired; the result is usable
	Error   Severity = "error"   // the archive cannot be processed as asked
)

// Finding is one change or one problem, located as precisely as the producer
// can: archive, entry, line:column, byte offset and element path.
type Finding struct {
	Code     string   `json:"code"` // stable, dotted: "xml.invalid-char"
	Severity Severity `json:"severity"`
	Stage    string   `json:"stage,omitempty"`
	Archive  string   `json:"archive,omitempty"`
	Entry    string   `json:"entry,omitempty"`
	Line     int      `json:"line,omitempty"`
	Column   int      `json:"column,omitempty"`
	Offset   int64    `json:"offset,omitempty"`
	Path     string   `json:"path,omitempty"` // element path, e.g. MOODLE_BACKUP/COURSE/HEADER/FULLNAME
	Message  string   `json:"message"`
	Before   string   `json:"before,omitempty"`
	After    string   `json:"after,omitempty"`
	Fixed    bool     `json:"fixed,omitempty"`
}

// Where formats the location part of f: "archive:entry:line:col".
func (f Finding) Where() string {
	s := f.Archive
	if f.Entry != "" {
		if s != "" {
			s += ":"
		}
		s += f.Entry
	}
	if f.Line > 0 {
		s += fmt.Sprintf(":%d:%d", f.Line, f.Column)
	}
	return s
}

// String is the one-line human form of f.
func (f Finding) String() string {
	s := fmt.Sprintf("%s %s", f.Severity, f.Code)
	if w := f.Where(); w != "" {
		s += " at " + w
	}
	if f.Path != "" {
		s += " (" + f.Path + ")"
	}
	s += ": " + f.Message
	if f.Before != "" || f.After != "" {
		s += fmt.Sprintf(" [%q -> %q]", f.Before, f.After)
	}
	return s
}

// Sink receives findings. Report implements it; so can a streaming writer.
type Sink interface {
	Add(Finding)
}

// Keeper is implemented by sinks that keep only some findings in full, as a
// Report does (the first MaxPerCode of each code; the rest are counted). A
// producer that makes many findings of one code can ask before it spends
// time on samples and messages: when Keeps(code) is false, a finding of
// code would only be counted, so a bare Finding{Code, Severity, Offset}
// added in its place has the same effect (counts and worst severity stay
// exact; the offset is kept for sinks that place findings by it).
type Keeper interface {
	Sink
	// Keeps reports whether the next finding of code would be kept in
	// full (or passed on to another sink).
	Keeps(code string) bool
}

// Keeps reports whether s would keep a finding of code in full: false when
// s is nil (nothing is kept), or a Keeper that says so; true for any other
// sink, which may keep everything.
func Keeps(s Sink, code string) bool {
	if s == nil {
		return false
	}
	if k, ok := s.(Keeper); ok {
		return k.Keeps(code)
	}
	return true
}

// DefaultMaxPerCode is how many findings of one code a Report keeps in full.
const DefaultMaxPerCode = 200

// Report collects findings. The zero value is not usable; call New.
// It is safe for concurrent use.
type Report struct {
	mu         sync.Mutex
	maxPerCode int
	findings   []Finding
	counts     map[string]int
	worst      Severity
	// Forward, when set, receives every finding as it is added (even those
	// beyond maxPerCode), e.g. to stream JSON lines.
	forward Sink
}

// New returns an empty Report keeping up to maxPerCode findings per code in
// full (DefaultMaxPerCode when maxPerCode <= 0).
func New(maxPerCode int) *Report {
	if maxPerCode <= 0 {
		maxPerCode = DefaultMaxPerCode
	}
	return &Report{maxPerCode: maxPerCode, counts: map[string]int{}}
}

// Forward makes r pass every finding to s as well.
func (r *Report) Forward(s Sink) { r.mu.Lock(); r.forward = s; r.mu.Unlock() }

// Add records f.
func (r *Report) Add(f Finding) {
	r.mu.Lock()
	r.counts[f.Code]++
	if r.counts[f.Code] <= r.maxPerCode {
		r.findings = append(r.findings, f)
	}
	if rank(f.Severity) > rank(r.worst) {
		r.worst = f.Severity
	}
	fw := r.forward
	r.mu.Unlock()
	if fw != nil {
		fw.Add(f)
	}
}

// Keeps implements Keeper: it is false once maxPerCode findings of code are
// kept, unless a forward sink receives every finding. Once false it stays
// false (counts only grow) until Forward is called.
func (r *Report) Keeps(code string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.forward != nil || r.counts[code] < r.maxPerCode
}

// Findings returns the findings kept in full, in the order they were added.
func (r *Report) Findings() []Finding {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Finding(nil), r.findings...)
}

// Counts returns how many findings of each code were added (kept or not).
func (r *Report) Counts() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := make(map[string]int, len(r.counts))
	for k, v := range r.counts {
		m[k] = v
	}
	return m
}

// Count returns how many findings with code were added.
func (r *Report) Count(code string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.counts[code]
}

// Codes returns the codes seen, sorted.
func (r *Report) Codes() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	codes := make([]string, 0, len(r.counts))
	for c := range r.counts {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	return codes
}

// Worst returns the most serious severity added, or "" when none.
func (r *Report) Worst() Severity {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.worst
}

func rank(s Severity) int {
	switch s {
	case Info:
		return 1
	case Warning:
		return 2
	case Error:
		return 3
	}
	return 0
}

// Scoped wraps a Sink so that every finding gets the given stage, archive and
// entry when it does not name them itself. The result is a Keeper that asks
// s.
func Scoped(s Sink, stage, archive, entry string) Sink {
	return scoped{s, stage, archive, entry}
}

type scoped struct {
	s                     Sink
	stage, archive, entry string
}

func (sc scoped) Add(f Finding) {
	if f.Stage == "" {
		f.Stage = sc.stage
	}
	if f.Archive == "" {
		f.Archive = sc.archive
	}
	if f.Entry == "" {
		f.Entry = sc.entry
	}
	sc.s.Add(f)
}

// Keeps implements Keeper by asking the wrapped sink.
func (sc scoped) Keeps(code string) bool { return Keeps(sc.s, code) }
