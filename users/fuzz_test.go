package users

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func seed(f *testing.F, name string) {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
}

// renameAll plans a rename of every user that has a username value.
func renameAll(us []*BackupUser) ([]Edit, map[int]string) {
	var edits []Edit
	names := map[int]string{}
	for _, u := range us {
		if !u.UsernameAt.Present() {
			continue
		}
		n := "fz" + strings.Repeat("x", u.Ordinal%3) + "<&>"
		es := editsFor(u, &Change{Username: n, SetUsername: true})
		edits = append(edits, es...)
		names[u.Ordinal] = n
	}
	return edits, names
}

// checkRoundTrip splices new usernames in and reads the result back: the
// users must be the same except for their usernames.
func checkRoundTrip(t *testing.T, data []byte, read func(io.Reader) ([]*BackupUser, error)) {
	us, err := read(bytes.NewReader(data))
	if err != nil {
		return
	}
	edits, names := renameAll(us)
	out, err := io.ReadAll(NewSpliceReader(bytes.NewReader(data), edits))
	if err != nil {
		t.Fatalf("splice: %v", err)
	}
	us2, err := read(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("re-read after splice: %v\n%s", err, out)
	}
	if len(us2) != len(us) {
		t.Fatalf("%d users after splice, %d before", len(us2), len(us))
	}
	for i, u := range us2 {
		want := us[i].Username
		if n, ok := names[i]; ok {
			want = n
		}
		if u.Username != want || u.Email != us[i].Email || u.ID != us[i].ID {
			t.Fatalf("user %d: %+v, want username %q email %q", i, u, want, us[i].Email)
		}
	}
}

func FuzzReadMoodle1(f *testing.F) {
	seed(f, "moodle.xml")
	f.Add([]byte("<MOODLE_BACKUP><COURSE><USERS><USER><USERNAME/><EMAIL><![CDATA[a&b]]></EMAIL></USER></USERS></COURSE></MOODLE_BACKUP>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRoundTrip(t, data, func(r io.Reader) ([]*BackupUser, error) {
			_, us, err := ReadMoodle1(r)
			return us, err
		})
	})
}

func FuzzReadMoodle2Users(f *testing.F) {
	seed(f, "users.xml")
	f.Add([]byte(`<users><user id='3'><username>a</username><email/></user></users>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRoundTrip(t, data, ReadMoodle2Users)
	})
}

func FuzzTargetCSV(f *testing.F) {
	seed(f, "target.csv")
	f.Add([]byte("username,email,firstaccess,mnethostid,deleted\n\"a\"\"b\",x,1,1,0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "t.csv")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		src, err := OpenSource(context.Background(), p, SourceOptions{})
		if err != nil {
			t.Fatal(err)
		}
		x := NewIndex(Moodle2, Site{}, true, nil, nil)
		if err := src.Scan(context.Background(), x); err != nil && !strings.Contains(err.Error(), p) {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
}

func FuzzLike(f *testing.F) {
	f.Add("jo@example.org.1300000000", "jo@example.org.%")
	f.Add("jo.d@x", "jo_d@x")
	f.Add("a%b", `a\%b`)
	f.Fuzz(func(t *testing.T, s, p string) {
		if !utf8.ValidString(s) || !utf8.ValidString(p) {
			return
		}
		got := likeMatch(s, p, false)
		// A pattern without wildcards or escapes matches itself only.
		if !strings.ContainsAny(p, `%_\`) && got != (s == p) {
			t.Fatalf("like(%q, %q) = %v", s, p, got)
		}
		// '%' alone matches everything; s matches s + "%".
		if !likeMatch(s, "%", false) {
			t.Fatalf("%% does not match %q", s)
		}
		if !strings.ContainsAny(s, `%_\`) && !likeMatch(s, s+"%", false) {
			t.Fatalf("%q does not match itself + %%", s)
		}
	})
}

// FuzzRecordReader checks the fast CSV reader against encoding/csv.
func FuzzRecordReader(f *testing.F) {
	seed(f, "target.csv")
	f.Add([]byte("a,b\r\n\"x\ny\",\"q\"\"\"\n\nc,,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})))
		cr.FieldsPerRecord = -1
		want, err := cr.ReadAll()
		if err != nil {
			return
		}
		r := newRecordReader(bytes.NewReader(data), "f.csv")
		var got [][]string
		for {
			rec, err := r.read()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("encoding/csv reads it, we fail: %v", err)
			}
			var ss []string
			for _, b := range rec {
				ss = append(ss, string(b))
			}
			got = append(got, ss)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) || len(got) != len(want) {
			t.Fatalf("got %q\nwant %q", got, want)
		}
	})
}
