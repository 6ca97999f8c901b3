package webui_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/tufrepo"
	"github.com/lifeline-iot/lifeline/internal/webui"
)

// signedRoot builds version 1 of a product's root metadata, as the key
// holders would offline: the server's online keys from st and one new root
// key, which signs it. unsigned leaves the signature off.
func signedRoot(t *testing.T, st service.RepositoryStatus, expires time.Time, unsigned bool) []byte {
	t.Helper()
	roles, err := tufrepo.ChooseOnlineKeys(st.Keys)
	if err != nil {
		t.Fatal(err)
	}
	k, err := tufrepo.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	roles[tufrepo.Root] = tufrepo.RoleKeys{Keys: []*metadata.Key{k.Public}, Threshold: 1}
	md, err := tufrepo.NewRoot(tufrepo.RootSpec{Version: 1, Expires: expires, Roles: roles})
	if err != nil {
		t.Fatal(err)
	}
	b, err := md.ToBytes(true)
	if err != nil {
		t.Fatal(err)
	}
	if unsigned {
		return b
	}
	if b, err = tufrepo.SignRoot(b, k.Signer()); err != nil {
		t.Fatal(err)
	}
	return b
}

// setUpRepository gives a product an update repository whose root expires
// after life.
func (e *env) setUpRepository(o org, product string, life time.Duration) {
	e.t.Helper()
	ctx := context.Background()
	st, err := e.svc.CreateOnlineKeys(ctx, o.sys, product, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.svc.InstallRoot(ctx, o.sys, product, signedRoot(e.t, st, e.clk.Now().Add(life), false)); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) repository(o org, product string) service.RepositoryStatus {
	e.t.Helper()
	st, err := e.svc.UpdateRepository(context.Background(), o.sys, product)
	if err != nil {
		e.t.Fatal(err)
	}
	return st
}

func (e *env) release(o org, product, version string) registry.Release {
	e.t.Helper()
	r, err := e.svc.Release(context.Background(), o.sys, product, version)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

// TestUpdateRepositorySection renders the section for a product with a
// repository and one without, as each role sees it.
func TestUpdateRepositorySection(t *testing.T) {
	e := newEnv(t, webui.Config{})
	o := e.org("acme")
	e.product(o, "plug", "Smart Plug", "SP-200", "2030-06", false)
	e.product(o, "cam", "Camera", "CAM-1", "", false)
	e.setUpRepository(o, "plug", 365*24*time.Hour)
	ctx := context.Background()
	if _, err := e.svc.CreateRelease(ctx, o.sys, "plug", registry.Release{Version: "1.0.0", ReleasedAt: start}); err != nil {
		t.Fatal(err)
	}
	keyID := e.repository(o, "plug").Keys[0].KeyID

	keysForm := `action="/ui/products/cam/repository/keys"`
	rootForm := `enctype="multipart/form-data"` // only the root and image forms upload
	cases := []struct {
		name      string
		role      access.Role
		product   string
		want, not []string
	}{
		{"owner_set_up", access.Owner, "plug",
			[]string{`<h2 id="update-repository">Update repository</h2>`, "<strong>Set up</strong>", "<code>" + e.url + "/tuf/acme/plug/</code>",
				"Version 1, expires 1 Jun 2027", "<th scope=\"row\">timestamp</th>", "<th scope=\"row\">targets</th>", "<th scope=\"row\">snapshot</th>",
				"<code>" + keyID[:16] + "…</code>", "Active: signs the", "<dt>Signed releases</dt><dd>0</dd>",
				"Renew the root metadata", `action="/ui/products/plug/repository/root"`, `<label for="root-file">Root metadata file</label>`,
				"Replace an online key", `action="/ui/products/plug/repository/keys"`, `id="rotate-role-timestamp"`,
				"--previous 1.root.json", "--out 2.root.json", "version 2"},
			[]string{"Not set up", "How to set it up", "Warning: the root metadata"}},
		{"viewer_set_up", access.Viewer, "plug",
			[]string{"<strong>Set up</strong>", "Active: signs the", "An owner of your organisation installs the new version"},
			[]string{"/repository/root", "/repository/keys", rootForm, "Replace an online key"}},
		{"maintainer_set_up", access.Maintainer, "plug",
			[]string{"<strong>Set up</strong>", `action="/ui/products/plug/releases/1.0.0/image"`, `<label for="image-0-file">Firmware image for 1.0.0</label>`},
			[]string{"/repository/root", "/repository/keys", "Replace an online key"}},
		{"owner_not_set_up", access.Owner, "cam",
			[]string{"<strong>Not set up</strong>", "How to set it up", "lifeline tuf status cam -o json &gt; online.json", "lifeline keys root create",
				"lifeline tuf root install cam 1.root.json", keysForm, ">Create online keys</button>", `action="/ui/products/cam/repository/root"`,
				"This server holds no signing keys for this product yet.", "<dt>Signed releases</dt><dd>0</dd>"},
			[]string{"<strong>Set up</strong>", "Renew the root metadata", "Replace an online key"}},
		{"viewer_not_set_up", access.Viewer, "cam",
			[]string{"<strong>Not set up</strong>", "How to set it up", "An owner of your organisation does this."},
			[]string{keysForm, "/repository/root", rootForm, "Create online keys</button>"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := e.browser()
			b.login(o.email[tc.role])
			r := b.get("/ui/products/" + tc.product)
			wantStatus(t, tc.name, r, http.StatusOK)
			wantBody(t, tc.name, r, tc.want...)
			notBody(t, tc.name, r, tc.not...)
			checkPage(t, tc.name, r)
		})
	}
}

// TestRootExpiryWarning checks that the page warns, in words, when the
// root metadata is about to expire and once it has.
func TestRootExpiryWarning(t *testing.T) {
	e := newEnv(t, webui.Config{})
	o := e.org("acme")
	e.product(o, "plug", "Smart Plug", "SP-200", "2030-06", false)
	e.product(o, "lock", "Door Lock", "DL-1", "2030-06", false)
	e.setUpRepository(o, "plug", 365*24*time.Hour)
	e.setUpRepository(o, "lock", 30*24*time.Hour+time.Hour)

	b := e.browser()
	b.login(o.email[access.Viewer])
	notBody(t, "a root good for a year", b.get("/ui/products/plug"), "Warning: the root metadata")
	soon := b.get("/ui/products/lock")
	wantBody(t, "a root good for 30 days", soon, `<div class="alert alert-warning">`, "Warning: the root metadata expires in 30 days",
		"expires on 1 Jul 2026", "Root keys are kept offline", "<strong>(soon)</strong>", "<details open>\n    <summary>Renew the root metadata")
	checkPage(t, "expiring root", soon)

	e.clk.Advance(31 * 24 * time.Hour)
	b = e.browser()
	b.login(o.email[access.Viewer])
	expired := b.get("/ui/products/lock")
	wantBody(t, "an expired root", expired, "Warning: the root metadata has expired", "Devices refuse every update", "<strong>(expired)</strong>")
}

// TestRepositorySetupForms sets a repository up through the owner's
// forms: keys, then a root uploaded as a file; refused uploads change
// nothing.
func TestRepositorySetupForms(t *testing.T) {
	e := newEnv(t, webui.Config{})
	o := e.org("acme")
	e.product(o, "cam", "Camera", "CAM-1", "", false)
	b := e.browser()
	b.login(o.email[access.Owner])

	t.Run("viewer_cannot_create_keys", func(t *testing.T) {
		v := e.browser()
		v.login(o.email[access.Viewer])
		r := v.submit("/ui/products/cam", "/ui/products/cam/repository/keys", nil)
		wantStatus(t, "viewer keys", r, http.StatusForbidden)
		if n := len(e.repository(o, "cam").Keys); n != 0 {
			t.Fatalf("a viewer created %d keys", n)
		}
	})
	t.Run("create_keys", func(t *testing.T) {
		r := b.submit("/ui/products/cam", "/ui/products/cam/repository/keys", nil)
		wantStatus(t, "create keys", r, http.StatusSeeOther)
		if loc := r.header.Get("Location"); loc != "/ui/products/cam?done=keys_created#update-repository" {
			t.Fatalf("Location = %q", loc)
		}
		page := b.get("/ui/products/cam?done=keys_created")
		wantBody(t, "keys created", page, "New online signing keys were created", "Pending: waits for root metadata that lists it", "<span aria-hidden=\"true\">✓</span> Done")
		notBody(t, "keys created", page, ">Create online keys</button>")
		if strings.Count(page.body, "Pending: waits") != 3 {
			t.Errorf("want 3 pending keys on the page")
		}
		r = b.submit("/ui/products/cam", "/ui/products/cam/repository/keys", nil)
		wantStatus(t, "create keys again", r, http.StatusSeeOther)
		if loc := r.header.Get("Location"); !strings.Contains(loc, "done=keys_exist") {
			t.Errorf("Location = %q, want done=keys_exist", loc)
		}
		if n := len(e.repository(o, "cam").Keys); n != 3 {
			t.Errorf("%d keys, want 3", n)
		}
	})

	st := e.repository(o, "cam")
	good := signedRoot(t, st, e.clk.Now().Add(365*24*time.Hour), false)
	token := csrfToken(t, b.get("/ui/products/cam").body)
	csrf := [][2]string{{"csrf_token", token}}
	cases := []struct {
		name     string
		fields   [][2]string
		filename string
		file     []byte
		status   int
		want     []string
		after    [][2]string // fields sent after the file
	}{
		{"no_file", csrf, "", nil, http.StatusBadRequest, []string{`id="root-file-error"`, "choose the signed root metadata file", `aria-invalid="true"`}, nil},
		{"not_json", csrf, "1.root.json", []byte("hello"), http.StatusBadRequest, []string{"Not TUF root metadata", `role="alert"`}, nil},
		{"unsigned", csrf, "1.root.json", signedRoot(t, st, e.clk.Now().Add(time.Hour), true), http.StatusBadRequest, []string{"not signed by the threshold of its own root keys"}, nil},
		{"too_large", csrf, "1.root.json", bytes.Repeat([]byte(" "), tufrepo.MaxRootSize+1), http.StatusRequestEntityTooLarge, []string{`id="root-file-error"`, "is larger than 500 KiB"}, nil},
		{"no_form_token", nil, "1.root.json", good, http.StatusForbidden, []string{"This form has expired or did not come from Lifeline"}, nil},
		{"form_token_after_file", nil, "1.root.json", good, http.StatusForbidden, nil, csrf},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := b.uploadAround("/ui/products/cam/repository/root", tc.fields, tc.filename, "application/json", tc.file, tc.after)
			wantStatus(t, tc.name, r, tc.status)
			wantBody(t, tc.name, r, tc.want...)
			checkPage(t, tc.name, r)
			if e.repository(o, "cam").Repository != nil {
				t.Fatal("a refused root was installed")
			}
		})
	}
	t.Run("viewer_cannot_install", func(t *testing.T) {
		v := e.browser()
		v.login(o.email[access.Viewer])
		tok := csrfToken(t, v.get("/ui/products/cam").body)
		r := v.upload("/ui/products/cam/repository/root", [][2]string{{"csrf_token", tok}}, "1.root.json", "application/json", good)
		wantStatus(t, "viewer root", r, http.StatusForbidden)
		if e.repository(o, "cam").Repository != nil {
			t.Fatal("a viewer installed a root")
		}
	})
	t.Run("install", func(t *testing.T) {
		r := b.upload("/ui/products/cam/repository/root", csrf, "1.root.json", "application/json", good)
		wantStatus(t, "install root", r, http.StatusSeeOther)
		page := b.get(r.header.Get("Location"))
		wantBody(t, "installed", page, "The root metadata was installed", "<strong>Set up</strong>", "Version 1, expires 1 Jun 2027")
		if strings.Count(page.body, "Active: signs the") != 3 {
			t.Errorf("want 3 active keys on the page")
		}
	})
	t.Run("rotate_needs_a_role", func(t *testing.T) {
		r := b.submit("/ui/products/cam", "/ui/products/cam/repository/keys", url.Values{"rotate": {"1"}})
		wantStatus(t, "rotate without roles", r, http.StatusBadRequest)
		wantBody(t, "rotate without roles", r, `id="rotate-roles-error"`, "choose at least one role", "<details open>\n    <summary>Replace an online key")
		checkPage(t, "rotate without roles", r)
	})
	t.Run("rotate", func(t *testing.T) {
		r := b.submit("/ui/products/cam", "/ui/products/cam/repository/keys", url.Values{"rotate": {"1"}, "roles": {"timestamp"}})
		wantStatus(t, "rotate", r, http.StatusSeeOther)
		page := b.get(r.header.Get("Location"))
		wantBody(t, "rotated", page, "1 new key waits for root metadata that lists it")
	})
}

