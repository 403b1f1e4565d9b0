package bolt

import (
	"strings"
	"testing"

	bbolt "go.etcd.io/bbolt"
)

// TestProtectTurnsBboltPanicsIntoErrors: a panic raised by bbolt (here
// its "tx closed" assertion) becomes an error; a panic of the caller's
// own code goes on.
func TestProtectTurnsBboltPanicsIntoErrors(t *testing.T) {
	s, _ := openTemp(t, Options{})
	err := protect(func() error {
		tx, err := s.db.Begin(false)
		if err != nil {
			return err
		}
		c := tx.Bucket(bucketName).Cursor()
		_ = tx.Rollback()
		c.First()
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "assertion failed") {
		t.Fatalf("protect = %v, want bbolt's assertion as an error", err)
	}
	defer func() {
		if r := recover(); r != "the caller's own" {
			t.Fatalf("recovered %v, want the caller's panic to go on", r)
		}
	}()
	_ = s.db.View(func(*bbolt.Tx) error {
		return protect(func() error { panic("the caller's own") })
	})
	t.Fatal("the caller's panic was swallowed")
}
