package testenv

import (
	"context"
	"crypto/rand"
	"testing"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/tufrepo"
)

// RootKeys are a test repository's offline root keys: two of the three
// must sign a root.
type RootKeys []tufrepo.KeyPair

// NewRootKeys makes three root keys.
func NewRootKeys(t testing.TB) RootKeys {
	t.Helper()
	var keys RootKeys
	for range 3 {
		k, err := tufrepo.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	return keys
}

// InstallRoot builds a root of the given version listing the server's chosen
// online keys (creating any that are missing), signs it with two of the
// root keys, as the offline key holders would, and installs it.
func (keys RootKeys) InstallRoot(t testing.TB, svc *service.Service, p access.Principal, product string, version int64) []byte {
	t.Helper()
	ctx := context.Background()
	st, err := svc.CreateOnlineKeys(ctx, p, product, nil)
	if err != nil {
		t.Fatal(err)
	}
	roles, err := tufrepo.ChooseOnlineKeys(st.Keys)
	if err != nil {
		t.Fatal(err)
	}
	var pubs []*metadata.Key
	for _, k := range keys {
		pubs = append(pubs, k.Public)
	}
	roles[tufrepo.Root] = tufrepo.RoleKeys{Keys: pubs, Threshold: 2}
	md, err := tufrepo.NewRoot(tufrepo.RootSpec{Version: version, Expires: svc.Now().AddDate(1, 0, 0), Roles: roles})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := md.ToBytes(true)
	for _, k := range keys[:2] {
		if b, err = tufrepo.SignRoot(b, k.Signer()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.InstallRoot(ctx, p, product, b); err != nil {
		t.Fatal(err)
	}
	return b
}
