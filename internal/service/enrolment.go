package service

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/audit"
	"github.com/lifeline-iot/lifeline/internal/deviceapi"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/ids"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/store"
)

// MaxEnrolmentTokenLife bounds an enrolment token's lifetime.
const MaxEnrolmentTokenLife = 5 * 365 * 24 * time.Hour

// CreateEnrolmentToken makes a token that lets devices of a product enrol.
// Its plaintext is returned once and stored only hashed.
func (s *Service) CreateEnrolmentToken(ctx context.Context, p access.Principal, productKey, name string, life time.Duration) (registry.EnrolmentToken, string, error) {
	orgID, err := s.scope(p, access.ManageUpdateKeys)
	if err != nil {
		return registry.EnrolmentToken{}, "", err
	}
	if life <= 0 || life > MaxEnrolmentTokenLife {
		return registry.EnrolmentToken{}, "", errs.Invalidf("expires_in_days", "must be between 1 day and 5 years")
	}
	now := s.clock.Now()
	t := registry.EnrolmentToken{ID: ids.New(), Name: name, CreatedAt: now, ExpiresAt: now.Add(life)}
	plaintext, hash := access.NewPrefixedSecret(registry.EnrolmentTokenPrefix, t.ID)
	t.SecretHash = hash
	if err := t.Validate(); err != nil {
		return t, "", err
	}
	err = s.inOrg(ctx, orgID, func(os store.OrgStore) (*audit.Event, error) {
		prod, err := os.Product(ctx, productKey)
		if err != nil {
			return nil, err
		}
		t.ProductID = prod.ID
		if err := os.CreateEnrolmentToken(ctx, &t); err != nil {
			return nil, err
		}
		return s.event(p, "enrolment_token.create", "product", prod.ID, "created enrolment token "+t.Name+" for "+prod.Name, map[string]any{"token_id": t.ID, "expires_at": t.ExpiresAt}), nil
	})
	return t, plaintext, err
}

// EnrolmentTokens lists a product's enrolment tokens.
func (s *Service) EnrolmentTokens(ctx context.Context, p access.Principal, productKey string) ([]registry.EnrolmentToken, error) {
	os, prod, err := s.productIn(ctx, p, access.ReadRegistry, productKey)
	if err != nil {
		return nil, err
	}
	return os.EnrolmentTokens(ctx, prod.ID)
}

// RevokeEnrolmentToken stops a token from enrolling more devices. Devices
// that enrolled with it keep working: they hold their own keys.
func (s *Service) RevokeEnrolmentToken(ctx context.Context, p access.Principal, productKey, id string) (registry.EnrolmentToken, error) {
	orgID, err := s.scope(p, access.ManageUpdateKeys)
	if err != nil {
		return registry.EnrolmentToken{}, err
	}
	var t registry.EnrolmentToken
	err = s.inOrg(ctx, orgID, func(os store.OrgStore) (*audit.Event, error) {
		prod, err := os.Product(ctx, productKey)
		if err != nil {
			return nil, err
		}
		if t, err = os.RevokeEnrolmentToken(ctx, prod.ID, id, s.clock.Now()); err != nil {
			return nil, err
		}
		return s.event(p, "enrolment_token.revoke", "product", prod.ID, "revoked enrolment token "+t.Name+" of "+prod.Name, map[string]any{"token_id": t.ID}), nil
	})
	return t, err
}

// Enrol registers a device and the public key it generated, on the word of
// an enrolment token of its product and a signature by that key over the
// request (proof), so nobody can enrol a key they do not hold. Enrolling again with the same key is
// harmless; a different key for an enrolled device is refused until its
// key is reset.
// Proof is a signed request as it came: what proves that the sender holds
// a key.
type Proof struct {
	Authorization, Method, Path string
	Body                        []byte
}

