package service

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/lifeline-iot/lifeline/internal/deviceapi"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/rollout"
	"github.com/lifeline-iot/lifeline/internal/store"
	"github.com/lifeline-iot/lifeline/internal/version"
)

// DefaultPollInterval is how often devices check in unless configured.
const DefaultPollInterval = time.Hour

// deviceStates are the update states a device may report.
var deviceStates = []string{deviceapi.StateIdle, deviceapi.StateDownloading, deviceapi.StateInstalling, deviceapi.StateRestarting, deviceapi.StateTrial, deviceapi.StateFailed}

// AuthenticateDevice checks a signed device request: the Authorization
// header, the device's enrolled key, the clock and replay. It returns the
// device's identity.
func (s *Service) AuthenticateDevice(ctx context.Context, authorization, method, path string, body []byte) (registry.DeviceIdentity, error) {
	if strings.HasPrefix(authorization, deviceapi.SessionScheme+" ") {
		return s.authenticateSession(ctx, authorization, method, path, body)
	}
	signed, err := deviceapi.ParseAuthorization(authorization)
	if err != nil {
		return registry.DeviceIdentity{}, errs.Wrap(errs.Unauthenticated, err, "sign device requests with the device key (%s)", err.Error()).WithCode("bad_device_signature")
	}
	ident, err := s.deviceIdentity(ctx, signed.DeviceID)
	if err != nil {
		return ident, err
	}
	if err := s.checkSignature(signed, ident, method, path, body); err != nil {
		return ident, err
	}
	return ident, nil
}

func (s *Service) checkSignature(signed deviceapi.Signed, ident registry.DeviceIdentity, method, path string, body []byte) error {
	return s.acceptRequest(signed.DeviceID, signed.Timestamp, func(last int64) error {
		return deviceapi.Verify(signed, ident.PublicKey, method, path, body, s.clock.Now(), last)
	})
}

// authenticateSession checks a request made in a device session (see
// deviceapi.SessionScheme): the key is derived again, nothing is stored.
func (s *Service) authenticateSession(ctx context.Context, authorization, method, path string, body []byte) (registry.DeviceIdentity, error) {
	signed, err := deviceapi.ParseSessionAuthorization(authorization)
	if err != nil {
		return registry.DeviceIdentity{}, errs.Wrap(errs.Unauthenticated, err, "bad session header (%s)", err.Error()).WithCode("bad_device_signature")
	}
	if err := s.updatesReady(); err != nil {
		return registry.DeviceIdentity{}, err
	}
	ident, err := s.deviceIdentity(ctx, signed.DeviceID)
	if err != nil {
		return ident, err
	}
	key := deviceapi.DeriveSessionKey(s.sessionSecret(), ident.DeviceID, signed.Expires, ident.PublicKey)
	return ident, s.acceptRequest(signed.DeviceID, signed.Timestamp, func(last int64) error {
		return deviceapi.VerifySession(signed, key, method, path, body, s.clock.Now(), last)
	})
}

// NewDeviceSession gives a device that has just signed a request with its
// key, at time requestTS, a session key for its next requests. The request
// time must be later than any session request of the device before, as
// recorded in the database: a replayed session request, on any server or
// after a restart, would otherwise hand out a key.
func (s *Service) NewDeviceSession(ctx context.Context, ident registry.DeviceIdentity, requestTS int64) (deviceapi.SessionResponse, error) {
	if err := s.updatesReady(); err != nil {
		return deviceapi.SessionResponse{}, err
	}
	fresh, err := s.store.Directory().ClaimSessionRequest(ctx, ident.DeviceID, requestTS)
	if err != nil {
		return deviceapi.SessionResponse{}, err
	}
	if !fresh {
		return deviceapi.SessionResponse{}, errs.E(errs.Unauthenticated, "%s", deviceapi.ErrReplay.Error()).WithCode("replayed_request")
	}
	exp := s.clock.Now().Add(deviceapi.SessionLife).Truncate(time.Second)
	key := deviceapi.DeriveSessionKey(s.sessionSecret(), ident.DeviceID, exp.Unix(), ident.PublicKey)
	return deviceapi.SessionResponse{Key: base64.RawURLEncoding.EncodeToString(key), Expires: exp}, nil
}

func (s *Service) sessionSecret() []byte {
	return s.updates.Secrets.Derive("lifeline device sessions v1")
}

