package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/ids"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/store"
)

const deviceSelect = `SELECT d.id, d.product_id, p.slug, d.serial, COALESCE(h.name, ''), COALESCE(r.version, ''),
	d.first_seen, d.last_seen, d.created_at, d.updated_at, d.device_group, d.enrolled_at,
	d.update_state, d.update_target, d.update_error, d.health, d.auto_update, d.last_checkin_at, COALESCE(d.rollout_id, '')
	FROM devices d JOIN products p ON p.id = d.product_id
	LEFT JOIN hardware_revisions h ON h.id = d.hardware_revision_id
	LEFT JOIN releases r ON r.id = d.release_id`

func scanDevice(sc interface{ Scan(...any) error }) (registry.Device, error) {
	var d registry.Device
	var first, last, created, updated, enrolled, checkin timeCol
	var u registry.DeviceUpdate
	err := sc.Scan(&d.ID, &d.ProductID, &d.Product, &d.Serial, &d.HardwareRevision, &d.InstalledVersion, &first, &last, &created, &updated,
		&d.Group, &enrolled, &u.State, &u.Target, &u.Error, &u.Health, &u.AutoUpdate, &checkin, &u.RolloutID)
	d.FirstSeen, d.LastSeen, d.CreatedAt, d.UpdatedAt, d.EnrolledAt = first.ptr(), last.ptr(), created.T, updated.T, enrolled.ptr()
	if checkin.Valid {
		u.LastCheckIn = checkin.ptr()
		d.Update = &u
	}
	return d, err
}

func deviceNotFound(serial string) error {
	return errs.E(errs.NotFound, "device %q not found", serial).WithCode("device_not_found")
}

// upsertDevices is the statement head for one or more devices; upsertTail
// merges a device that exists: revision and version change only when given,
// first and last seen only ever widen.
const (
	upsertDevicesHead = `INSERT INTO devices (id, org_id, product_id, serial, hardware_revision_id, release_id,
		first_seen, last_seen, created_at, updated_at) VALUES `
	upsertDeviceRow   = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	UpsertDevicesTail = ` ON CONFLICT (product_id, serial) DO UPDATE SET
		hardware_revision_id = COALESCE(excluded.hardware_revision_id, devices.hardware_revision_id),
		release_id = COALESCE(excluded.release_id, devices.release_id),
		first_seen = CASE WHEN excluded.first_seen IS NULL THEN devices.first_seen
			WHEN devices.first_seen IS NULL OR excluded.first_seen < devices.first_seen THEN excluded.first_seen
			ELSE devices.first_seen END,
		last_seen = CASE WHEN excluded.last_seen IS NULL THEN devices.last_seen
			WHEN devices.last_seen IS NULL OR excluded.last_seen > devices.last_seen THEN excluded.last_seen
			ELSE devices.last_seen END,
		updated_at = excluded.updated_at`
	deviceRowParams = 10
)

// deviceRefs maps a product's revision names and release versions to IDs.
type deviceRefs struct {
	hardware map[string]string
	releases map[string]string
}

func (s *orgStore) loadDeviceRefs(ctx context.Context, productID string) (deviceRefs, error) {
	refs := deviceRefs{hardware: map[string]string{}, releases: map[string]string{}}
	load := func(query string, m map[string]string) error {
		rows, err := s.q.query(ctx, query, s.org, productID)
		if err != nil {
			return err
		}
		return s.q.collect(rows, func(r *sql.Rows) error {
			var name, id string
			err := r.Scan(&name, &id)
			m[name] = id
			return err
		})
	}
	if err := load(`SELECT name, id FROM hardware_revisions WHERE org_id = ? AND product_id = ?`, refs.hardware); err != nil {
		return refs, err
	}
	return refs, load(`SELECT version, id FROM releases WHERE org_id = ? AND product_id = ?`, refs.releases)
}

