package tufhttp_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/testenv"
	"github.com/lifeline-iot/lifeline/internal/tufrepo"
)

// manufacturer is a test manufacturer with one product, driven through the
// HTTP API as its owner would, holding its root keys offline (in memory).
type manufacturer struct {
	t        *testing.T
	env      *testenv.Env
	org      testenv.Org
	token    string
	product  string
	rootKeys []tufrepo.KeyPair
	root     []byte // the newest root installed
}

func newManufacturer(t *testing.T, env *testenv.Env) *manufacturer {
	t.Helper()
	org := env.Org(t, "acme", access.Manufacturer)
	m := &manufacturer{t: t, env: env, org: org, token: org.Tokens[access.Owner], product: "smart-plug"}
	m.call("POST", "/api/v1/products", "application/json", `{"name":"Smart Plug","slug":"smart-plug","model_designation":"SP-1","category":"Smart plug"}`, 201)
	m.call("POST", "/api/v1/products/smart-plug/hardware-revisions", "application/json", `{"name":"rev-a"}`, 201)
	m.call("POST", "/api/v1/products/smart-plug/hardware-revisions", "application/json", `{"name":"rev-b"}`, 201)
	for range 3 {
		k, err := tufrepo.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		m.rootKeys = append(m.rootKeys, k)
	}
	return m
}

// call sends an API request and checks the status.
func (m *manufacturer) call(method, path, contentType string, body any, want int) []byte {
	m.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = bytes.NewReader([]byte(b))
	case []byte:
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, m.env.URL+path, r)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", "Bearer "+m.token)
	resp, err := testenv.Client().Do(req)
	if err != nil {
		m.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		m.t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, out)
	}
	return out
}

func (m *manufacturer) status() service.RepositoryStatus {
	m.t.Helper()
	var st service.RepositoryStatus
	if err := json.Unmarshal(m.call("GET", "/api/v1/products/"+m.product+"/update-repository", "", nil, 200), &st); err != nil {
		m.t.Fatal(err)
	}
	return st
}

// buildRoot does offline what `lifeline keys root` does: a root listing
// the root keys (2 of 3) and the server's chosen online keys, signed by
// signers.
func (m *manufacturer) buildRoot(version int64, rootKeys []tufrepo.KeyPair, signers ...tufrepo.KeyPair) []byte {
	m.t.Helper()
	online, err := tufrepo.ChooseOnlineKeys(m.status().Keys)
	if err != nil {
		m.t.Fatal(err)
	}
	spec := tufrepo.RootSpec{Version: version, Expires: m.env.Clock.Now().AddDate(1, 0, 0), Roles: online}
	var pubs []*metadata.Key
	for _, k := range rootKeys {
		pubs = append(pubs, k.Public)
	}
	spec.Roles[tufrepo.Root] = tufrepo.RoleKeys{Keys: pubs, Threshold: 2}
	md, err := tufrepo.NewRoot(spec)
	if err != nil {
		m.t.Fatal(err)
	}
	b, _ := md.ToBytes(true)
	for _, k := range signers {
		if b, err = tufrepo.SignRoot(b, k.Signer()); err != nil {
			m.t.Fatal(err)
		}
	}
	return b
}

// setUp creates the online keys and installs root version 1.
func (m *manufacturer) setUp() {
	m.t.Helper()
	m.call("POST", "/api/v1/products/"+m.product+"/update-repository/keys", "application/json", `{}`, 201)
	m.root = m.buildRoot(1, m.rootKeys, m.rootKeys[0], m.rootKeys[1])
	m.call("PUT", "/api/v1/products/"+m.product+"/update-repository/root", "application/json", m.root, 200)
}

// release records, uploads and signs a release with the given image.
func (m *manufacturer) release(version string, image []byte, extra string) {
	m.t.Helper()
	m.call("POST", "/api/v1/products/"+m.product+"/releases", "application/json", `{"version":"`+version+`"`+extra+`}`, 201)
	m.call("PUT", "/api/v1/products/"+m.product+"/releases/"+version+"/image?file_name=plug.bin", "application/octet-stream", image, 200)
	m.call("POST", "/api/v1/products/"+m.product+"/releases/"+version+"/sign", "", nil, 200)
}

func (m *manufacturer) baseURL() string {
	return m.env.URL + service.RepositoryPath(m.org.Slug, m.product)
}

func forEachBackend(t *testing.T, fn func(t *testing.T, env *testenv.Env)) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			fn(t, testenv.New(t, testenv.OpenStore(t, backend)))
		})
	}
}

// clockAt is a test's fake "now" a TUF client should use.
func clockAt(env *testenv.Env) time.Time { return env.Clock.Now() }

// signManyReleases records n releases 0.x.y/fw.bin with small images and
// signs them in one publication, through the service (the API would take
// thousands of requests).
func (m *manufacturer) signManyReleases(n int) {
	m.t.Helper()
	ctx := m.t.Context()
	sys := access.System("test").InOrg(m.org.ID)
	var versions []string
	for i := range n {
		v := fmt.Sprintf("0.%d.%d", i/100, i%100)
		versions = append(versions, v)
		if _, err := m.env.Service.CreateRelease(ctx, sys, m.product, registry.Release{Version: v}); err != nil {
			m.t.Fatal(err)
		}
		if _, err := m.env.Service.UploadImage(ctx, sys, m.product, v, "fw.bin", strings.NewReader("image "+v)); err != nil {
			m.t.Fatal(err)
		}
	}
	if _, err := m.env.Service.SignReleases(ctx, sys, m.product, versions); err != nil {
		m.t.Fatal(err)
	}
}