// acceptRequest runs verify with the device's previous request time, then
// records this request's time unless a newer one got in meanwhile. The
// verification runs outside the lock: it is the costliest step of a check-in.
func (s *Service) acceptRequest(deviceID string, ts int64, verify func(last int64) error) error {
	s.lastSeenMu.Lock()
	last := s.lastRequest[deviceID]
	s.lastSeenMu.Unlock()
	err := verify(last)
	if err == nil {
		s.lastSeenMu.Lock()
		if ts <= s.lastRequest[deviceID] {
			err = deviceapi.ErrReplay
		} else {
			s.lastRequest[deviceID] = ts
		}
		s.lastSeenMu.Unlock()
	}
	switch {
	case errors.Is(err, deviceapi.ErrSessionExpired):
		return errs.E(errs.Unauthenticated, "%s", err.Error()).WithCode("session_expired")
	case errors.Is(err, deviceapi.ErrReplay):
		return errs.E(errs.Unauthenticated, "%s", err.Error()).WithCode("replayed_request")
	case errors.Is(err, deviceapi.ErrClockSkew):
		return errs.E(errs.Unauthenticated, "%s; the server's time is %s", err.Error(), s.clock.Now().Format(time.RFC3339)).WithCode("clock_skew")
	case err != nil:
		return errs.E(errs.Unauthenticated, "%s", err.Error()).WithCode("bad_device_signature")
	}
	return nil
}

// CheckIn records a device's report and answers what it should install and
// when to come back. The report is written in a batch shortly after, not
// before the answer: check-ins are the server's most frequent request.
func (s *Service) CheckIn(ctx context.Context, ident registry.DeviceIdentity, body []byte) (deviceapi.CheckInResponse, error) {
	var req deviceapi.CheckInRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return deviceapi.CheckInResponse{}, errs.Wrap(errs.Invalid, err, "the check-in body is not valid JSON of the expected shape").WithCode("bad_json")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return deviceapi.CheckInResponse{}, errs.E(errs.Invalid, "the check-in body must hold exactly one JSON object").WithCode("bad_json")
	}
	var f errs.Fields
	f.Check(slices.Contains(deviceStates, req.State), "state", "must be one of %v", deviceStates)
	f.Check(len(req.InstalledVersion) <= registry.MaxVersionLen && !hasControl(req.InstalledVersion), "installed_version", "must be at most %d characters, without control characters", registry.MaxVersionLen)
	f.Check(len(req.Target) <= 300 && !hasControl(req.Target), "target", "must be at most 300 characters, without control characters")
	f.Check(len(req.Error) <= 2000 && len(req.Health) <= 500, "error", "error and health must be short")
	if err := f.Err(); err != nil {
		return deviceapi.CheckInResponse{}, err
	}
	// Free text may hold what a failing installer printed; a stray control
	// character must not cost the device its check-in, but a NUL must not
	// reach storage: PostgreSQL refuses it, failing the whole batch of
	// check-ins it is written with.
	req.Error, req.Health = cleanText(req.Error), cleanText(req.Health)
	now := s.clock.Now()
	resp := deviceapi.CheckInResponse{PollAfter: s.pollAfter(), ServerTime: now}
	offer, rolloutID, err := s.offerFor(ctx, ident, req)
	if err != nil {
		return resp, err
	}
	resp.Offer = offer
	s.checkins.add(registry.CheckIn{DeviceID: ident.DeviceID, InstalledVersion: req.InstalledVersion, State: req.State,
		Target: req.Target, Error: req.Error, Health: req.Health, AutoUpdate: req.AutoUpdate, At: now}, rolloutID)
	if !s.checkins.running() {
		if err := s.FlushCheckIns(ctx); err != nil {
			return resp, err
		}
	}
	return resp, nil
}