func (s *Service) Enrol(ctx context.Context, req deviceapi.EnrolRequest, proof Proof, source string) (deviceapi.EnrolResponse, error) {
	denied := errs.E(errs.Unauthenticated, "the enrolment token is not valid").WithCode("bad_enrolment_token")
	id, secret, ok := access.ParsePrefixedSecret(registry.EnrolmentTokenPrefix, req.Token)
	if !ok {
		return deviceapi.EnrolResponse{}, denied
	}
	pub, err := deviceapi.ParsePublicKey(req.PublicKey)
	if err != nil {
		return deviceapi.EnrolResponse{}, errs.Invalidf("public_key", "%s", err.Error())
	}
	if err := deviceapi.VerifyEnrolment(proof.Authorization, pub, proof.Method, proof.Path, proof.Body, s.clock.Now()); err != nil {
		return deviceapi.EnrolResponse{}, errs.Wrap(errs.Unauthenticated, err, "sign the enrolment request with the key being enrolled (%s)", err.Error()).WithCode("bad_device_signature")
	}
	d := registry.Device{Serial: req.Serial, HardwareRevision: req.HardwareRevision, InstalledVersion: req.InstalledVersion}
	if err := d.Validate(); err != nil {
		return deviceapi.EnrolResponse{}, err
	}
	tok, orgID, err := s.store.Directory().EnrolmentToken(ctx, id)
	now := s.clock.Now()
	if err != nil || !access.SecretMatches(secret, tok.SecretHash) || !tok.Usable(now) {
		return deviceapi.EnrolResponse{}, denied
	}
	var resp deviceapi.EnrolResponse
	err = s.inOrg(ctx, orgID, func(os store.OrgStore) (*audit.Event, error) {
		prod, err := os.Product(ctx, tok.ProductID)
		if err != nil {
			return nil, err
		}
		org, err := os.Organisation(ctx)
		if err != nil {
			return nil, err
		}
		d.ProductID = prod.ID
		deviceID, err := os.EnrolDevice(ctx, d, pub, now)
		if err != nil {
			return nil, err
		}
		if err := os.UseEnrolmentToken(ctx, tok.ID, now); err != nil {
			return nil, err
		}
		// The first check-in comes soon after enrolment, spread over a minute
		// so that a batch of devices switched on together does not arrive at once.
		resp = deviceapi.EnrolResponse{DeviceID: deviceID, Repository: RepositoryPath(org.Slug, prod.Slug), PollAfter: firstCheckIn(s.pollInterval())}
		e := s.event(access.Principal{Kind: access.KindSystem, Source: source}, "device.enrol", "device", deviceID,
			"device "+d.Serial+" of "+prod.Name+" enrolled", map[string]any{"enrolment_token": tok.Name, "hardware_revision": d.HardwareRevision})
		e.ActorLabel = "enrolment token " + tok.Name
		return e, nil
	})
	if err == nil {
		s.devices.drop(resp.DeviceID)
	}
	return resp, err
}

// SetDeviceGroup puts a device in a group that rollouts can target.
func (s *Service) SetDeviceGroup(ctx context.Context, p access.Principal, productKey, serial, group string) error {
	orgID, err := s.scope(p, access.WriteRegistry)
	if err != nil {
		return err
	}
	if len(group) > registry.MaxGroupLen {
		return errs.Invalidf("group", "must be at most %d characters", registry.MaxGroupLen)
	}
	return s.inOrg(ctx, orgID, func(os store.OrgStore) (*audit.Event, error) {
		prod, err := os.Product(ctx, productKey)
		if err != nil {
			return nil, err
		}
		if err := os.SetDeviceGroup(ctx, prod.ID, serial, group); err != nil {
			return nil, err
		}
		s.devices.clear()
		return s.event(p, "device.group", "product", prod.ID, "put device "+serial+" of "+prod.Name+" in group "+group, nil), nil
	})
}

// ResetDeviceKey forgets a device's key so it can enrol again, after a
// factory reset or repair. Until it does, its requests are refused.
func (s *Service) ResetDeviceKey(ctx context.Context, p access.Principal, productKey, serial string) error {
	return s.changeDevice(ctx, p, access.ManageUpdateKeys, productKey, serial, "device.reset_key", "reset the key of device",
		func(os store.OrgStore, productID string) error { return os.ResetDeviceKey(ctx, productID, serial) })
}

// firstCheckIn is the wait before a newly enrolled device's first check-in.
func firstCheckIn(interval time.Duration) int {
	limit := min(interval, time.Minute)
	return 1 + int(rand.Int64N(int64(limit/time.Second)+1))
}
