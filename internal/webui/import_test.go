package webui_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/webui"
)

// importEnv has a product "plug" with revision rev-A and release 1.0.0.
func importEnv(t *testing.T, cfg webui.Config) (*env, org) {
	t.Helper()
	e := newEnv(t, cfg)
	o := e.org("acme")
	e.product(o, "plug", "Smart Plug", "SP-200", "2030-06", false)
	ctx := context.Background()
	if _, err := e.svc.CreateHardwareRevision(ctx, o.sys, "plug", registry.HardwareRevision{Name: "rev-A"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CreateRelease(ctx, o.sys, "plug", registry.Release{Version: "1.0.0", ReleasedAt: start}); err != nil {
		t.Fatal(err)
	}
	return e, o
}

func (e *env) deviceCount(t *testing.T, o org) int {
	t.Helper()
	n, err := e.svc.CountDevices(context.Background(), o.sys, service.DeviceQuery{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDeviceImport(t *testing.T) {
	e, o := importEnv(t, webui.Config{})
	b := e.browser()
	b.login(o.email[access.Maintainer])
	token := csrfToken(t, b.get("/ui/devices/import").body)
	fields := func(extra ...[2]string) [][2]string {
		return append([][2]string{{"csrf_token", token}, {"product", "plug"}}, extra...)
	}
	good := "serial,hardware_revision,installed_version,first_seen\nSN-1,rev-A,1.0.0,2026-01-02\nSN-2,,,\n"

	cases := []struct {
		name        string
		fields      [][2]string
		filename    string
		contentType string
		file        string
		status      int
		want        []string
		devices     int // devices registered afterwards
	}{
		{"bad_rows_change_nothing", fields(), "devices.csv", "text/csv",
			"serial,hardware_revision,installed_version\nSN-1,rev-Z,1.0.0\nSN 2,,\nSN-1,,9.9\n",
			http.StatusBadRequest, []string{"Import refused", "Nothing was imported", "<th scope=\"row\">1</th><td>hardware_revision</td>", "&#34;rev-Z&#34; is not a hardware revision of this product",
				"<th scope=\"row\">2</th><td>serial</td>", "<th scope=\"row\">3</th><td>installed_version</td>", "already appears in row 1"}, 0},
		{"malformed_header", fields(), "devices.csv", "text/csv", "serial,colour\nSN-1,red\n",
			http.StatusBadRequest, []string{"Import refused", "unknown CSV column", "Whole file"}, 0},
		{"wrong_file_type", fields(), "devices.txt", "text/plain", good,
			http.StatusBadRequest, []string{`id="import-file-error"`, "must be a CSV file"}, 0},
		{"no_product", [][2]string{{"csrf_token", token}, {"product", ""}}, "devices.csv", "text/csv", good,
			http.StatusBadRequest, []string{`id="import-product-error"`}, 0},
		{"no_file_chosen", fields(), "", "application/octet-stream", "",
			http.StatusBadRequest, []string{`id="import-file-error"`, "choose a CSV or JSON file"}, 0},
		{"no_form_token", [][2]string{{"product", "plug"}}, "devices.csv", "text/csv", good,
			http.StatusForbidden, []string{"refused"}, 0},
		{"dry_run", fields([2]string{"dry_run", "on"}), "devices.csv", "text/csv", good,
			http.StatusOK, []string{"Check complete: nothing was written", "<dt>Rows read</dt><dd>2</dd>"}, 0},
		{"csv", fields(), "devices.csv", "text/csv", good,
			http.StatusOK, []string{"Import complete", "<dt>New devices</dt><dd>2</dd>"}, 2},
		{"csv_again_updates", fields(), "devices.csv", "text/csv", good,
			http.StatusOK, []string{"<dt>Updated devices</dt><dd>2</dd>"}, 2},
		{"json_by_file_name", fields(), "more.json", "application/octet-stream", `{"devices": [{"serial": "SN-3", "installed_version": "1.0.0"}]}`,
			http.StatusOK, []string{"<dt>New devices</dt><dd>1</dd>"}, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := b.upload("/ui/devices/import", tc.fields, tc.filename, tc.contentType, []byte(tc.file))
			wantStatus(t, tc.name, r, tc.status)
			wantBody(t, tc.name, r, tc.want...)
			checkPage(t, tc.name, r)
			if n := e.deviceCount(t, o); n != tc.devices {
				t.Errorf("%d devices after %s, want %d", n, tc.name, tc.devices)
			}
		})
	}

	t.Run("devices_page_lists_them", func(t *testing.T) {
		r := b.get("/ui/devices?product=plug&hardware_revision=rev-A")
		wantBody(t, "devices", r, "<strong>1</strong> device matches", "SN-1", "Smart Plug (SP-200)")
		notBody(t, "devices", r, "SN-2")
	})
	t.Run("viewer_refused", func(t *testing.T) {
		v := e.browser()
		v.login(o.email[access.Viewer])
		tok := csrfToken(t, v.get("/ui/devices/import").body)
		r := v.upload("/ui/devices/import", [][2]string{{"csrf_token", tok}, {"product", "plug"}}, "d.csv", "text/csv", []byte("serial\nSN-9\n"))
		wantStatus(t, "viewer import", r, http.StatusForbidden)
	})
}

func TestDeviceImportTooLarge(t *testing.T) {
	e, o := importEnv(t, webui.Config{MaxImportBytes: 4 << 10})
	b := e.browser()
	b.login(o.email[access.Owner])
	token := csrfToken(t, b.get("/ui/devices/import").body)
	file := "serial\n" + strings.Repeat("SN-0000000001\n", 1000)
	r := b.upload("/ui/devices/import", [][2]string{{"csrf_token", token}, {"product", "plug"}}, "big.csv", "text/csv", []byte(file))
	wantStatus(t, "large import", r, http.StatusRequestEntityTooLarge)
	wantBody(t, "large import", r, "larger than 4 KiB")
	if n := e.deviceCount(t, o); n != 0 {
		t.Errorf("%d devices after a refused import", n)
	}
}
