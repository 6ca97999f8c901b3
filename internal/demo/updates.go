package demo

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/registry"
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
