package gen

import (
	"fmt"
	"strconv"
	"strings"
)

// era is what one Moodle release wrote (spec moodle19-format.md §4.3, §12).
type era struct {
	minor, patch   int    // 1.<minor>.<patch>
	moodleVersion  string // INFO/MOODLE_VERSION
	moodleRelease  string // INFO/MOODLE_RELEASE
	backupVersion  string // INFO/BACKUP_VERSION
	backupRelease  string // INFO/BACKUP_RELEASE
	utf8Encode     bool   // pre-1.6 (and unmigrated 1.6/1.7) utf8_encode of every value
	stripControls  bool   // 1.6+: C0 controls removed by the writer
	instances      bool   // 1.6+: INFO/DETAILS/MOD/INSTANCES
	roles          bool   // 1.7+: top-level ROLES and ROLES_* blocks
	legacyRoles    bool   // 1.5 – 1.8: USER/ROLES with teacher/student types
	formatData     bool   // 1.8+: FORMATDATA
	enrolmentKey   bool   // 1.8+: GROUP/ENROLMENTKEY instead of PASSWORD
	v19            bool   // 1.9: contexts, new gradebook, groupings, $@NULL@$, bucketed user_files …
	siteHash       bool   // 1.9.4+: ORIGINAL_SITE_IDENTIFIER_HASH
	slashTokens    bool   // 1.9.5+: $@SLASH@$, $@FORCEDOWNLOAD@$, %2f file.php forms
	noPasswords    bool   // 1.9.7+: USER/PASSWORD omitted
	courseViewLink bool   // 1.9.9+: $@COURSEVIEWBYID*n@$
	histories      bool   // 1.9.1+: GRADEBOOKHISTORIES in DETAILS
}

// v19Versions holds MOODLE_VERSION, BACKUP_VERSION, BACKUP_RELEASE of 1.9.0 … 1.9.19 (§4.3).
var v19Versions = [20][3]string{
	{"2007101509", "2007122700", "1.9"},
	{"2007101512", "2008030300", "1.9"},
	{"2007101520", "2008030300", "1.9"},
	{"2007101530", "2008030300", "1.9"},
	{"2007101540", "2008030301", "1.9.3"},
	{"2007101550", "2008030301", "1.9.4"},
	{"2007101560", "2009100600", "1.9.6"},
	{"2007101570", "2009111300", "1.9.7"},
	{"2007101580.00", "2009111300", "1.9.7"},
	{"2007101590.00", "2009111300", "1.9.7"},
	{"2007101591.00", "2009111300", "1.9.7"},
	{"2007101591.02", "2009111300", "1.9.7"},
	{"2007101591.03", "2009111300", "1.9.7"},
	{"2007101591.04", "2009111300", "1.9.7"},
	{"2007101591.06", "2009111300", "1.9.7"},
	{"2007101591.07", "2009111300", "1.9.7"},
	{"2007101591.10", "2009111300", "1.9.7"},
	{"2007101591.12", "2009111300", "1.9.7"},
	{"2007101591.16", "2009111300", "1.9.7"},
	{"2007101592.00", "2009111300", "1.9.7"},
}

// parseVersion maps "1.5" … "1.9.19" to what that release wrote. The
// MOODLE_VERSION values of 1.5 – 1.8 are not in the spec's tables (only the
// main-line values around each branch point are); the values used here sit
// between those points and are marked as such by no claim of exactness.
func parseVersion(v string) (era, error) {
	bad := fmt.Errorf("version %q: want 1.5, 1.5.0, 1.6, 1.7, 1.8, 1.9 or 1.9.0 … 1.9.19", v)
	parts := strings.Split(v, ".")
	if len(parts) < 2 || len(parts) > 3 || parts[0] != "1" {
		return era{}, bad
	}
	minor, err := strconv.Atoi(parts[1])
	if err != nil || minor < 5 || minor > 9 {
		return era{}, bad
	}
	patch := -1
	if len(parts) == 3 {
		patch, err = strconv.Atoi(parts[2])
		if err != nil || patch < 0 || (minor == 9 && patch > 19) || (minor == 5 && patch > 1) || (minor != 9 && minor != 5) {
			return era{}, bad
		}
	}
	e := era{minor: minor, patch: patch}
	switch minor {
	case 5:
		e.moodleVersion, e.moodleRelease = "2005060200", "1.5"
		e.backupVersion, e.backupRelease = "2005070500", "1.5.1"
		if patch == 0 {
			e.backupVersion, e.backupRelease = "2005060300", "1.5"
		} else {
			e.patch = 1
			e.moodleRelease = "1.5.1"
		}
	case 6:
		e.moodleVersion, e.moodleRelease = "2006050500", "1.6"
		e.backupVersion, e.backupRelease = "2006042801", "1.6beta4"
	case 7:
		e.moodleVersion, e.moodleRelease = "2006101000", "1.7"
		e.backupVersion, e.backupRelease = "2006082301", "1.7dev"
	case 8:
		e.moodleVersion, e.moodleRelease = "2007021500", "1.8"
		e.backupVersion, e.backupRelease = "2006082304", "1.8dev"
	case 9:
		if patch < 0 {
			patch = 19
		}
		e.patch = patch
		r := v19Versions[patch]
		e.moodleVersion, e.backupVersion, e.backupRelease = r[0], r[1], r[2]
		rel := "1.9"
		if patch > 0 {
			rel = fmt.Sprintf("1.9.%d", patch)
		}
		// Build dates are illustrative (the spec lists only 1.9.19's).
		e.moodleRelease = fmt.Sprintf("%s (Build: %04d%02d15)", rel, 2008+patch/4, 1+(patch%4)*3)
		if patch == 19 {
			e.moodleRelease = rel + " (Build: 20120706)"
		}
	}
	if e.patch < 0 {
		e.patch = 0
	}
	e.utf8Encode = minor <= 5
	e.stripControls = minor >= 6
	e.instances = minor >= 6
	e.roles = minor >= 7
	e.legacyRoles = minor <= 8
	e.formatData = minor >= 8
	e.enrolmentKey = minor >= 8
	e.v19 = minor == 9
	e.siteHash = minor == 9 && e.patch >= 4
	e.slashTokens = minor == 9 && e.patch >= 5
	e.noPasswords = minor == 9 && e.patch >= 7
	e.courseViewLink = minor == 9 && e.patch >= 9
	e.histories = minor == 9 && e.patch >= 1
	return e, nil
}

// mojibakeEra reports whether a legacy charset is written utf8_encode'd (the
// 1.5 writer always; 1.6 – 1.7 on sites that had not migrated to UTF-8).
func (e era) mojibakeEra() bool { return e.minor <= 7 }
