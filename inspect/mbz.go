package inspect

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/report"
	"github.com/moodlemig/moodlemig/xmlscan"
)

const (
	path2Activity = "moodle_backup/information/contents/activities/activity/modulename"
	path2Section  = "moodle_backup/information/contents/sections/section"
)

// scan2x reads a 2.x moodle_backup.xml: its well-formedness and the
// sections and activities it lists. Users, questions and posts live in
// other files of a 2.x backup and are not counted.
func scan2x(ctx context.Context, r io.Reader, sink report.Sink, res *Result, maxPerCode int) error {
	sc := &scanner1{ctx: ctx, sink: sink, res: res, max: maxPerCode}
	s := xmlscan.New(r, xmlscan.Options{OnError: sc.onError, Keep: sc.keep})
	var val []byte
	open := false
	n := 0
	for s.Next() {
		if n++; n&0xFFFF == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		switch s.Kind() {
		case xmlscan.StartElement:
			open = true
			val = val[:0]
			if string(s.Path()) == path2Section {
				res.Counts.Sections++
			}
		case xmlscan.CharData:
			if open && len(val) < 4096 {
				val = s.AppendText(val)
			}
		case xmlscan.EndElement:
			if open && string(s.Path()) == path2Activity {
				res.Counts.Activities[strings.TrimSpace(string(val))]++
			}
			open = false
		}
	}
	sc.flushDropped()
	return s.Err()
}

// scan2xParts counts what the other XML files of a 2.x backup hold: users
// (users.xml), question categories and questions per qtype (questions.xml,
// both the pre-4.0 and the 4.0+ layout), scales (scales.xml) and forum
// posts (activities/forum_*/forum.xml). Their well-formedness is checked
// too, each with findings naming its entry.
func scan2xParts(ctx context.Context, b *backup.Backup, rep report.Sink, res *Result, maxPerCode int) error {
	for _, e := range b.Entries {
		if e.Dir || !strings.HasPrefix(e.Name, b.Facts.Root) {
			continue
		}
		name := strings.TrimPrefix(e.Name, b.Facts.Root)
		switch {
		case name == "users.xml", name == "questions.xml", name == "scales.xml":
		case strings.HasPrefix(name, "activities/forum_") && strings.HasSuffix(name, "/forum.xml"):
		default:
			continue
		}
		rc, err := e.Open()
		if err != nil {
			return fmt.Errorf("open %s: %w", e.Name, err)
		}
		err = scan2xPart(ctx, rc, report.Scoped(rep, "inspect", res.Path, e.Name), res, maxPerCode)
		rc.Close()
		if err != nil {
			return fmt.Errorf("read %s: %w", e.Name, err)
		}
	}
	return nil
}

func scan2xPart(ctx context.Context, r io.Reader, sink report.Sink, res *Result, maxPerCode int) error {
	sc := &scanner1{ctx: ctx, sink: sink, res: res, max: maxPerCode}
	s := xmlscan.New(r, xmlscan.Options{OnError: sc.onError, Keep: sc.keep})
	c := &res.Counts
	var val []byte
	open := false
	n := 0
	for s.Next() {
		if n++; n&0xFFFF == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		switch s.Kind() {
		case xmlscan.StartElement:
			open = true
			val = val[:0]
			switch p := string(s.Path()); {
			case p == "users/user":
				c.Users++
			case p == "question_categories/question_category":
				c.Categories++
			case p == "scales_definition/scale":
				c.Scales++
			case strings.HasSuffix(p, "/discussions/discussion/posts/post") && strings.HasPrefix(p, "activity/forum/"):
				c.Posts++
			}
		case xmlscan.CharData:
			if open && len(val) < 256 {
				val = s.AppendText(val)
			}
		case xmlscan.EndElement:
			if open && string(s.Name()) == "qtype" && bytes.HasSuffix(s.Path(), []byte("/questions/question/qtype")) {
				c.Questions[strings.TrimSpace(string(val))]++
			}
			open = false
		}
	}
	sc.flushDropped()
	return s.Err()
}

// archiveSize returns the size of the file at path (0 for a folder).
func archiveSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil || fi.IsDir() {
		return 0
	}
	return fi.Size()
}

// newerThan reports whether the release that made the backup is newer than
// target (e.g. "4.5"), comparing as many numeric parts as target has.
func newerThan(f backup.Facts, target string) (bool, string) {
	rel := f.MoodleRelease
	if rel == "" {
		return false, ""
	}
	b, t := versionParts(rel), versionParts(target)
	if len(b) == 0 || len(t) == 0 {
		return false, ""
	}
	for i := range t {
		bi := 0
		if i < len(b) {
			bi = b[i]
		}
		if bi != t[i] {
			return bi > t[i], rel
		}
	}
	return false, rel
}

// versionParts parses the leading "4.1.2" of a release string.
func versionParts(s string) []int {
	s = strings.TrimSpace(s)
	end := 0
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || s[end] == '.') {
		end++
	}
	var out []int
	for _, p := range strings.Split(strings.Trim(s[:end], "."), ".") {
		n, err := strconv.Atoi(p)
		if err != nil {
			break
		}
		out = append(out, n)
	}
	return out
}
