package stages

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/convert"
	"github.com/moodlemig/moodlemig/report"
)

// ConvertSpec declares the convert stage: 1.x moodle.xml → 2.x backup tree.
func ConvertSpec() *Spec {
	return &Spec{
		Name:    "convert",
		Summary: "convert a 1.x backup (moodle.xml) into the 2.x+ backup layout a current Moodle restores",
		Doc: `Reads moodle.xml once and writes moodle_backup.xml, course/, sections/,
activities/, files.xml, the file pool and the root XML files of a 2.x backup.
Large parts go to the job's scratch folder, never to memory.

- Course, sections (in the 1.x order), blocks and the course files carry
  over; course files that an activity uses go to that activity's own file
  area, the rest to the legacy course files area.
- Text keeps its 1.x format where 2.x has it (no blind text_to_html).
- $@FILEPHP@$ links become @@PLUGINFILE@@ links in the owning file area;
  links to a 1.x resource that became a page, url, folder or imscp point at
  the successor.
- label and resource (page, resource, url, folder, imscp) are converted;
  a module type the converter does not know (hotpot, journal, ...) is kept
  out with a finding and its 1.x XML is saved in the report folder. One bad
  module never aborts the course.
- Every kind of thing is counted as read and written (finding
  convert.audit); a difference no finding explains is reported as an error.`,
		Options: []Option{
			{Name: "target", Type: Enum, Default: "4.5", Values: []string{"4.1", "4.5", "5.0"},
				Doc: "The Moodle release the backup is meant for. From 5.0, chat and survey are no longer standard and are kept out with a finding."},
			{Name: "save-skipped", Type: Bool, Default: true,
				Doc: "Save the 1.x XML of every module kept out of the course in the report folder."},
			{Name: "partial", Type: Bool, Default: false,
				Doc: "When moodle.xml is cut or broken beyond repair, convert what precedes the damage (with an error finding) instead of failing the archive."},
		},
		Input:  backup.Moodle1,
		Output: backup.Moodle2,
		New: func(opts map[string]any) (Stage, error) {
			return &convertStage{target: opts["target"].(string), saveSkipped: opts["save-skipped"].(bool), partial: opts["partial"].(bool)}, nil
		},
	}
}

type convertStage struct {
	target      string
	saveSkipped bool
	partial     bool
}

func (s *convertStage) Apply(ctx context.Context, b *backup.Backup, env Env) (*backup.Backup, error) {
	if b.Facts.Kind != backup.Moodle1 {
		return nil, fmt.Errorf("convert needs a 1.x backup (moodle.xml); %s is %q", b.Path, b.Facts.Kind)
	}
	if env.Scratch == "" {
		return nil, fmt.Errorf("convert %s: no scratch folder", b.Path)
	}
	base := filepath.Base(b.Path)
	name := strings.TrimSuffix(base, filepath.Ext(base))
	opts := convert.Options{
		Scratch: filepath.Join(env.Scratch, "convert"),
		Name:    name + ".mbz",
		Modules: convert.DefaultModules(),
		Partial: s.partial,
	}
	if s.saveSkipped && env.ReportDir != "" {
		opts.ReportDir = filepath.Join(env.ReportDir, name)
	}
	if s.target >= "5.0" {
		delete(opts.Modules, "chat")
		delete(opts.Modules, "survey")
	}
	sink := env.Report
	if sink == nil {
		sink = report.New(0)
	}
	res, err := convert.Convert(ctx, b, sink, opts)
	if err != nil {
		return nil, fmt.Errorf("convert %s: %w", b.Path, err)
	}
	if opts.ReportDir != "" {
		// Both columns of the conservation audit, for people and scripts.
		if data, err := json.MarshalIndent(res.Audit, "", "  "); err == nil {
			if err := os.MkdirAll(opts.ReportDir, 0o755); err == nil {
				_ = os.WriteFile(filepath.Join(opts.ReportDir, "audit.json"), append(data, '\n'), 0o644)
			}
		}
	}
	out := res.Backup
	out.Facts.Format = b.Facts.Format
	// Pool entries read from the source archive: keep it open as long as the
	// converted backup lives.
	out.OnClose(b)
	return out, nil
}