// TestReleaseImageForms records a release with its hardware and kind,
// uploads its image through the streaming form, and signs it.
func TestReleaseImageForms(t *testing.T) {
	const limit = 16 << 10
	e := newEnv(t, webui.Config{MaxImageBytes: limit})
	o := e.org("acme")
	e.product(o, "plug", "Smart Plug", "SP-200", "2030-06", true)
	e.product(o, "cam", "Camera", "CAM-1", "2030-06", true)
	ctx := context.Background()
	for _, rev := range []string{"rev-A", "rev-B"} {
		if _, err := e.svc.CreateHardwareRevision(ctx, o.sys, "plug", registry.HardwareRevision{Name: rev}); err != nil {
			t.Fatal(err)
		}
	}
	b := e.browser()
	b.login(o.email[access.Maintainer])

	t.Run("release_form_has_hardware_and_kind", func(t *testing.T) {
		page := b.get("/ui/products/plug")
		wantBody(t, "release form", page, `<input id="release-hw-0" name="hardware_revisions" type="checkbox" value="rev-A">`, `<label for="release-hw-1">rev-B</label>`,
			`<label for="release-security_update">Security update: this release fixes vulnerabilities</label>`)
		r := b.submit("/ui/products/plug", "/ui/products/plug/releases", url.Values{"version": {"2.0.0"}, "released_at": {"2026-05-20"},
			"hardware_revisions": {"rev-Z"}, "security_update": {"on"}})
		wantStatus(t, "unknown revision", r, http.StatusBadRequest)
		wantBody(t, "unknown revision", r, `id="release-hw-error"`, "has no hardware revision", `value="2.0.0"`, "checked")
		checkPage(t, "unknown revision", r)

		r = b.submit("/ui/products/plug", "/ui/products/plug/releases", url.Values{"version": {"2.0.0"}, "released_at": {"2026-05-20"},
			"hardware_revisions": {"rev-B"}, "security_update": {"on"}, "notes": {"Fixes CVE-2026-0001."}})
		wantStatus(t, "record", r, http.StatusSeeOther)
		rel := e.release(o, "plug", "2.0.0")
		if !rel.SecurityUpdate || len(rel.HardwareRevisions) != 1 || rel.HardwareRevisions[0] != "rev-B" {
			t.Fatalf("recorded %+v", rel)
		}
		page = b.get("/ui/products/plug")
		wantBody(t, "release list", page, "Security update</span>", "<dd>rev-B</dd>", "None uploaded yet", "Not signed: devices cannot fetch it yet",
			`action="/ui/products/plug/releases/2.0.0/image"`, "up to 16 KiB")
		notBody(t, "release list", page, "/releases/2.0.0/sign")
	})

	image := bytes.Repeat([]byte("firmware"), 1000) // 8000 bytes
	sum := sha256.Sum256(image)
	token := csrfToken(t, b.get("/ui/products/plug").body)
	csrf := [][2]string{{"csrf_token", token}}
	cases := []struct {
		name     string
		fields   [][2]string
		filename string
		file     []byte
		status   int
		want     []string
	}{
		{"no_file", csrf, "", nil, http.StatusBadRequest, []string{`id="image-0-file-error"`, "Firmware image for 2.0.0 choose the firmware image file", `role="alert"`}},
		{"too_large", csrf, "plug.bin", bytes.Repeat([]byte{1}, limit+1), http.StatusRequestEntityTooLarge, []string{`id="image-0-file-error"`, "is larger than 16 KiB", "Nothing was stored"}},
		{"much_too_large", csrf, "plug.bin", bytes.Repeat([]byte{1}, 4*limit), http.StatusRequestEntityTooLarge, []string{"is larger than 16 KiB"}},
		{"empty", csrf, "plug.bin", nil, http.StatusBadRequest, []string{`id="image-0-file-error"`, "is empty"}},
		{"bad_name", csrf, "my plug.bin", image, http.StatusBadRequest, []string{`id="image-0-file-error"`, "letters, digits"}},
		{"no_form_token", nil, "plug.bin", image, http.StatusForbidden, []string{"This form has expired"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := b.upload("/ui/products/plug/releases/2.0.0/image", tc.fields, tc.filename, "application/octet-stream", tc.file)
			wantStatus(t, tc.name, r, tc.status)
			wantBody(t, tc.name, r, tc.want...)
			checkPage(t, tc.name, r)
			if img := e.release(o, "plug", "2.0.0").Image; img != nil {
				t.Fatalf("a refused upload stored an image: %+v", img)
			}
		})
	}
	t.Run("viewer_cannot_upload", func(t *testing.T) {
		v := e.browser()
		v.login(o.email[access.Viewer])
		tok := csrfToken(t, v.get("/ui/products/plug").body)
		r := v.upload("/ui/products/plug/releases/2.0.0/image", [][2]string{{"csrf_token", tok}}, "plug.bin", "application/octet-stream", image)
		wantStatus(t, "viewer upload", r, http.StatusForbidden)
		if e.release(o, "plug", "2.0.0").Image != nil {
			t.Fatal("a viewer uploaded an image")
		}
	})
	t.Run("unknown_release", func(t *testing.T) {
		r := b.upload("/ui/products/plug/releases/9.9.9/image", csrf, "plug.bin", "application/octet-stream", image)
		wantStatus(t, "unknown release", r, http.StatusNotFound)
	})
	t.Run("upload", func(t *testing.T) {
		r := b.upload("/ui/products/plug/releases/2.0.0/image", csrf, "plug-2.0.0.bin", "application/octet-stream", image)
		wantStatus(t, "upload", r, http.StatusSeeOther)
		img := e.release(o, "plug", "2.0.0").Image
		if img == nil || img.SHA256 != hex.EncodeToString(sum[:]) || img.Length != int64(len(image)) || img.FileName != "plug-2.0.0.bin" {
			t.Fatalf("stored image %+v", img)
		}
		page := b.get(r.header.Get("Location"))
		wantBody(t, "uploaded", page, "The firmware image was uploaded", "<code>plug-2.0.0.bin</code>, 7.8 KiB (8000 bytes)",
			"SHA-256 <code>"+img.SHA256[:12]+"…</code>", `<code class="hash">`+img.SHA512+`</code>`, "Replace the image",
			"set up the <a href=\"#update-repository\">update repository</a> first")
		notBody(t, "uploaded", page, "/releases/2.0.0/sign")
	})
	t.Run("sign_needs_a_repository", func(t *testing.T) {
		r := b.submit("/ui/products/plug", "/ui/products/plug/releases/2.0.0/sign", nil)
		wantStatus(t, "sign without repository", r, http.StatusConflict)
		wantBody(t, "sign without repository", r, "has no update repository yet", `role="alert"`)
		checkPage(t, "sign without repository", r)
	})

	e.setUpRepository(o, "plug", 365*24*time.Hour)
	if _, err := e.svc.CreateRelease(ctx, o.sys, "plug", registry.Release{Version: "1.0.0", ReleasedAt: start.AddDate(0, -3, 0)}); err != nil {
		t.Fatal(err)
	}
	t.Run("sign_needs_an_image", func(t *testing.T) {
		r := b.submit("/ui/products/plug", "/ui/products/plug/releases/1.0.0/sign", nil)
		wantStatus(t, "sign without image", r, http.StatusConflict)
		wantBody(t, "sign without image", r, "Release 1.0.0 has no image: upload one first")
	})
	t.Run("sign", func(t *testing.T) {
		page := b.get("/ui/products/plug")
		wantBody(t, "before signing", page, `action="/ui/products/plug/releases/2.0.0/sign"`, "Sign for devices")
		notBody(t, "before signing", page, `action="/ui/products/plug/releases/1.0.0/sign"`)
		r := b.submit("/ui/products/plug", "/ui/products/plug/releases/2.0.0/sign", nil)
		wantStatus(t, "sign", r, http.StatusSeeOther)
		if e.release(o, "plug", "2.0.0").SignedAt == nil {
			t.Fatal("the release was not signed")
		}
		page = b.get(r.header.Get("Location"))
		wantBody(t, "signed", page, "The release was signed into the update repository", "✓</span> Signed 1 Jun 2026",
			"Signed 1 Jun 2026, 12:00 UTC: devices can fetch it and verify it", hex.EncodeToString(sum[:]), "<dt>Signed releases</dt><dd>1</dd>")
		notBody(t, "signed", page, `action="/ui/products/plug/releases/2.0.0/image"`, `action="/ui/products/plug/releases/2.0.0/sign"`)
		checkPage(t, "signed", page)
	})
	t.Run("signed_image_cannot_change", func(t *testing.T) {
		r := b.upload("/ui/products/plug/releases/2.0.0/image", csrf, "other.bin", "application/octet-stream", []byte("other"))
		wantStatus(t, "replace signed", r, http.StatusConflict)
		wantBody(t, "replace signed", r, "is signed into the update repository")
		if img := e.release(o, "plug", "2.0.0").Image; img.SHA256 != hex.EncodeToString(sum[:]) {
			t.Fatal("a signed image changed")
		}
	})

	t.Run("public_page", func(t *testing.T) {
		cases := []struct {
			name, path string
			want, not  []string
		}{
			{"signed_updates", "/public/products/acme/plug",
				[]string{"Receives signed software updates: yes.", "verify every update against the manufacturer's keys", "Latest update: version 2.0.0, released 20 May 2026.", "It is a <strong>security update</strong>"},
				[]string{"Fixes CVE", "maintainer@", "through Lifeline: no"}},
			{"no_repository", "/public/products/acme/cam",
				[]string{"Receives signed software updates through Lifeline: no."},
				[]string{"Latest update"}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := e.browser().get(tc.path)
				wantStatus(t, tc.path, r, http.StatusOK)
				wantBody(t, tc.path, r, tc.want...)
				notBody(t, tc.path, r, tc.not...)
				checkPage(t, tc.path, r)
			})
		}
	})
}
