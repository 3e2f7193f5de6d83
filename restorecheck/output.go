package restorecheck

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/moodlemig/moodlemig/backup"
)

// Output is what a 2.x backup really holds, counted the way restore.php
// counts the restored course, plus the static problems found on the way.
type Output struct {
	// Activities is the number of activities listed in moodle_backup.xml per
	// module name.
	Activities map[string]int
	// Sections is the number of sections listed in moodle_backup.xml.
	Sections int
	// Blocks is the number of course blocks (course/blocks/*/block.xml).
	Blocks int
	// Files and FileBytes count the file records of files.xml that are not
	// directories, and their declared sizes.
	Files     int
	FileBytes int64
	// JPEGFiles counts the JPEG records among them: Moodle 4.4+ re-encodes
	// every JPEG it stores to strip EXIF data, so their restored bytes
	// differ from the backup's.
	JPEGFiles int
	// Discussions and Posts are the forum discussions and posts written;
	// SingleForums counts "single" forums without a discussion (Moodle's
	// restore creates that discussion from the intro).
	Discussions, Posts, SingleForums int
	// Questions and QuestionCategories are counted in questions.xml.
	Questions, QuestionCategories int
	// Users, Groups and Groupings are counted in users.xml and groups.xml.
	Users, Groups, Groupings int
	// Problems are the static integrity problems: each one is something
	// Moodle's restore would reject or silently lose.
	Problems []string
}

// alwaysLoaded are the files.xml components restore loads without an
// inforef.xml fileref (moodle2-format.md §4).
func alwaysLoaded(component string) bool {
	switch component {
	case "user", "group", "grouping", "grade", "badges", "question":
		return true
	}
	return strings.HasPrefix(component, "qtype")
}

var hashRE = regexp.MustCompile(`^[0-9a-f]{40}$`)

// emptyHash is the SHA-1 of no bytes (directory records).
const emptyHash = "da39a3ee5e6b4b0d3255bfef95601890afd80709"

type fileRecord struct {
	ID          string `xml:"id,attr"`
	ContentHash string `xml:"contenthash"`
	ContextID   string `xml:"contextid"`
	Component   string `xml:"component"`
	FileArea    string `xml:"filearea"`
	FilePath    string `xml:"filepath"`
	FileName    string `xml:"filename"`
	FileSize    string `xml:"filesize"`
	MimeType    string `xml:"mimetype"`
}

type mbInfo struct {
	CourseContext string `xml:"information>original_course_contextid"`
	Activities    []struct {
		ModuleName string `xml:"modulename"`
		Directory  string `xml:"directory"`
		Title      string `xml:"title"`
	} `xml:"information>contents>activities>activity"`
	Sections []struct {
		Directory string `xml:"directory"`
	} `xml:"information>contents>sections>section"`
}

