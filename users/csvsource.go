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

// recordReader reads CSV records (RFC 4180, as encoding/csv does) from a
// stream. Lines without quotes, nearly all of a user export, are split in
// place without allocating; a record with quotes goes through encoding/csv.
type recordReader struct {
	br     *bufio.Reader
	path   string
	next   int // line number of the next line
	line   int // line number where the last record started
	fields [][]byte
	long   []byte
}

func newRecordReader(r io.Reader, path string) *recordReader {
	br := bufio.NewReaderSize(r, 256<<10)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	return &recordReader{br: br, path: path, next: 1}
}

// readLine returns the next line without its end of line, or io.EOF.
func (r *recordReader) readLine() ([]byte, error) {
	b, err := r.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		r.long = append(r.long[:0], b...)
		for err == bufio.ErrBufferFull {
			b, err = r.br.ReadSlice('\n')
			r.long = append(r.long, b...)
		}
		b = r.long
	}
	if err != nil && err != io.EOF {
		return nil, err
	}
	if err == io.EOF && len(b) == 0 {
		return nil, io.EOF
	}
	r.next++
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r")), nil
}

// read returns the next record; its fields are valid until the next call.
func (r *recordReader) read() ([][]byte, error) {
	for {
		r.line = r.next
		b, err := r.readLine()
		if err != nil {
			return nil, err
		}
		if len(b) == 0 {
			continue // encoding/csv skips empty lines too
		}
		if bytes.IndexByte(b, '"') < 0 {
			r.fields = r.fields[:0]
			for {
				i := bytes.IndexByte(b, ',')
				if i < 0 {
					r.fields = append(r.fields, b)
					return r.fields, nil
				}
				r.fields = append(r.fields, b[:i])
				b = b[i+1:]
			}
		}
		return r.readQuoted(b)
	}
}

// readQuoted reads a record with quotes, which may span lines.
func (r *recordReader) readQuoted(first []byte) ([][]byte, error) {
	chunk := append([]byte(nil), first...)
	for bytes.Count(chunk, []byte{'"'})%2 == 1 {
		b, err := r.readLine()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		chunk = append(append(chunk, '\n'), b...)
	}
	cr := csv.NewReader(bytes.NewReader(chunk))
	cr.FieldsPerRecord = -1
	rec, err := cr.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("target users CSV %s: line %d, column %d: %v", r.path, r.line+pe.Line-1, pe.Column, pe.Err)
		}
		return nil, fmt.Errorf("target users CSV %s: line %d: %w", r.path, r.line, err)
	}
	if _, err := cr.Read(); err != io.EOF {
		return nil, fmt.Errorf("target users CSV %s: line %d: malformed quotes", r.path, r.line)
	}
	r.fields = r.fields[:0]
	for _, f := range rec {
		r.fields = append(r.fields, []byte(f))
	}
	return r.fields, nil
}

// header opens the file and reads the column names.
func (c *csvSource) header() (map[string]int, *recordReader, *os.File, error) {
	f, err := os.Open(c.path)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("target users: %w", err)
	}
	r := newRecordReader(f, c.path)
	head, err := r.read()
	if err == io.EOF {
		f.Close()
		return nil, nil, nil, fmt.Errorf("target users CSV %s: the file is empty: the first line must name the columns (%s)", c.path, strings.Join(csvRequired, ","))
	}
	if err != nil {
		f.Close()
		return nil, nil, nil, err
	}
	cols := map[string]int{}
	for i, h := range head {
		cols[strings.ToLower(strings.TrimSpace(string(h)))] = i
	}
	for _, want := range csvRequired {
		if _, ok := cols[want]; !ok {
			f.Close()
			return nil, nil, nil, fmt.Errorf("target users CSV %s: line 1: no %q column; the first line must name the columns %s (id and auth are optional)", c.path, want, strings.Join(csvRequired, ","))
		}
	}
	return cols, r, f, nil
}

// atoi parses a decimal integer (surrounding blanks allowed; empty is 0).
func atoi(b []byte) (int64, bool) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return 0, true
	}
	neg := false
	if b[0] == '-' || b[0] == '+' {
		neg = b[0] == '-'
		b = b[1:]
		if len(b) == 0 {
			return 0, false
		}
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' || n > (1<<63-1)/10 {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// Scan offers every row to x.
func (c *csvSource) Scan(ctx context.Context, x *Index) error {
	cols, r, f, err := c.header()
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
		rec, err := r.read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if len(rec) <= need {
			return fmt.Errorf("target users CSV %s: line %d: %d columns, the header names at least %d", c.path, r.line, len(rec), need+1)
		}
		num := func(col int, name string) (int64, error) {
			v, ok := atoi(rec[col])
			if !ok {
				return 0, fmt.Errorf("target users CSV %s: line %d, column %d (%s): %q is not an integer", c.path, r.line, col+1, name, rec[col])
			}
			return v, nil
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
		x.scanned++
		if !x.wantsRaw(t.ID, rec[iUser], rec[iEmail], t.FirstAccess, t.Deleted) {
			continue
		}
		t.Username, t.Email = string(rec[iUser]), string(rec[iEmail])
		if hasAuth && authCol < len(rec) {
			t.Auth = string(rec[authCol])
		}
		x.add(t)
	}
}
