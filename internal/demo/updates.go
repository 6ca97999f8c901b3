package demo

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/rollout"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/tufrepo"
)

// demoRootKeys makes an organisation's demo root keys: two of three must
// sign a root. A real manufacturer makes these offline with `lifeline keys
// generate`; the demo keeps them in its credentials file so the key
// ceremony can be tried, which is exactly what production must never do.
func demoRootKeys() ([]tufrepo.KeyPair, []string, error) {
	var keys []tufrepo.KeyPair
	var pems []string
	for range 3 {
		k, err := tufrepo.GenerateKey(rand.Reader)
		if err != nil {
			return nil, nil, err
		}
		pem, err := tufrepo.EncodePrivateKey(k.Private, nil, rand.Reader)
		if err != nil {
			return nil, nil, err
		}
		keys = append(keys, k)
		pems = append(pems, string(pem))
	}
	return keys, pems, nil
}

// seedRepository sets up a product's update repository and signs an image
// for each of its releases, so devices could fetch them at once.
func seedRepository(ctx context.Context, svc *service.Service, p access.Principal, prod registry.Product, rootKeys []tufrepo.KeyPair, releases []releaseSeed) error {
	st, err := svc.CreateOnlineKeys(ctx, p, prod.Slug, nil)
	if err != nil {
		return err
	}
	online, err := tufrepo.ChooseOnlineKeys(st.Keys)
	if err != nil {
		return err
	}
	var pubs []*metadata.Key
	for _, k := range rootKeys {
		pubs = append(pubs, k.Public)
	}
	online[tufrepo.Root] = tufrepo.RoleKeys{Keys: pubs, Threshold: 2}
	md, err := tufrepo.NewRoot(tufrepo.RootSpec{Version: 1, Expires: svc.Now().Add(tufrepo.DefaultRootExpiry), Roles: online})
	if err != nil {
		return err
	}
	root, err := md.ToBytes(true)
	if err != nil {
		return err
	}
	for _, k := range rootKeys[:2] {
		if root, err = tufrepo.SignRoot(root, k.Signer()); err != nil {
			return err
		}
	}
	if _, err := svc.InstallRoot(ctx, p, prod.Slug, root); err != nil {
		return err
	}
	// Oldest first, as a manufacturer would have signed them.
	for i := len(releases) - 1; i >= 0; i-- {
		r := releases[i]
		name := prod.Slug + "-" + r.version + ".bin"
		if _, err := svc.UploadImage(ctx, p, prod.Slug, r.version, name, bytes.NewReader(fakeImage(prod.Slug, r.version))); err != nil {
			return fmt.Errorf("image %s: %w", name, err)
		}
		if _, err := svc.SignRelease(ctx, p, prod.Slug, r.version); err != nil {
			return fmt.Errorf("sign %s: %w", r.version, err)
		}
	}
	return nil
}

// fakeImage is a stand-in firmware image: 256 KiB, different for every
// product and version, the same on every run.
func fakeImage(product, version string) []byte {
	header := fmt.Sprintf("LIFELINE DEMO FIRMWARE\nproduct %s\nversion %s\nbuilt %s\n", product, version, time.Unix(0, 0).UTC().Format(time.DateOnly))
	img := make([]byte, 256<<10)
	copy(img, header)
	x := uint32(len(product)*7919 + len(version)*104729)
	for _, c := range product + version {
		x = x*31 + uint32(c)
	}
	for i := len(header); i < len(img); i++ {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		img[i] = byte(x)
	}
	return img
}

// Fleet describes the demo's simulated devices, which `serve --demo` runs
// in the server process so that a rollout visibly makes progress.
type Fleet struct {
	Product          string `json:"product"` // "<manufacturer>/<product>"
	HardwareRevision string `json:"hardware_revision"`
	Version          string `json:"version"` // what the devices run before the rollout
	Devices          int    `json:"devices"`
	EnrolmentToken   string `json:"enrolment_token"`
	// KeySeed derives the simulated devices' keys, so a restarted demo
	// enrols the same devices again.
	KeySeed string `json:"key_seed"`
}

// seedFleet creates the enrolment token and the rollout the simulated
// devices take part in: the newest Home Hub release, in three phases.
func seedFleet(ctx context.Context, svc *service.Service, p access.Principal, orgSlug string, prod registry.Product, releases []releaseSeed, revision string) (*Fleet, error) {
	_, token, err := svc.CreateEnrolmentToken(ctx, p, prod.Slug, "demo: simulated devices", 365*24*time.Hour)
	if err != nil {
		return nil, err
	}
	if _, err := svc.CreateRollout(ctx, p, prod.Slug, rollout.Rollout{
		Version: releases[0].version, Phases: []float64{10, 50, 100}, Soak: rollout.Duration(time.Minute),
		PauseAt: rollout.Threshold{Percent: 25}, AbortAt: rollout.Threshold{Percent: 60},
	}); err != nil {
		return nil, err
	}
	seed := make([]byte, 16)
	if _, err := rand.Read(seed); err != nil {
		return nil, err
	}
	return &Fleet{Product: orgSlug + "/" + prod.Slug, HardwareRevision: revision, Version: releases[1].version, Devices: 60,
		EnrolmentToken: token, KeySeed: hex.EncodeToString(seed)}, nil
}
