package users

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Pin makes one backup user map to a chosen target user.
type Pin struct {
	From string // backup username
	To   string // target username
	Line int    // line in the map file, for messages
}

// ReadPins reads a map CSV: two columns, backup username then target
// username, with an optional header line "backup,target" (any header whose
// first cell is not a username in use is fine to skip with '#').
// Lines starting with '#' are comments.
func ReadPins(path string) ([]Pin, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("user map: %w", err)
	}
	defer f.Close()
	return parsePins(f, path)
}

func parsePins(r io.Reader, name string) ([]Pin, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	var pins []Pin
	seen := map[string]int{}
	for first := true; ; first = false {
		rec, err := cr.Read()
		if err == io.EOF {
			return pins, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("user map %s: line %d, column %d: %v", name, pe.Line, pe.Column, pe.Err)
			}
			return nil, fmt.Errorf("user map %s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != 2 {
			return nil, fmt.Errorf("user map %s: line %d: %d columns; want 2: backup username, target username", name, line, len(rec))
		}
		from, to := strings.TrimSpace(rec[0]), strings.TrimSpace(rec[1])
		if first && strings.EqualFold(from, "backup") && strings.EqualFold(to, "target") {
			continue
		}
		if from == "" || to == "" {
			col := 1
			if from != "" {
				col = 2
			}
			return nil, fmt.Errorf("user map %s: line %d, column %d: empty username", name, line, col)
		}
		if prev, dup := seen[from]; dup {
			return nil, fmt.Errorf("user map %s: line %d: %q is already mapped on line %d", name, line, from, prev)
		}
		seen[from] = line
		pins = append(pins, Pin{From: from, To: to, Line: line})
	}
}
