//go:build linux

package pipelines

import "golang.org/x/sys/unix"

// renameNoReplace renames old to new atomically, failing with EEXIST when
// new exists (renameat2 RENAME_NOREPLACE, Linux 3.15+): one system call
// instead of link + unlink.
func renameNoReplace(old, new string) error {
	return unix.Renameat2(unix.AT_FDCWD, old, unix.AT_FDCWD, new, unix.RENAME_NOREPLACE)
}
