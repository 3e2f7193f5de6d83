package inspect

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/moodlemig/moodlemig/report"
)

// Summary sums up a run of Inspect over many backups.
type Summary struct {
	Type    string `json:"type"` // always "summary"
	Backups int    `json:"backups"`
	Failed  int    `json:"failed"`
	// Kinds counts backups by kind ("1.x", "2.x").
	Kinds map[string]int `json:"kinds"`
	// Problems counts, per finding code, the backups that have it.
	Problems map[string]int `json:"problems"`
	// Clean is the number of inspected backups with no warning or error.
	Clean    int   `json:"clean"`
	Bytes    int64 `json:"bytes"`
	XMLBytes int64 `json:"xml_bytes"`
	// Seconds is the wall time of the run.
	Seconds float64 `json:"seconds"`
}

// Summarize sums up results; elapsed is the wall time of the run.
func Summarize(results []*Result, elapsed time.Duration) Summary {
	s := Summary{Type: "summary", Kinds: map[string]int{}, Problems: map[string]int{}, Seconds: elapsed.Seconds()}
	for _, r := range results {
		s.Backups++
		s.Bytes += r.Size
		s.XMLBytes += r.XMLBytes
		if r.Failed() {
			s.Failed++
			continue
		}
		s.Kinds[string(r.Kind)]++
		bad := false
		for code := range r.FindingCounts {
			s.Problems[code]++
		}
		for _, f := range r.Findings {
			if f.Severity != report.Info {
				bad = true
			}
		}
		if !bad {
			s.Clean++
		}
	}
	return s
}

// WriteText writes the compact human table of one backup. Without verbose
// it lists at most 3 findings of each code; with it, every finding kept.
func WriteText(w io.Writer, r *Result, verbose bool) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", r.Path)
	if r.Failed() {
		fmt.Fprintf(&b, "  error      %s\n", r.Error)
	}
	if r.Kind != "" {
		line := fmt.Sprintf("%s %s", r.Kind, r.Format)
		if r.MoodleRelease != "" || r.MoodleVersion != "" {
			line += fmt.Sprintf(", Moodle %s (%s)", r.MoodleRelease, r.MoodleVersion)
		}
		fmt.Fprintf(&b, "  kind       %s\n", line)
		line = r.BackupVersion
		if r.BackupRelease != "" {
			line += " (" + r.BackupRelease + ")"
		}
		if !r.BackupDate.IsZero() {
			line += " of " + r.BackupDate.UTC().Format("2006-01-02 15:04 UTC")
		}
		fmt.Fprintf(&b, "  backup     %s\n", line)
		if r.WWWRoot != "" {
			fmt.Fprintf(&b, "  site       %s\n", r.WWWRoot)
		}
		if r.FullName != "" || r.ShortName != "" {
			fmt.Fprintf(&b, "  course     %s (%s), lang %s, format %s\n", r.FullName, r.ShortName, orDash(r.Lang), orDash(r.CourseFormat))
		}
		c := r.Counts
		fmt.Fprintf(&b, "  contents   %d sections, %d activities", c.Sections, c.ActivityTotal())
		if len(c.Activities) > 0 {
			fmt.Fprintf(&b, " (%s)", formatMap(c.Activities))
		}
		fmt.Fprintf(&b, "\n             %d users, %d questions", c.Users, c.QuestionTotal())
		if len(c.Questions) > 0 {
			fmt.Fprintf(&b, " (%s)", formatMap(c.Questions))
		}
		fmt.Fprintf(&b, ", %d forum posts, %d scales\n", c.Posts, c.Scales)
		fmt.Fprintf(&b, "  files      %d files, %s; main XML %s; archive %s\n", c.Files, human(c.FileBytes), human(r.XMLBytes), human(r.Size))
		if cs := r.Charset; cs != nil {
			line := "UTF-8"
			if !cs.Valid {
				line = "not valid UTF-8"
			}
			if cs.Legacy {
				line += ", legacy text: " + formDoc(cs.Form, cs.Guess)
			}
			fmt.Fprintf(&b, "  charset    %s\n", line)
			if verbose || cs.Legacy {
				for _, e := range cs.Evidence {
					fmt.Fprintf(&b, "             - %s\n", e)
				}
			}
		}
	}
	codes := make([]string, 0, len(r.FindingCounts))
	for c := range r.FindingCounts {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	if len(codes) == 0 {
		if !r.Failed() {
			fmt.Fprintf(&b, "  diagnosis  no problem found\n")
		}
	} else {
		parts := make([]string, len(codes))
		for i, c := range codes {
			parts[i] = fmt.Sprintf("%s ×%d", c, r.FindingCounts[c])
		}
		fmt.Fprintf(&b, "  diagnosis  %s\n", strings.Join(parts, ", "))
		shown := map[string]int{}
		for _, f := range r.Findings {
			if !verbose && shown[f.Code] >= 3 {
				continue
			}
			shown[f.Code]++
			fmt.Fprintf(&b, "    %s\n", findingLine(f))
		}
		for _, c := range codes {
			if n := r.FindingCounts[c] - shown[c]; n > 0 {
				fmt.Fprintf(&b, "    … %d more %s\n", n, c)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// findingLine is a finding without the archive name (the table names it).
func findingLine(f report.Finding) string {
	s := fmt.Sprintf("%-7s %s", f.Severity, f.Code)
	if f.Line > 0 && f.Column > 0 {
		s += fmt.Sprintf(" at %d:%d", f.Line, f.Column)
	} else if f.Line > 0 {
		s += fmt.Sprintf(" at line %d", f.Line)
	}
	if f.Offset > 0 {
		s += fmt.Sprintf(" (offset %d)", f.Offset)
	}
	if f.Path != "" {
		s += " " + f.Path
	}
	s += ": " + f.Message
	if f.Before != "" {
		s += fmt.Sprintf(" [%q]", f.Before)
	}
	return s
}

// WriteSummary writes the human summary of a run.
func WriteSummary(w io.Writer, s Summary) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%d backup(s) inspected, %d failed, %d without problems; %s in %.1fs",
		s.Backups, s.Failed, s.Clean, human(s.Bytes), s.Seconds)
	if s.Seconds > 0 && s.XMLBytes > 0 {
		fmt.Fprintf(&b, " (%.0f MB/s of XML)", float64(s.XMLBytes)/(1<<20)/s.Seconds)
	}
	b.WriteString("\n")
	codes := make([]string, 0, len(s.Problems))
	for c := range s.Problems {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		fmt.Fprintf(&b, "  %-28s in %d backup(s)\n", c, s.Problems[c])
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
