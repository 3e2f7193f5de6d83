package stages

import (
	"context"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/transform"

	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/charset"
	"github.com/moodlemig/moodlemig/mappings"
	"github.com/moodlemig/moodlemig/report"
)

// TranscodeSpec declares the transcode stage: legacy charsets to UTF-8.
func TranscodeSpec() *Spec {
	return &Spec{
		Name:    "transcode",
		Summary: "turn the legacy-charset text of pre-1.6 backups (and hand-edited files) into real UTF-8",
		Doc: `Moodle 1.5 and older wrote every value through utf8_encode, so a backup of a
site in windows-1251, ISO-8859-2, EUC-JP, ... is valid UTF-8 full of mojibake
("Ïðèâåò" for "Привет"). This stage reads moodle.xml twice (a prescan for the
evidence, then the rewrite), undoes that lift and decodes each text with the
charset of its owner, as the 1.6 UTF-8 migration did: the course language,
else the main teacher's, else the site language for course texts; the course
language, else the author's language, for forum posts, submissions and other
records with a USERID; the user's own language for profile fields. The
charset of each Moodle 1.5 language pack comes from mappings (all of them,
CJK included). Legacy LANG values become their _utf8 packs, as the
migration did.

It also handles hand-edited files: raw legacy bytes, fields that mix UTF-8 and
legacy text, an XML declaration naming a legacy encoding (rewritten to
UTF-8), windows-1252 quotes and dashes read as ISO-8859-1 (C1 controls), and
with fix-mojibake double-encoded UTF-8 ("Ã©" → "é").

With from: auto it never guesses silently: when the evidence does not decide
(no language anywhere and non-Latin text, an unknown language pack, a
declared encoding the bytes contradict, text that does not decode cleanly)
it fails the archive naming the evidence and the option to set. Findings:
charset.transcoded, charset.legacy-bytes, charset.windows-1252,
charset.mojibake, charset.lang-renamed, charset.declaration, charset.guess,
charset.undecided.`,
		Options: []Option{
			{Name: "from", Type: String, Default: "auto",
				Doc: "auto, or the charset every legacy text is in (e.g. windows-1251, iso-8859-2, euc-jp, gb18030, big5)."},
			{Name: "site-lang", Type: String, Default: "",
				Doc: "The language pack of the source site (e.g. ru), used when neither course nor user says; empty: the most common user language, reported as a guess."},
			{Name: "fix-mojibake", Type: Bool, Default: false,
				Doc: "Repair double-encoded UTF-8 (Ã© → é) where a whole field decodes again cleanly."},
			{Name: "keep-undecided", Type: Bool, Default: false,
				Doc: "Keep fields that do not decode cleanly with their owner's charset (reported) instead of failing the archive."},
		},
		Input:  backup.Moodle1,
		Output: KindAny,
		New: func(opts map[string]any) (Stage, error) {
			o := charset.Options{
				From:          opts["from"].(string),
				SiteLang:      opts["site-lang"].(string),
				FixMojibake:   opts["fix-mojibake"].(bool),
				KeepUndecided: opts["keep-undecided"].(bool),
			}
			if f := strings.TrimSpace(o.From); f != "" && !strings.EqualFold(f, "auto") {
				if _, err := charset.Lookup(f); err != nil {
					return nil, fmt.Errorf("transcode: from: %w", err)
				}
			}
			return &transcodeStage{opts: o}, nil
		},
	}
}

type transcodeStage struct {
	opts charset.Options
}

func (s *transcodeStage) Apply(ctx context.Context, b *backup.Backup, env Env) (*backup.Backup, error) {
	if b.Facts.Kind != backup.Moodle1 {
		return nil, fmt.Errorf("transcode needs a 1.x backup (moodle.xml); %s is %q", b.Path, b.Facts.Kind)
	}
	e := b.Main()
	if e == nil {
		return nil, fmt.Errorf("transcode %s: no moodle.xml found", b.Path)
	}
	if strings.EqualFold(b.Facts.Charset, "UTF-8") {
		// Already transcoded in this pipeline: running again could re-read
		// text in U+00A0–U+00FF as legacy bytes.
		if env.Report != nil {
			env.Report.Add(report.Finding{Code: "charset.skipped", Severity: report.Info, Entry: e.Name,
				Message: "moodle.xml is already UTF-8 (transcoded earlier in the pipeline); nothing to do"})
		}
		return b, nil
	}
	where := "transcode " + b.Path + ":" + e.Name
	rc, err := e.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	ev, err := charset.Prescan(&ctxReader{ctx: ctx, r: rc})
	rc.Close()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	sink := newPassSink(env.Report, e.Name)
	opts := s.opts
	opts.Report = sink.pass()
	// Decide now, so that an undecidable archive fails before any output.
	if _, err := charset.NewTranscoder(ev, opts); err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	prev := e
	b.SetEntry(e.Replace(-1, func() (io.ReadCloser, error) {
		rc, err := prev.Open()
		if err != nil {
			return nil, err
		}
		o := s.opts
		pass := sink.pass()
		o.Report = pass
		t, err := charset.NewTranscoder(ev, o)
		if err != nil {
			rc.Close()
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		return pass.wrap(ctx, transform.NewReader(rc, t), rc, where), nil
	}))
	b.Facts.Charset = "UTF-8"
	b.Facts.Encoding = "UTF-8"
	if table, err := mappings.LoadLangCharsets(); err == nil && b.Facts.Lang != "" {
		if name, ok := table.Charset(b.Facts.Lang); ok && !strings.EqualFold(name, "utf-8") {
			b.Facts.Lang = strings.TrimSpace(b.Facts.Lang) + "_utf8"
		}
	}
	return b, nil
}

// ctxReader stops reading when ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (r *ctxReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}
