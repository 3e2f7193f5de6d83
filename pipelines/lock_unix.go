//go:build unix

package pipelines

import (
	"os"
	"syscall"
)

// lockFile takes an exclusive advisory lock on f, failing at once when
// another process holds it. The lock goes with the process.
func lockFile(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}
