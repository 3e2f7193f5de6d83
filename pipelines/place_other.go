//go:build !linux

package pipelines

import "syscall"

// renameNoReplace is not available here: the caller falls back to link.
func renameNoReplace(old, new string) error { return syscall.ENOSYS }