// offerFor picks the release to offer from the product's rollouts that
// include the device now. The newest of them is the manufacturer's latest
// word: if it is an allowed rollback, the device should run exactly that
// release; otherwise the device gets the highest version above what it
// runs among the rollouts made since the last rollback. So a rollback is
// undone by the next forward rollout, and two rollouts can never send a
// device back and forth. A release the device just failed is not offered.
func (s *Service) offerFor(ctx context.Context, ident registry.DeviceIdentity, req deviceapi.CheckInRequest) (*deviceapi.Offer, string, error) {
	rollouts, err := s.activeRollouts(ctx, ident.OrgID, ident.ProductID)
	if err != nil {
		return nil, "", err
	}
	var cands []*rollout.Rollout
	for i := range rollouts {
		r := &rollouts[i]
		if (r.Scope == rollout.HardwareRevision && r.ScopeValue != ident.HardwareRevision) ||
			(r.Scope == rollout.Group && !slices.Contains(ident.Groups, r.ScopeValue)) || !r.Includes(ident.DeviceID) {
			continue
		}
		cands = append(cands, r)
	}
	slices.SortFunc(cands, func(a, b *rollout.Rollout) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	failed := func(r *rollout.Rollout) bool { return req.State == deviceapi.StateFailed && req.Target == r.Target }
	var best *rollout.Rollout
	for i, r := range cands {
		if r.AllowRollback {
			if i == 0 && !failed(r) && (req.InstalledVersion == "" || version.Compare(r.Version, req.InstalledVersion) != 0) {
				best = r
			}
			break // older rollouts are superseded by this rollback
		}
		if failed(r) || (req.InstalledVersion != "" && !version.Newer(r.Version, req.InstalledVersion)) {
			continue
		}
		if best == nil || version.Newer(r.Version, best.Version) {
			best = r
		}
	}
	if best == nil {
		return nil, "", nil
	}
	o := &deviceapi.Offer{Target: best.Target, Version: best.Version, SecurityUpdate: best.Security, RolloutID: best.ID}
	if next := best.Window.Next(s.clock.Now()); next.After(s.clock.Now()) && !best.Urgent {
		o.NotBefore = &next
	}
	return o, best.ID, nil
}

// pollAfter is the interval to the device's next check-in: the configured
// interval with ±10% jitter, so a fleet that started together spreads out,
// doubled while check-ins queue up faster than they are written (EN 303
// 645 5.9-3: the server can slow devices down).
func (s *Service) pollAfter() int {
	d := s.pollInterval()
	if s.checkins.backlog() > checkinBatch*4 {
		d *= 2
	}
	jitter := 0.9 + 0.2*rand.Float64()
	return max(1, int(d.Seconds()*jitter))
}

func (s *Service) pollInterval() time.Duration {
	if s.updates.PollInterval > 0 {
		return s.updates.PollInterval
	}
	return DefaultPollInterval
}

// FlushCheckIns writes the queued device reports.
func (s *Service) FlushCheckIns(ctx context.Context) error {
	reports, offered := s.checkins.take()
	if len(reports) == 0 {
		return nil
	}
	return s.store.Tx(ctx, func(q store.Queries) error {
		return q.Directory().RecordCheckIns(ctx, reports, offered)
	})
}

// RunCheckInWriter writes queued check-ins every interval until ctx ends,
// then writes what is left.
func (s *Service) RunCheckInWriter(ctx context.Context, interval time.Duration) {
	s.checkins.setRunning(true)
	defer s.checkins.setRunning(false)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := s.FlushCheckIns(context.WithoutCancel(ctx)); err != nil {
				s.log.Error("writing device check-ins on shutdown", "err", err)
			}
			return
		case <-t.C:
		case <-s.checkins.full:
		}
		if err := s.FlushCheckIns(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("writing device check-ins", "err", err)
		}
	}
}

// checkinBatch is how many reports make the writer flush early.
const checkinBatch = 1000

// checkinQueue holds device reports until the writer stores them. A later
// report of the same device replaces an earlier one not yet written.
type checkinQueue struct {
	mu      sync.Mutex
	reports map[string]registry.CheckIn
	offered map[string]string
	writer  bool
	full    chan struct{}
}

func newCheckinQueue() *checkinQueue {
	return &checkinQueue{reports: map[string]registry.CheckIn{}, offered: map[string]string{}, full: make(chan struct{}, 1)}
}

func (q *checkinQueue) add(c registry.CheckIn, rolloutID string) {
	q.mu.Lock()
	q.reports[c.DeviceID] = c
	if rolloutID != "" {
		q.offered[c.DeviceID] = rolloutID
	}
	n := len(q.reports)
	q.mu.Unlock()
	if n >= checkinBatch {
		select {
		case q.full <- struct{}{}:
		default:
		}
	}
}

func (q *checkinQueue) take() ([]registry.CheckIn, map[string]string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.reports) == 0 {
		return nil, nil
	}
	out := make([]registry.CheckIn, 0, len(q.reports))
	for _, c := range q.reports {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b registry.CheckIn) int { return compareStrings(a.DeviceID, b.DeviceID) })
	offered := q.offered
	q.reports, q.offered = map[string]registry.CheckIn{}, map[string]string{}
	return out, offered
}

func (q *checkinQueue) backlog() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.reports)
}

func (q *checkinQueue) running() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.writer
}

func (q *checkinQueue) setRunning(v bool) {
	q.mu.Lock()
	q.writer = v
	q.mu.Unlock()
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// hasControl reports whether s holds an ASCII control character.
func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

// cleanText replaces the control characters of device free text, other
// than tab and line breaks, with U+FFFD.
func cleanText(s string) string {
	if !strings.ContainsFunc(s, isStrayControl) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isStrayControl(r) {
			return utf8.RuneError
		}
		return r
	}, s)
}

func isStrayControl(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f
}
