package sqlstore

import (
	"context"
	"time"
)

// BulkDeviceWriter is implemented by dialects that can upsert many devices
// faster than multi-row INSERT statements, such as PostgreSQL with arrays.
type BulkDeviceWriter interface {
	// UpsertDevices inserts or merges the devices in cols, as UpsertDevicesTail merges.
	UpsertDevices(ctx context.Context, ex Execer, cols DeviceColumns) error
}

// Execer runs statements on a pool or in a transaction.
type Execer = execer

// DeviceColumns holds devices of one product column by column; the slices
// have equal length. Nil revision and release IDs keep the stored value.
type DeviceColumns struct {
	OrgID, ProductID   string
	At                 time.Time
	ID, Serial         []string
	HardwareRevisionID []*string
	ReleaseID          []*string
	FirstSeen          []*time.Time
	LastSeen           []*time.Time
}
