package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/ids"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/rollout"
	"github.com/lifeline-iot/lifeline/internal/store"
)

func (s *orgStore) SetDeviceGroup(ctx context.Context, productID, serial, group string) error {
	res, err := s.q.exec(ctx, `UPDATE devices SET device_group = ? WHERE org_id = ? AND product_id = ? AND serial = ?`, group, s.org, productID, serial)
	if err != nil {
		return err
	}
	return affected(res, deviceNotFound(serial))
}

func (s *orgStore) ResetDeviceKey(ctx context.Context, productID, serial string) error {
	res, err := s.q.exec(ctx, `UPDATE devices SET public_key = NULL, enrolled_at = NULL WHERE org_id = ? AND product_id = ? AND serial = ?`, s.org, productID, serial)
	if err != nil {
		return err
	}
	return affected(res, deviceNotFound(serial))
}

func (s *orgStore) EnrolDevice(ctx context.Context, d registry.Device, publicKey []byte, at time.Time) (string, error) {
	if err := s.requireProduct(ctx, d.ProductID); err != nil {
		return "", err
	}
	refs, err := s.loadDeviceRefs(ctx, d.ProductID)
	if err != nil {
		return "", err
	}
	// A device may report firmware the registry does not know (a factory
	// image, say): it still enrols, with its version left unknown.
	if _, ok := refs.releases[d.InstalledVersion]; !ok {
		d.InstalledVersion = ""
	}
	if _, ok := refs.hardware[d.HardwareRevision]; !ok && d.HardwareRevision != "" {
		return "", errs.Invalidf("hardware_revision", "the product has no hardware revision %q", d.HardwareRevision)
	}
	var existing []byte
	err = s.q.row(ctx, `SELECT public_key FROM devices WHERE org_id = ? AND product_id = ? AND serial = ?`, s.org, d.ProductID, d.Serial).Scan(&existing)
	switch {
	case err == sql.ErrNoRows:
	case err != nil:
		return "", err
	case existing != nil && !bytes.Equal(existing, publicKey):
		return "", errs.E(errs.Conflict, "device %s is already enrolled with another key; reset its key to enrol it again", d.Serial).WithCode("device_already_enrolled")
	}
	d.LastSeen, d.UpdatedAt = &at, at
	if d.FirstSeen == nil {
		d.FirstSeen = &at
	}
	if _, err := s.UpsertDevice(ctx, &d); err != nil {
		return "", err
	}
	var id string
	if err := s.q.row(ctx, `SELECT id FROM devices WHERE org_id = ? AND product_id = ? AND serial = ?`, s.org, d.ProductID, d.Serial).Scan(&id); err != nil {
		return "", err
	}
	_, err = s.q.exec(ctx, `UPDATE devices SET public_key = ?, enrolled_at = COALESCE(enrolled_at, ?) WHERE id = ?`, publicKey, s.q.t(at), id)
	return id, err
}

const enrolmentColumns = `id, product_id, name, secret_hash, created_at, expires_at, revoked_at, last_used_at, enrolled`

func scanEnrolment(sc interface{ Scan(...any) error }, extra ...any) (registry.EnrolmentToken, error) {
	var t registry.EnrolmentToken
	var created, expires, revoked, used timeCol
	err := sc.Scan(append([]any{&t.ID, &t.ProductID, &t.Name, &t.SecretHash, &created, &expires, &revoked, &used, &t.Enrolled}, extra...)...)
	t.CreatedAt, t.ExpiresAt, t.RevokedAt, t.LastUsedAt = created.T, expires.T, revoked.ptr(), used.ptr()
	return t, err
}

var errEnrolmentNotFound = errs.E(errs.NotFound, "enrolment token not found").WithCode("enrolment_token_not_found")

