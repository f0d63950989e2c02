//go:build !unix

package vault

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// checkPrivate refuses anything but a regular file. Outside Unix, file
// modes do not express "owner only"; the operator must restrict the file
// with the system's access control lists (docs/encryption.md).
func checkPrivate(path string, info fs.FileInfo) error {
	if !info.Mode().IsRegular() {
		return fmt.Errorf("key ring %s is not a regular file", path)
	}
	return nil
}

// lockFile takes an exclusive lock by creating path+".lock" exclusively,
// retrying for up to a minute; it returns the unlock function.
func lockFile(path string) (func(), error) {
	deadline := time.Now().Add(time.Minute)
	for {
		f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			f.Close()
			return func() { os.Remove(path + ".lock") }, nil
		}
		if !errors.Is(err, fs.ErrExist) || time.Now().After(deadline) {
			return nil, fmt.Errorf("lock key ring (remove %s.lock if no flare process runs): %w", path, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// syncDir is a no-op: directories cannot be opened for syncing here.
func syncDir(string) error { return nil }
