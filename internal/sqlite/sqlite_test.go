package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/lifeline-iot/lifeline/internal/sqlite"
	"github.com/lifeline-iot/lifeline/internal/store"
	"github.com/lifeline-iot/lifeline/internal/store/storetest"
)

// Open returns a new SQLite store in a temporary directory.
func open(t *testing.T) store.Store {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "lifeline.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestContract(t *testing.T) { storetest.Run(t, open) }