func (s *orgStore) CreateEnrolmentToken(ctx context.Context, t *registry.EnrolmentToken) error {
	if err := s.requireProduct(ctx, t.ProductID); err != nil {
		return err
	}
	_, err := s.q.exec(ctx, `INSERT INTO enrolment_tokens (org_id, id, product_id, name, secret_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		s.org, t.ID, t.ProductID, t.Name, t.SecretHash, s.q.t(t.CreatedAt), s.q.t(t.ExpiresAt))
	return err
}

func (s *orgStore) EnrolmentTokens(ctx context.Context, productID string) ([]registry.EnrolmentToken, error) {
	rows, err := s.q.query(ctx, `SELECT `+enrolmentColumns+` FROM enrolment_tokens WHERE org_id = ? AND product_id = ? ORDER BY created_at DESC, id`, s.org, productID)
	if err != nil {
		return nil, err
	}
	out := []registry.EnrolmentToken{}
	return out, s.q.collect(rows, func(r *sql.Rows) error {
		t, err := scanEnrolment(r)
		out = append(out, t)
		return err
	})
}

func (s *orgStore) RevokeEnrolmentToken(ctx context.Context, productID, id string, at time.Time) (registry.EnrolmentToken, error) {
	res, err := s.q.exec(ctx, `UPDATE enrolment_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE org_id = ? AND product_id = ? AND id = ?`, s.q.t(at), s.org, productID, id)
	if err != nil {
		return registry.EnrolmentToken{}, err
	}
	if err := affected(res, errEnrolmentNotFound); err != nil {
		return registry.EnrolmentToken{}, err
	}
	t, err := scanEnrolment(s.q.row(ctx, `SELECT `+enrolmentColumns+` FROM enrolment_tokens WHERE org_id = ? AND id = ?`, s.org, id))
	return t, scanErr(err, errEnrolmentNotFound)
}

func (s *orgStore) UseEnrolmentToken(ctx context.Context, id string, at time.Time) error {
	res, err := s.q.exec(ctx, `UPDATE enrolment_tokens SET enrolled = enrolled + 1, last_used_at = ? WHERE org_id = ? AND id = ?`, s.q.t(at), s.org, id)
	if err != nil {
		return err
	}
	return affected(res, errEnrolmentNotFound)
}

func (d *directory) EnrolmentToken(ctx context.Context, id string) (registry.EnrolmentToken, string, error) {
	var org string
	t, err := scanEnrolment(d.q.row(ctx, `SELECT `+enrolmentColumns+`, org_id FROM enrolment_tokens WHERE id = ?`, id), &org)
	return t, org, scanErr(err, errEnrolmentNotFound)
}

var errDeviceUnknown = errs.E(errs.Unauthenticated, "unknown or unenrolled device").WithCode("unknown_device")

func (d *directory) DeviceIdentity(ctx context.Context, deviceID string) (registry.DeviceIdentity, error) {
	var id registry.DeviceIdentity
	var group string
	err := d.q.row(ctx, `SELECT d.id, d.org_id, o.slug, d.product_id, p.slug, d.serial, COALESCE(h.name, ''), COALESCE(r.version, ''), d.public_key, d.device_group
		FROM devices d JOIN products p ON p.id = d.product_id JOIN organisations o ON o.id = d.org_id
		LEFT JOIN hardware_revisions h ON h.id = d.hardware_revision_id
		LEFT JOIN releases r ON r.id = d.release_id
		WHERE d.id = ? AND d.public_key IS NOT NULL`, deviceID).Scan(&id.DeviceID, &id.OrgID, &id.OrgSlug, &id.ProductID, &id.ProductSlug, &id.Serial,
		&id.HardwareRevision, &id.InstalledVersion, &id.PublicKey, &group)
	if group != "" {
		id.Groups = []string{group}
	}
	return id, scanErr(err, errDeviceUnknown)
}

func (d *directory) RecordCheckIns(ctx context.Context, reports []registry.CheckIn, offered map[string]string) error {
	// One statement, prepared once for the batch: preparing it per row
	// cost more than running it.
	stmt, err := d.q.ex.PrepareContext(ctx, rebind(d.q.d, `UPDATE devices SET update_state = ?, update_target = ?, update_error = ?, health = ?, auto_update = ?,
		last_checkin_at = ?, updated_at = ?,
		last_seen = CASE WHEN last_seen IS NULL OR last_seen < ? THEN ? ELSE last_seen END,
		first_seen = COALESCE(first_seen, ?),
		release_id = COALESCE((SELECT r.id FROM releases r WHERE r.product_id = devices.product_id AND r.version = ?), release_id),
		rollout_id = COALESCE(?, rollout_id)
		WHERE id = ?`))
	if err != nil {
		return translate(d.q.d, err)
	}
	defer stmt.Close()
	for _, c := range reports {
		var rolloutID any
		if r, ok := offered[c.DeviceID]; ok {
			rolloutID = r
		}
		at := d.q.t(c.At)
		if _, err := stmt.ExecContext(ctx, c.State, c.Target, c.Error, c.Health, c.AutoUpdate, at, at, at, at, at, c.InstalledVersion, rolloutID, c.DeviceID); err != nil {
			return translate(d.q.d, err)
		}
	}
	return nil
}

// rolloutSpec is what the spec column keeps: the rollout's definition.
func rolloutSpec(r rollout.Rollout) (string, error) {
	b, err := json.Marshal(r)
	return string(b), err
}

const rolloutColumns = `id, spec, state, phase, phase_started_at, reason, created_at, updated_at`

func scanRollout(sc interface{ Scan(...any) error }, extra ...any) (rollout.Rollout, error) {
	var r rollout.Rollout
	var id, spec string
	var started, created, updated timeCol
	if err := sc.Scan(append([]any{&id, &spec, &r.State, &r.Phase, &started, &r.Reason, &created, &updated}, extra...)...); err != nil {
		return r, err
	}
	state, phase, reason := r.State, r.Phase, r.Reason
	if err := json.Unmarshal([]byte(spec), &r); err != nil {
		return r, fmt.Errorf("sqlstore: rollout %s spec: %w", id, err)
	}
	r.ID, r.State, r.Phase, r.Reason = id, state, phase, reason
	r.PhaseStartedAt, r.CreatedAt, r.UpdatedAt = started.T, created.T, updated.T
	return r, nil
}

var errRolloutNotFound = errs.E(errs.NotFound, "rollout not found").WithCode("rollout_not_found")

func (s *orgStore) CreateRollout(ctx context.Context, r *rollout.Rollout) error {
	if err := s.requireProduct(ctx, r.ProductID); err != nil {
		return err
	}
	if r.ID == "" {
		r.ID = ids.New()
	}
	spec, err := rolloutSpec(*r)
	if err != nil {
		return err
	}
	_, err = s.q.exec(ctx, `INSERT INTO rollouts (org_id, product_id, release_id, id, spec, state, phase, phase_started_at, reason, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, s.org, r.ProductID, r.ReleaseID, r.ID, spec, string(r.State), r.Phase,
		s.q.t(r.PhaseStartedAt), r.Reason, s.q.t(r.CreatedAt), s.q.t(r.UpdatedAt))
	return err
}

func (s *orgStore) Rollout(ctx context.Context, id string) (rollout.Rollout, error) {
	r, err := scanRollout(s.q.row(ctx, `SELECT `+rolloutColumns+` FROM rollouts WHERE org_id = ? AND id = ?`, s.org, id))
	return r, scanErr(err, errRolloutNotFound)
}

func (s *orgStore) Rollouts(ctx context.Context, productID string) ([]rollout.Rollout, error) {
	q, args := `SELECT `+rolloutColumns+` FROM rollouts WHERE org_id = ?`, []any{s.org}
	if productID != "" {
		q, args = q+` AND product_id = ?`, append(args, productID)
	}
	rows, err := s.q.query(ctx, q+` ORDER BY created_at DESC, id`, args...)
	if err != nil {
		return nil, err
	}
	out := []rollout.Rollout{}
	return out, s.q.collect(rows, func(r *sql.Rows) error {
		ro, err := scanRollout(r)
		out = append(out, ro)
		return err
	})
}

func (s *orgStore) UpdateRollout(ctx context.Context, r rollout.Rollout) error {
	res, err := s.q.exec(ctx, `UPDATE rollouts SET state = ?, phase = ?, phase_started_at = ?, reason = ?, updated_at = ? WHERE org_id = ? AND id = ?`,
		string(r.State), r.Phase, s.q.t(r.PhaseStartedAt), r.Reason, s.q.t(r.UpdatedAt), s.org, r.ID)
	if err != nil {
		return err
	}
	return affected(res, errRolloutNotFound)
}

func (s *orgStore) RolloutStats(ctx context.Context, r rollout.Rollout) (rollout.Stats, error) {
	var st rollout.Stats
	scope, args := `org_id = ? AND product_id = ?`, []any{s.org, r.ProductID}
	switch r.Scope {
	case rollout.HardwareRevision:
		scope += ` AND hardware_revision_id = (SELECT id FROM hardware_revisions WHERE product_id = ? AND name = ?)`
		args = append(args, r.ProductID, r.ScopeValue)
	case rollout.Group:
		scope += ` AND device_group = ?`
		args = append(args, r.ScopeValue)
	}
	if err := s.q.row(ctx, `SELECT COUNT(*) FROM devices WHERE `+scope, args...).Scan(&st.Targeted); err != nil {
		return st, err
	}
	err := s.q.row(ctx, `SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN release_id = ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN update_state = 'failed' AND update_target = ? AND (release_id IS NULL OR release_id <> ?) THEN 1 ELSE 0 END), 0)
		FROM devices WHERE org_id = ? AND rollout_id = ?`, r.ReleaseID, r.Target, r.ReleaseID, s.org, r.ID).Scan(&st.Offered, &st.Succeeded, &st.Failed)
	st.Pending = st.Offered - st.Succeeded - st.Failed
	return st, err
}

func (d *directory) ActiveRollouts(ctx context.Context) ([]store.ActiveRollout, error) {
	rows, err := d.q.query(ctx, `SELECT `+rolloutColumns+`, org_id FROM rollouts WHERE state = 'active' ORDER BY created_at`)
	if err != nil {
		return nil, err
	}
	out := []store.ActiveRollout{}
	return out, d.q.collect(rows, func(r *sql.Rows) error {
		var org string
		ro, err := scanRollout(r, &org)
		out = append(out, store.ActiveRollout{OrgID: org, Rollout: ro})
		return err
	})
}

func (d *directory) ClaimSessionRequest(ctx context.Context, deviceID string, ts int64) (bool, error) {
	res, err := d.q.exec(ctx, `UPDATE devices SET last_session_request = ? WHERE id = ? AND last_session_request < ?`, ts, deviceID, ts)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