// args returns the parameters of one device row, or an Invalid error naming
// an unknown revision or version.
func (refs deviceRefs) args(q queries, org, productID, id string, d *registry.Device, at time.Time) ([]any, error) {
	var f errs.Fields
	hw, rel := refs.ids(d, &f)
	if err := f.Err(); err != nil {
		return nil, err
	}
	return []any{id, org, productID, d.Serial, nullable(hw), nullable(rel), q.tp(d.FirstSeen), q.tp(d.LastSeen), q.t(at), q.t(at)}, nil
}

// ids resolves a device's revision and version names to IDs (nil: not
// given), recording a field error for names the product lacks.
func (refs deviceRefs) ids(d *registry.Device, f *errs.Fields) (hw, rel *string) {
	if d.HardwareRevision != "" {
		v, ok := refs.hardware[d.HardwareRevision]
		f.Check(ok, "hardware_revision", "%q is not a hardware revision of this product", d.HardwareRevision)
		hw = &v
	}
	if d.InstalledVersion != "" {
		v, ok := refs.releases[d.InstalledVersion]
		f.Check(ok, "installed_version", "%q is not a release of this product", d.InstalledVersion)
		rel = &v
	}
	return hw, rel
}

func nullable(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

func (s *orgStore) UpsertDevice(ctx context.Context, d *registry.Device) (bool, error) {
	refs, err := s.loadDeviceRefs(ctx, d.ProductID)
	if err != nil {
		return false, err
	}
	if err := s.requireProduct(ctx, d.ProductID); err != nil {
		return false, err
	}
	newID := ids.New()
	args, err := refs.args(s.q, s.org, d.ProductID, newID, d, d.UpdatedAt)
	if err != nil {
		return false, err
	}
	var gotID string
	if err := s.q.row(ctx, upsertDevicesHead+upsertDeviceRow+UpsertDevicesTail+` RETURNING id`, args...).Scan(&gotID); err != nil {
		return false, translate(s.q.d, err)
	}
	stored, err := s.Device(ctx, d.ProductID, d.Serial)
	if err != nil {
		return false, err
	}
	*d = stored
	return gotID == newID, nil
}

func (s *orgStore) Device(ctx context.Context, productID, serial string) (registry.Device, error) {
	d, err := scanDevice(s.q.row(ctx, deviceSelect+` WHERE d.org_id = ? AND d.product_id = ? AND d.serial = ?`, s.org, productID, serial))
	return d, scanErr(err, deviceNotFound(serial))
}

func (s *orgStore) deviceWhere(f store.DeviceFilter) where {
	var w where
	w.add(`d.org_id = ?`, s.org)
	if f.ProductID != "" {
		w.add(`d.product_id = ?`, f.ProductID)
	}
	if f.HardwareRevision != "" {
		w.add(`h.name = ?`, f.HardwareRevision)
	}
	if f.InstalledVersion != "" {
		w.add(`r.version = ?`, f.InstalledVersion)
	}
	if f.SerialPrefix != "" {
		w.add(`d.serial LIKE ? ESCAPE '\'`, prefixPattern(f.SerialPrefix))
	}
	if !f.SeenSince.IsZero() {
		w.add(`d.last_seen >= ?`, s.q.t(f.SeenSince))
	}
	return w
}

func (s *orgStore) Devices(ctx context.Context, f store.DeviceFilter, pg store.Page) (store.List[registry.Device], error) {
	return list(ctx, s.q, listSpec[registry.Device]{
		from: deviceSelect, where: s.deviceWhere(f), key: "d.serial", id: "d.id", scan: scanner(scanDevice),
		cursor: func(d registry.Device) store.Cursor { return store.Cursor{Key: d.Serial, ID: d.ID} },
	}, pg)
}

func (s *orgStore) CountDevices(ctx context.Context, f store.DeviceFilter) (int, error) {
	w := s.deviceWhere(f)
	from := ` FROM devices d`
	if f.HardwareRevision != "" {
		from += ` LEFT JOIN hardware_revisions h ON h.id = d.hardware_revision_id`
	}
	if f.InstalledVersion != "" {
		from += ` LEFT JOIN releases r ON r.id = d.release_id`
	}
	var n int
	err := s.q.row(ctx, `SELECT COUNT(*)`+from+w.sql(), w.args...).Scan(&n)
	return n, err
}

func (s *orgStore) DeleteDevice(ctx context.Context, productID, serial string) error {
	res, err := s.q.exec(ctx, `DELETE FROM devices WHERE org_id = ? AND product_id = ? AND serial = ?`, s.org, productID, serial)
	if err != nil {
		return err
	}
	return affected(res, deviceNotFound(serial))
}

// importBatch is how many devices one INSERT statement carries.
const importBatch = 500

func (s *orgStore) ImportDevices(ctx context.Context, productID string, devs []registry.Device, at time.Time) (created, updated int, err error) {
	if err := s.requireProduct(ctx, productID); err != nil {
		return 0, 0, err
	}
	refs, err := s.loadDeviceRefs(ctx, productID)
	if err != nil {
		return 0, 0, err
	}
	existing := make(map[string]struct{})
	rows, err := s.q.query(ctx, `SELECT serial FROM devices WHERE org_id = ? AND product_id = ?`, s.org, productID)
	if err != nil {
		return 0, 0, err
	}
	err = s.q.collect(rows, func(r *sql.Rows) error {
		var serial string
		err := r.Scan(&serial)
		existing[serial] = struct{}{}
		return err
	})
	if err != nil {
		return 0, 0, err
	}
	if bw, ok := s.q.d.(BulkDeviceWriter); ok {
		cols := DeviceColumns{OrgID: s.org, ProductID: productID, At: at}
		for i := range devs {
			d := &devs[i]
			var f errs.Fields
			hw, rel := refs.ids(d, &f)
			if err := f.Err(); err != nil {
				return 0, 0, err
			}
			cols.ID = append(cols.ID, ids.New())
			cols.Serial = append(cols.Serial, d.Serial)
			cols.HardwareRevisionID = append(cols.HardwareRevisionID, hw)
			cols.ReleaseID = append(cols.ReleaseID, rel)
			cols.FirstSeen = append(cols.FirstSeen, d.FirstSeen)
			cols.LastSeen = append(cols.LastSeen, d.LastSeen)
			if _, ok := existing[d.Serial]; ok {
				updated++
			} else {
				created++
				existing[d.Serial] = struct{}{}
			}
		}
		if err := bw.UpsertDevices(ctx, s.q.ex, cols); err != nil {
			return 0, 0, translate(s.q.d, err)
		}
		return created, updated, s.refreshStats(ctx, len(devs))
	}
	var full *sql.Stmt // prepared once for every full batch
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	args := make([]any, 0, importBatch*deviceRowParams)
	for start := 0; start < len(devs); start += importBatch {
		batch := devs[start:min(start+importBatch, len(devs))]
		args = args[:0]
		for i := range batch {
			d := &batch[i]
			row, err := refs.args(s.q, s.org, productID, ids.New(), d, at)
			if err != nil {
				return 0, 0, err
			}
			args = append(args, row...)
			if _, ok := existing[d.Serial]; ok {
				updated++
			} else {
				created++
				existing[d.Serial] = struct{}{}
			}
		}
		query := upsertDevicesHead + strings.Repeat(upsertDeviceRow+",", len(batch)-1) + upsertDeviceRow + UpsertDevicesTail
		if len(batch) == importBatch {
			if full == nil {
				if full, err = s.q.ex.PrepareContext(ctx, rebind(s.q.d, query)); err != nil {
					return 0, 0, translate(s.q.d, err)
				}
			}
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = s.q.ex.ExecContext(ctx, rebind(s.q.d, query), args...)
		}
		if err != nil {
			return 0, 0, translate(s.q.d, err)
		}
	}
	return created, updated, s.refreshStats(ctx, len(devs))
}

// refreshStats refreshes the planner's statistics after a large import.
func (s *orgStore) refreshStats(ctx context.Context, n int) error {
	if n < analyzeAfter {
		return nil
	}
	if stmt := s.q.d.RefreshStatistics("devices"); stmt != "" {
		_, err := s.q.exec(ctx, stmt)
		return err
	}
	return nil
}

// analyzeAfter is the import size after which planner statistics are refreshed.
const analyzeAfter = 1000
