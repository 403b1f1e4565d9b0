package bolt

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	bbolt "go.etcd.io/bbolt"
)

// openDB opens the bbolt file at path, after creating a new log there if
// no file exists (and the log is not opened read-only). The file is
// locked and checked before bbolt reads it (see openChecked); with trim,
// it is also cut back to its pages in use.
func openDB(path string, opts Options, trim bool) (*bbolt.DB, error) {
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		if opts.ReadOnly {
			return nil, fmt.Errorf("no log file: %w", err)
		}
		if err := create(path, opts); err != nil {
			return nil, fmt.Errorf("creating a new log: %w", err)
		}
	}
	var db *bbolt.DB
	err := protect(func() (err error) {
		db, err = bbolt.Open(path, 0o600, &bbolt.Options{
			Timeout:         opts.LockTimeout,
			NoSync:          opts.NoSync,
			ReadOnly:        opts.ReadOnly,
			NoFreelistSync:  true, // bbolt rebuilds the freelist at open
			FreelistType:    bbolt.FreelistMapType,
			InitialMmapSize: opts.InitialMmapSize,
			PageSize:        opts.PageSize,
			MmapFlags:       mmapFlags,
			OpenFile:        openChecked(opts.LockTimeout, trim),
		})
		return err
	})
	return db, err
}

// openChecked returns bbolt's Options.OpenFile: it opens the file (never
// creating it: a new log is made by create), takes the lock bbolt is about
// to take on it, and checks the file under that lock, so that nothing can
// change it between the check and bbolt's first read. bbolt's own lock
// call on the same open file then succeeds at once.
//
// With trim, the file is cut back to the pages in use: after a commit that
// failed for want of space, the pages bbolt added to the file for it hold
// nothing, and on a tmpfs, where a page takes space once touched, mapping
// the file would fill them in and take the space freed meanwhile.
func openChecked(timeout time.Duration, trim bool) func(string, int, os.FileMode) (*os.File, error) {
	return func(name string, flag int, mode os.FileMode) (*os.File, error) {
		f, err := os.OpenFile(name, flag&^os.O_CREATE, mode)
		if err != nil {
			return nil, err
		}
		writable := flag&(os.O_WRONLY|os.O_RDWR) != 0
		if err := lockFile(f, writable, timeout); err != nil {
			_ = f.Close()
			return nil, err
		}
		if err := checkOpened(f, trim && writable); err != nil {
			_ = f.Close()
			return nil, err
		}
		return f, nil
	}
}

// checkOpened checks the structure of the open file f, and with trim cuts
// it back to its pages in use.
func checkOpened(f *os.File, trim bool) error {
	info, err := f.Stat()
	if err != nil {
		return err
	}
	if info.Size() == 0 {
		return errors.New("the file is empty (0 bytes), which is not a log; a new log is created only where no file exists " +
			"(remove the empty file to start a new ledger, or restore the log from a backup)")
	}
	m, err := checkFile(f, info.Size())
	if err != nil {
		return fmt.Errorf("the file is damaged or not a ledger log: %w", err)
	}
	if used := int64(m.pages) * int64(m.pageSize); trim && info.Size() > used {
		return f.Truncate(used)
	}
	return nil
}

// create makes a new, empty log at path. It builds the file under a
// temporary name in the same directory and links it into place only when
// it is complete (bbolt's meta pages and the events bucket written and
// synced), so that a crash while creating leaves no file at path that is
// not a log: Open refuses such a file rather than start over on it. The
// link, unlike a rename, fails if another process created path meanwhile,
// in which case that one is opened.
func create(path string, opts Options) error {
	var suffix [6]byte
	if _, err := rand.Read(suffix[:]); err != nil {
		return err
	}
	tmp := path + ".new-" + hex.EncodeToString(suffix[:])
	defer os.Remove(tmp)
	db, err := bbolt.Open(tmp, 0o600, &bbolt.Options{Timeout: opts.LockTimeout, NoSync: opts.NoSync,
		NoFreelistSync: true, FreelistType: bbolt.FreelistMapType, PageSize: opts.PageSize})
	if err != nil {
		return err
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		_, err := tx.CreateBucket(bucketName)
		return err
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Link(tmp, path); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	if opts.NoSync {
		return nil
	}
	return syncDir(filepath.Dir(path))
}

// syncDir makes the entries of directory dir durable (a file created,
// linked or renamed in it), as a file's own fsync does not.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
