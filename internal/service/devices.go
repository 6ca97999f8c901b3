package service

import (
	"context"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/audit"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/store"
)

// DeviceQuery selects devices; Product is a product slug or ID.
type DeviceQuery struct {
	Product          string
	HardwareRevision string
	InstalledVersion string
	SerialPrefix     string
	SeenSince        time.Time
}

func (s *Service) deviceFilter(ctx context.Context, os store.OrgStore, q DeviceQuery) (store.DeviceFilter, error) {
	f := store.DeviceFilter{HardwareRevision: q.HardwareRevision, InstalledVersion: q.InstalledVersion, SerialPrefix: q.SerialPrefix, SeenSince: q.SeenSince}
	if q.Product != "" {
		prod, err := os.Product(ctx, q.Product)
		if err != nil {
			return f, err
		}
		f.ProductID = prod.ID
	}
	return f, nil
}

// Devices lists devices, ordered by serial.
func (s *Service) Devices(ctx context.Context, p access.Principal, q DeviceQuery, pg store.Page) (store.List[registry.Device], error) {
	orgID, err := s.scope(p, access.ReadRegistry)
	if err != nil {
		return store.List[registry.Device]{}, err
	}
	os := s.store.Org(orgID)
	f, err := s.deviceFilter(ctx, os, q)
	if err != nil {
		return store.List[registry.Device]{}, err
	}
	return os.Devices(ctx, f, pg)
}

// CountDevices counts devices.
func (s *Service) CountDevices(ctx context.Context, p access.Principal, q DeviceQuery) (int, error) {
	orgID, err := s.scope(p, access.ReadRegistry)
	if err != nil {
		return 0, err
	}
	os := s.store.Org(orgID)
	f, err := s.deviceFilter(ctx, os, q)
	if err != nil {
		return 0, err
	}
	return os.CountDevices(ctx, f)
}

// Device returns one device of a product.
func (s *Service) Device(ctx context.Context, p access.Principal, productKey, serial string) (registry.Device, error) {
	os, prod, err := s.productIn(ctx, p, access.ReadRegistry, productKey)
	if err != nil {
		return registry.Device{}, err
	}
	return os.Device(ctx, prod.ID, serial)
}

// PutDevice creates or updates one device of a product.
func (s *Service) PutDevice(ctx context.Context, p access.Principal, productKey string, in registry.Device) (registry.Device, bool, error) {
	orgID, err := s.scope(p, access.WriteRegistry)
	if err != nil {
		return in, false, err
	}
	d := registry.Device{Serial: in.Serial, HardwareRevision: in.HardwareRevision, InstalledVersion: in.InstalledVersion, FirstSeen: in.FirstSeen, LastSeen: in.LastSeen, UpdatedAt: s.clock.Now()}
	if err := d.Validate(); err != nil {
		return d, false, err
	}
	var created bool
	err = s.inOrg(ctx, orgID, func(os store.OrgStore) (*audit.Event, error) {
		prod, err := os.Product(ctx, productKey)
		if err != nil {
			return nil, err
		}
		d.ProductID = prod.ID
		if created, err = os.UpsertDevice(ctx, &d); err != nil {
			return nil, err
		}
		verb := "updated"
		if created {
			verb = "registered"
		}
		return s.event(p, "device.put", "device", d.ID, verb+" device "+d.Serial+" of "+prod.Name, d), nil
	})
	if err == nil {
		s.devices.drop(d.ID) // its hardware revision may have changed
	}
	return d, created, err
}

// DeleteDevice removes a device.
func (s *Service) DeleteDevice(ctx context.Context, p access.Principal, productKey, serial string) error {
	return s.changeDevice(ctx, p, access.WriteRegistry, productKey, serial, "device.delete", "removed device",
		func(os store.OrgStore, productID string) error { return os.DeleteDevice(ctx, productID, serial) })
}

// changeDevice runs change on one device of a product in a transaction with
// an audit event ("<what> <serial> of <product>"), then drops the device's
// cached identity once committed, so the device API sees the change at once
// on this server (dropped earlier, a check-in running meanwhile could cache
// the old identity again).
func (s *Service) changeDevice(ctx context.Context, p access.Principal, perm access.Permission, productKey, serial, action, what string,
	change func(os store.OrgStore, productID string) error) error {
	orgID, err := s.scope(p, perm)
	if err != nil {
		return err
	}
	var deviceID string
	err = s.inOrg(ctx, orgID, func(os store.OrgStore) (*audit.Event, error) {
		prod, err := os.Product(ctx, productKey)
		if err != nil {
			return nil, err
		}
		d, err := os.Device(ctx, prod.ID, serial)
		if err != nil {
			return nil, err
		}
		if err := change(os, prod.ID); err != nil {
			return nil, err
		}
		deviceID = d.ID
		return s.event(p, action, "device", d.ID, what+" "+serial+" of "+prod.Name, nil), nil
	})
	if err == nil {
		s.devices.drop(deviceID)
	}
	return err
}
