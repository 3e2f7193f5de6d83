package convert

import (
	"fmt"
	"io"
	"strings"

	"github.com/moodlemig/moodlemig/report"
)

// scormUpdateEveryTime is the 2.x auto-update frequency "every time it is
// displayed": Moodle then checks the package, unpacks and parses it when
// the activity is opened if its content is missing or stale.
const scormUpdateEveryTime = 3

// scormSequencing are the SCORM 2004 sequencing lists of a 1.x SCO.
var scormSequencing = []string{
	"SEQ_RULECONDS/SEQ_RULECOND", "SEQ_RULECONDS/SEQ_RULECOND/SEQ_RULECOND_DATAS/SEQ_RULECOND_DATA",
	"SEQ_ROLLUPRULES/SEQ_ROLLUPRULE", "SEQ_ROLLUPRULES/SEQ_ROLLUPRULE/SEQ_ROLLUPRULECONDS/SEQ_ROLLUPRULECOND",
	"SEQ_OBJECTIVES/SEQ_OBJECTIVE", "SEQ_OBJECTIVES/SEQ_OBJECTIVE/SEQ_MAPINFOS/SEQ_MAPINFO",
}

// convertScorm converts a 1.x SCORM/AICC activity (conversion-rules.md
// §3.13) so that it opens in 2.x without being edited first (§7.9):
//
//   - the package zip (REFERENCE, a course file) goes to
//     mod_scorm/package with its content hash as sha1hash, and the unpacked
//     package the 1.x backup always holds (moddata/scorm/<id>/) goes to
//     mod_scorm/content, which is what the 2.x player serves;
//   - the SCOs and their data are written as 2.x keeps them (with the sort
//     order 1.x lacked); when the 1.x backup lacks them, lacks the unpacked
//     content or holds SCORM 2004 sequencing rules (which 2.x restore cannot
//     link up), the activity is set to re-read its package when first
//     opened, so Moodle parses the manifest itself;
//   - a missing or broken package never aborts the course (Moodle's own
//     converter does): the activity is kept with a finding;
//   - a URL reference becomes an external manifest or a synchronised
//     package (scormtype external / localsync), never the invalid
//     "localtype" of Moodle's converter.
//
// Tracks are user data, left out by this version.
func convertScorm(a *Activity, mod *Node) error {
	name := mod.Value("NAME")
	ref := mod.Value("REFERENCE")
	intro, introformat := a.IntroText(mod.Raw("SUMMARY"), FormatMoodle)
	// A SCO id met twice would make the restore of the whole course fail:
	// the later copies are left out.
	var scoes []*Node
	seen := map[int64]bool{}
	dups := 0
	for _, s := range mod.All("SCOES/SCO") {
		if seen[s.Int("ID")] {
			dups++
			continue
		}
		seen[s.Int("ID")] = true
		scoes = append(scoes, s)
	}
	a.LeaveOut("scorm scoes", dups, "a SCO id met twice in the backup: the later copy is left out")
	scormtype, reference, sha1 := "local", "", Null
	updatefreq := mod.Int("UPDATEFREQ")
	reparse := false
	why := ""
	pkgUsable := false

	content := fmt.Sprintf("moddata/scorm/%d", a.Instance)
	hasContent := a.c.files.IsSourceDir(content)
	if hasContent {
		if _, err := a.AddTree(content, a.Area("content", 0)); err != nil {
			return err
		}
	}
	lower := strings.ToLower(ref)
	switch {
	case isAddress(ref):
		reference = ref
		if strings.HasSuffix(lower, "imsmanifest.xml") {
			scormtype = "external"
		} else {
			scormtype = "localsync"
			a.Finding(CodeValueChanged, report.Info, fmt.Sprintf("SCORM %q downloads its package from %s: it is a package synchronised from that address (enable \"allowtypelocalsync\" in the SCORM settings to update it)", name, ref))
		}
	default:
		rel, bad := courseFileOfReference(ref)
		src := "course_files/" + strings.TrimPrefix(rel, "/")
		pkgOK := bad == "" && a.c.files.Source(src) != nil
		usable := pkgOK
		if pkgOK {
			if msg := scormPackageProblem(a, src); msg != "" {
				usable = false
				a.Finding(CodeFileMissing, report.Warning, fmt.Sprintf("SCORM %q: its package %q %s: it is kept as uploaded; replace it in the activity's settings", name, rel, msg))
			}
			_, fname := SplitPath(rel)
			if err := a.AddFile(src, a.Area("package", 0), "/", fname, 0); err != nil {
				return err
			}
			reference = fname
			if h, _, ok := a.c.files.Sum(src); ok {
				sha1 = h
			}
		}
		switch {
		case !pkgOK && !hasContent:
			a.Finding(CodeFileMissing, report.Warning, fmt.Sprintf("SCORM %q: neither its package %q nor its unpacked content (%s/) is in the backup: the activity is kept without content; upload the package again in its settings", name, ref, content))
		case !pkgOK:
			a.Finding(CodeFileMissing, report.Info, fmt.Sprintf("SCORM %q: its package %q is not in the backup; the unpacked content is, so it plays, but editing its settings will ask for the package", name, ref))
		case !hasContent && !usable:
			a.Finding(CodeFileMissing, report.Warning, fmt.Sprintf("SCORM %q: its unpacked content (%s/) is not in the backup and its package cannot be unpacked: the activity has nothing to play until the package is replaced", name, content))
		case !hasContent:
			reparse, why = true, "its unpacked content is not in the backup"
		}
		pkgUsable = usable
	}
	if len(scoes) == 0 && scormtype == "external" {
		reparse, why = true, "the backup lists none of its SCOs (Moodle reads them from the remote manifest if external packages are enabled)"
	} else if len(scoes) == 0 {
		if pkgUsable {
			reparse, why = true, "the backup lists none of its SCOs"
		} else if hasContent {
			a.Finding(CodeMissingField, report.Warning, fmt.Sprintf("SCORM %q: the backup lists none of its SCOs and holds no package to read them from: it has nothing to launch until the package is uploaded again", name))
		}
	}
	seq := 0
	for _, s := range scoes {
		for _, p := range scormSequencing {
			seq += len(s.All(p))
		}
	}
	if seq > 0 {
		if pkgUsable {
			reparse, why = true, "it holds SCORM 2004 sequencing rules"
			a.LeaveOut("scorm sequencing records", seq, "not copied: Moodle rebuilds them from the package's manifest when the activity is first opened")
		} else {
			a.LeaveOut("scorm sequencing records", seq, "a 2.x restore cannot link sequencing records to their rules and no package is there to rebuild them from")
		}
	}
	if reparse {
		sha1 = Null
		updatefreq = scormUpdateEveryTime
		a.Finding(CodeValueChanged, report.Info, fmt.Sprintf("SCORM %q: %s, so it re-reads its package every time it is opened (auto-update frequency \"every time\"); Moodle unpacks and parses it the first time", name, why))
	}

	version := mod.Value("VERSION")
	if version == "" {
		version = "SCORM_1.2"
	}
	gm, whatgrade := mod.Int("GRADEMETHOD"), int64(0)
	if gm >= 10 {
		// Before 1.9 the attempt rule was stored as tens of grademethod.
		whatgrade, gm = gm/10, gm%10
	}
	nav := 1
	if mod.Int("HIDENAV") != 0 {
		nav = 0
	}
	datas := 0
	for _, s := range scoes {
		datas += len(s.All("SCO_DATAS/SCO_DATA"))
	}
	a.Carry("scorm scoes", len(scoes))
	a.Carry("scorm sco data", datas)
	tracks := a.Count("SCOES/SCO/SCO_TRACKS/SCO_TRACK") + a.Count("SCO_TRACKS/SCO_TRACK")
	a.LeaveOut("scorm tracks", tracks, whyUserData)

	return a.WriteInstance(func(x *XMLWriter) {
		x.Leaves("name", name, "scormtype", scormtype, "reference", reference,
			"intro", intro, "introformat", introformat, "version", version,
			"maxgrade", mod.Int("MAXGRADE"), "grademethod", gm, "whatgrade", whatgrade,
			"maxattempt", mod.Int("MAXATTEMPT"), "forcecompleted", 0, "forcenewattempt", 0,
			"lastattemptlock", 0, "masteryoverride", 1, "displayattemptstatus", 1,
			"displaycoursestructure", 0, "updatefreq", updatefreq, "sha1hash", sha1,
			"md5hash", mod.Value("MD5HASH"), "revision", 1, "launch", mod.Int("LAUNCH"),
			"skipview", intOr(mod, "SKIPVIEW", 1), "hidebrowse", mod.Int("HIDEBROWSE"),
			"hidetoc", mod.Int("HIDETOC"), "nav", nav, "navpositionleft", -100, "navpositiontop", -100,
			"auto", mod.Int("AUTO"), "popup", mod.Int("POPUP"), "options", mod.Value("OPTIONS"),
			"width", intOr(mod, "WIDTH", 100), "height", intOr(mod, "HEIGHT", 600),
			"timeopen", 0, "timeclose", 0, "timemodified", mod.Int("TIMEMODIFIED"),
			"completionstatusrequired", Null, "completionscorerequired", Null,
			"completionstatusallscos", 0, "autocommit", 0)
		x.Start("scoes")
		for i, s := range scoes {
			x.Start("sco", A("id", s.Int("ID")))
			x.Leaves("manifest", s.Value("MANIFEST"), "organization", s.Value("ORGANIZATION"),
				"parent", s.Value("PARENT"), "identifier", s.Value("IDENTIFIER"),
				"launch", s.Value("LAUNCH"), "scormtype", s.Value("SCORMTYPE"),
				"title", s.Value("TITLE"), "sortorder", i+1)
			x.Start("sco_datas")
			for _, d := range s.All("SCO_DATAS/SCO_DATA") {
				x.Start("sco_data", A("id", d.Int("ID")))
				x.Leaves("name", d.Value("NAME"), "value", d.Raw("VALUE"))
				x.End()
			}
			x.End()
			x.End()
		}
		x.End()
	})
}

// scormPackageProblem returns why the package entry src is not a zip
// Moodle can unpack ("" when it starts like one).
func scormPackageProblem(a *Activity, src string) string {
	if strings.HasSuffix(strings.ToLower(src), "imsmanifest.xml") {
		return ""
	}
	e := a.c.files.Source(src)
	rc, err := e.Open()
	if err != nil {
		return fmt.Sprintf("cannot be read (%v)", err)
	}
	defer rc.Close()
	var head [4]byte
	if _, err := io.ReadFull(rc, head[:]); err != nil {
		return "is too short to be a zip file"
	}
	if string(head[:]) != "PK\x03\x04" && string(head[:]) != "PK\x05\x06" {
		return "is not a zip file"
	}
	return ""
}