// Inspect opens the 2.x backup at path (.mbz as zip or tar.gz, or an
// extracted folder) and counts what it holds. It fails only when the backup
// cannot be read; a broken part is a Problem.
func Inspect(ctx context.Context, path string) (*Output, error) {
	b, err := backup.Open(ctx, path, backup.Options{})
	if err != nil {
		return nil, fmt.Errorf("inspect: %w", err)
	}
	defer b.Close()
	entries := map[string]*backup.Entry{}
	for _, e := range b.Entries {
		if !e.Dir {
			entries[e.Name] = e
		}
	}
	o := &Output{Activities: map[string]int{}}
	problem := func(format string, args ...any) { o.Problems = append(o.Problems, fmt.Sprintf(format, args...)) }
	open := func(name string) (io.ReadCloser, error) {
		e := entries[name]
		if e == nil {
			return nil, fmt.Errorf("%s: %w", name, errMissing)
		}
		return e.Open()
	}

	// moodle_backup.xml: what the backup says it holds.
	var info mbInfo
	if err := decodeEntry(open, "moodle_backup.xml", &info); err != nil {
		return nil, fmt.Errorf("inspect %s: %w", path, err)
	}
	o.Sections = len(info.Sections)
	for _, s := range info.Sections {
		if entries[s.Directory+"/section.xml"] == nil {
			problem("section %s is listed in moodle_backup.xml but %s/section.xml is absent", s.Directory, s.Directory)
		}
	}
	for _, a := range info.Activities {
		o.Activities[a.ModuleName]++
		for _, f := range []string{"module.xml", a.ModuleName + ".xml", "inforef.xml"} {
			if entries[a.Directory+"/"+f] == nil {
				problem("activity %s (%q) is listed in moodle_backup.xml but %s/%s is absent", a.Directory, a.Title, a.Directory, f)
			}
		}
		if a.ModuleName != "forum" {
			continue
		}
		var forumType string
		var disc int
		err := walkEntry(open, a.Directory+"/forum.xml", func(stack []string, text string) {
			switch strings.Join(stack, "/") {
			case "activity/forum/type":
				forumType = strings.TrimSpace(text)
			case "activity/forum/discussions/discussion":
				disc++
			case "activity/forum/discussions/discussion/posts/post":
				o.Posts++
			}
		})
		if err != nil && !errors.Is(err, errMissing) {
			problem("%v", err)
		}
		o.Discussions += disc
		if forumType == "single" && disc == 0 {
			o.SingleForums++
		}
	}
	blocks := 0
	for name := range entries {
		if strings.HasPrefix(name, "course/blocks/") && strings.HasSuffix(name, "/block.xml") {
			blocks++
		}
	}
	o.Blocks = blocks

	// inforef.xml: the file ids some task loads.
	refs := map[string]bool{}
	for name := range entries {
		if name != "inforef.xml" && !strings.HasSuffix(name, "/inforef.xml") {
			continue
		}
		err := walkEntry(open, name, func(stack []string, text string) {
			if strings.Join(stack, "/") == "inforef/fileref/file/id" {
				refs[strings.TrimSpace(text)] = true
			}
		})
		if err != nil {
			problem("%v", err)
		}
	}

	// files.xml and the pool.
	records, err := readFiles(open)
	if err != nil {
		problem("%v", err)
	}
	sums := map[string]string{} // hash -> problem ("" when the pool file is right)
	ids := map[string]bool{}
	for _, f := range records {
		ids[f.ID] = true
		if f.FileName == "." {
			continue
		}
		o.Files++
		size, _ := strconv.ParseInt(strings.TrimSpace(f.FileSize), 10, 64)
		o.FileBytes += size
		if strings.TrimSpace(f.MimeType) == "image/jpeg" {
			o.JPEGFiles++
		}
		where := fmt.Sprintf("files.xml file id %s (%s/%s %s%s)", f.ID, f.Component, f.FileArea, f.FilePath, f.FileName)
		if !hashRE.MatchString(f.ContentHash) {
			problem("%s: contenthash %q is not 40 lowercase hex digits (restore skips the record)", where, f.ContentHash)
			continue
		}
		msg, done := sums[f.ContentHash]
		if !done {
			msg = checkPool(entries, f.ContentHash, size)
			sums[f.ContentHash] = msg
		}
		if msg != "" {
			problem("%s: %s", where, msg)
		}
		if !alwaysLoaded(f.Component) && !refs[f.ID] {
			problem("%s: no inforef.xml lists it in a fileref (restore never loads it)", where)
		}
	}
	contexts := map[string]string{}
	for _, f := range records {
		contexts[f.ID] = strings.TrimSpace(f.ContextID)
	}
	names := make([]string, 0, len(entries))
	for n := range entries {
		names = append(names, n)
	}
	sort.Strings(names)
	o.Problems = append(o.Problems, deadLinks(open, linkOwners(open, names, strings.TrimSpace(info.CourseContext)), records, contexts)...)
	var dangling []string
	for id := range refs {
		if !ids[id] {
			dangling = append(dangling, id)
		}
	}
	sort.Strings(dangling)
	for _, id := range dangling {
		problem("inforef.xml fileref id %s has no record in files.xml", id)
	}

	// questions.xml, users.xml, groups.xml.
	countInto := func(name string, counts map[string]*int) {
		err := walkEntry(open, name, func(stack []string, _ string) {
			if p := counts[strings.Join(stack, "/")]; p != nil {
				*p++
			}
		})
		if err != nil && !errors.Is(err, errMissing) {
			problem("%v", err)
		}
	}
	countInto("questions.xml", map[string]*int{
		"question_categories/question_category":                    &o.QuestionCategories,
		"question_categories/question_category/questions/question": &o.Questions,
		"question_categories/question_category/question_bank_entries/question_bank_entry/question_version/question_versions/questions/question": &o.Questions,
	})
	countInto("users.xml", map[string]*int{"users/user": &o.Users})
	countInto("groups.xml", map[string]*int{"groups/group": &o.Groups, "groups/groupings/grouping": &o.Groupings})
	return o, nil
}

var errMissing = errors.New("absent from the backup")

// checkPool checks the pool file of hash: present, its SHA-1 is its name and
// its size is the declared one. It returns the problem, or "".
func checkPool(entries map[string]*backup.Entry, hash string, size int64) string {
	name := "files/" + hash[:2] + "/" + hash
	e := entries[name]
	if e == nil {
		if hash == emptyHash {
			return ""
		}
		return "pool file " + name + " is absent (restore logs a missing file and drops it)"
	}
	rc, err := e.Open()
	if err != nil {
		return fmt.Sprintf("pool file %s: %v", name, err)
	}
	defer rc.Close()
	h := sha1.New()
	n, err := io.Copy(h, rc)
	if err != nil {
		return fmt.Sprintf("pool file %s: %v", name, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != hash {
		return fmt.Sprintf("pool file %s holds bytes whose SHA-1 is %s, not its name (restore stores the wrong bytes without a word)", name, got)
	}
	if n != size {
		return fmt.Sprintf("pool file %s has %d bytes, files.xml says %d", name, n, size)
	}
	return ""
}

func readFiles(open func(string) (io.ReadCloser, error)) ([]fileRecord, error) {
	rc, err := open("files.xml")
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	d := xml.NewDecoder(rc)
	var out []fileRecord
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("files.xml: %w", err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "file" {
			var f fileRecord
			if err := d.DecodeElement(&f, &se); err != nil {
				return out, fmt.Errorf("files.xml: %w", err)
			}
			out = append(out, f)
		}
	}
}

func decodeEntry(open func(string) (io.ReadCloser, error), name string, v any) error {
	rc, err := open(name)
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := xml.NewDecoder(rc).Decode(v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// walkEntry calls fn at the end of every element of entry name with the
// element path (root first) and its own text.
func walkEntry(open func(string) (io.ReadCloser, error), name string, fn func(stack []string, text string)) error {
	rc, err := open(name)
	if err != nil {
		return err
	}
	defer rc.Close()
	d := xml.NewDecoder(rc)
	var stack []string
	var texts [][]byte
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			stack = append(stack, t.Name.Local)
			texts = append(texts, nil)
		case xml.CharData:
			if len(texts) > 0 {
				texts[len(texts)-1] = append(texts[len(texts)-1], t...)
			}
		case xml.EndElement:
			if len(stack) == 0 {
				return fmt.Errorf("%s: unbalanced end element", name)
			}
			fn(stack, string(texts[len(texts)-1]))
			stack = stack[:len(stack)-1]
			texts = texts[:len(texts)-1]
		}
	}
}
