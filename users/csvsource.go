package users

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// csvSource reads target users from a CSV export whose first line names the
// columns: username, email, firstaccess, mnethostid and deleted are
// required; id (needed for same-site restores) and auth are optional;
// other columns are ignored, so a full export of the user table works.
type csvSource struct {
	path string
	o    SourceOptions
}

var csvRequired = []string{"username", "email", "firstaccess", "mnethostid", "deleted"}

func openCSV(path string, o SourceOptions) (*csvSource, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("target users: %w", err)
	}
	f.Close()
	return &csvSource{path: path, o: o}, nil
}

func (c *csvSource) String() string { return c.path }

func (c *csvSource) Close() error { return nil }

// Site returns the identity given in the options: a CSV carries none.
func (c *csvSource) Site(ctx context.Context) (Site, error) {
	return c.o.override(Site{}), nil
}

// columns opens the file and reads its header.
func (c *csvSource) columns() (map[string]int, *csv.Reader, *os.File, error) {
	f, err := os.Open(c.path)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("target users: %w", err)
	}
	br := bufio.NewReaderSize(f, 256<<10)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	r := csv.NewReader(br)
	r.ReuseRecord = true
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err == io.EOF {
		f.Close()
		return nil, nil, nil, fmt.Errorf("target users CSV %s: the file is empty: the first line must name the columns (%s)", c.path, strings.Join(csvRequired, ","))
	}
	if err != nil {
		f.Close()
		return nil, nil, nil, c.csvErr(err)
	}
	cols := map[string]int{}
	for i, h := range head {
		cols[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, want := range csvRequired {
		if _, ok := cols[want]; !ok {
			f.Close()
			return nil, nil, nil, fmt.Errorf("target users CSV %s: line 1: no %q column; the first line must name the columns %s (id and auth are optional)", c.path, want, strings.Join(csvRequired, ","))
		}
	}
	return cols, r, f, nil
}

func (c *csvSource) csvErr(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("target users CSV %s: line %d, column %d: %v", c.path, pe.Line, pe.Column, pe.Err)
	}
	return fmt.Errorf("target users CSV %s: %w", c.path, err)
}

// Scan offers every row to x.
func (c *csvSource) Scan(ctx context.Context, x *Index) error {
	cols, r, f, err := c.columns()
	if err != nil {
		return err
	}
	defer f.Close()
	idCol, hasID := cols["id"]
	authCol, hasAuth := cols["auth"]
	if x.sameSite && !hasID {
		return fmt.Errorf("target users CSV %s: the backup comes from the target site, and same-site matching is by user id: add an id column", c.path)
	}
	iUser, iEmail, iFirst, iHost, iDel := cols["username"], cols["email"], cols["firstaccess"], cols["mnethostid"], cols["deleted"]
	need := max(iUser, iEmail, iFirst, iHost, iDel)
	if hasID {
		need = max(need, idCol)
	}
	for n := 0; ; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return c.csvErr(err)
		}
		line, _ := r.FieldPos(0)
		if len(rec) <= need {
			if len(rec) == 1 && rec[0] == "" {
				continue
			}
			return fmt.Errorf("target users CSV %s: line %d: %d columns, the header names at least %d", c.path, line, len(rec), need+1)
		}
		num := func(col int, name string) (int64, error) {
			v := strings.TrimSpace(rec[col])
			if v == "" {
				return 0, nil
			}
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return 0, fmt.Errorf("target users CSV %s: line %d, column %d (%s): %q is not an integer", c.path, line, col+1, name, v)
			}
			return n, nil
		}
		var t TargetUser
		if hasID {
			if t.ID, err = num(idCol, "id"); err != nil {
				return err
			}
		}
		if t.FirstAccess, err = num(iFirst, "firstaccess"); err != nil {
			return err
		}
		if t.MNetHostID, err = num(iHost, "mnethostid"); err != nil {
			return err
		}
		del, err := num(iDel, "deleted")
		if err != nil {
			return err
		}
		t.Deleted = del != 0
		if !x.Wants(t.ID, rec[iUser], rec[iEmail], t.FirstAccess, t.Deleted) {
			x.scanned++
			continue
		}
		t.Username, t.Email = rec[iUser], rec[iEmail]
		if hasAuth && authCol < len(rec) {
			t.Auth = rec[authCol]
		}
		x.scanned++
		x.add(t)
	}
}
