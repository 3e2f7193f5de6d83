package restorecheck

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"

	"github.com/moodlemig/moodlemig/convert"
)

// Finding is one finding line of a moodlemig --report file.
type Finding struct {
	Code     string `json:"code"`
	Severity string `json:"severity"`
	Stage    string `json:"stage"`
	Entry    string `json:"entry"`
	Path     string `json:"path"`
	Message  string `json:"message"`
}

// Run is what a moodlemig --report file says of one archive.
type Run struct {
	// Audit is the conservation audit read back from the convert.audit findings.
	Audit convert.Audit
	// Findings are every finding (convert.audit ones included).
	Findings []Finding
	// Status and DurationMS come from the result line.
	Status     string
	Output     string
	DurationMS int64
}

// auditMessage is the text convert writes for each audited kind.
var auditMessage = regexp.MustCompile(`^(.+): read (-?\d+), wrote (-?\d+), explained by findings (-?\d+)`)

// ReadReport reads a moodlemig --report JSON-lines file of one archive.
func ReadReport(r io.Reader) (*Run, error) {
	run := &Run{Audit: convert.Audit{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<24)
	line := 0
	for sc.Scan() {
		line++
		var rec struct {
			Type string `json:"type"`
			Finding
			Status     string `json:"status"`
			Output     string `json:"output"`
			DurationMS int64  `json:"duration_ms"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return nil, fmt.Errorf("report line %d: %w", line, err)
		}
		switch rec.Type {
		case "finding":
			run.Findings = append(run.Findings, rec.Finding)
			if rec.Code != convert.CodeAudit {
				continue
			}
			m := auditMessage.FindStringSubmatch(rec.Message)
			if m == nil {
				return nil, fmt.Errorf("report line %d: %s finding %q does not read \"KIND: read N, wrote N, explained by findings N\"", line, convert.CodeAudit, rec.Message)
			}
			rd, _ := strconv.ParseInt(m[2], 10, 64)
			wr, _ := strconv.ParseInt(m[3], 10, 64)
			ex, _ := strconv.ParseInt(m[4], 10, 64)
			run.Audit.Read(m[1], rd)
			run.Audit.Wrote(m[1], wr)
			run.Audit.Explain(m[1], ex)
		case "result":
			run.Status, run.Output, run.DurationMS = rec.Status, rec.Output, rec.DurationMS
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	if len(run.Audit) == 0 {
		return nil, fmt.Errorf("report has no %s findings: was the convert stage run?", convert.CodeAudit)
	}
	return run, nil
}
