package inspect

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// IsBackupName reports whether a file name looks like a backup archive:
// .zip, .mbz, .tar, .tar.gz or .tgz (case-insensitive).
func IsBackupName(name string) bool {
	n := strings.ToLower(name)
	for _, ext := range []string{".zip", ".mbz", ".tar", ".tar.gz", ".tgz"} {
		if strings.HasSuffix(n, ext) {
			return true
		}
	}
	return false
}

// Find expands the arguments of `moodlemig inspect` into backup paths, in
// order, without duplicates: a file is taken as it is; a folder holding
// moodle.xml or moodle_backup.xml is an extracted backup; any other folder
// is searched recursively for archives (IsBackupName) and extracted
// backups; an argument with * ? [ is a glob. An argument that matches
// nothing is an error (naming it), so a typo is never silent.
func Find(ctx context.Context, args []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, arg := range args {
		paths := []string{arg}
		if strings.ContainsAny(arg, "*?[") {
			m, err := filepath.Glob(arg)
			if err != nil {
				return nil, fmt.Errorf("bad pattern %q: %w", arg, err)
			}
			if len(m) == 0 {
				return nil, fmt.Errorf("%s: no file matches", arg)
			}
			paths = m
		}
		for _, p := range paths {
			fi, err := os.Stat(p)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p, err)
			}
			if !fi.IsDir() {
				add(p)
				continue
			}
			found, err := walk(ctx, p)
			if err != nil {
				return nil, err
			}
			if len(found) == 0 {
				return nil, fmt.Errorf("%s: no backup found in this folder (looked for *.zip, *.mbz, *.tar.gz, *.tgz and folders holding moodle.xml)", p)
			}
			for _, f := range found {
				add(f)
			}
		}
	}
	return out, nil
}

func isExtracted(dir string) bool {
	for _, n := range []string{"moodle.xml", "moodle_backup.xml"} {
		if fi, err := os.Stat(filepath.Join(dir, n)); err == nil && !fi.IsDir() {
			return true
		}
	}
	return false
}

// walk lists the backups under root, sorted.
func walk(ctx context.Context, root string) ([]string, error) {
	var found []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			if isExtracted(p) {
				found = append(found, p)
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() && IsBackupName(d.Name()) {
			found = append(found, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("search %s: %w", root, err)
	}
	sort.Strings(found)
	return found, nil
}
