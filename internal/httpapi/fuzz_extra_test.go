package httpapi_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/testenv"
)

// FuzzDeviceWrite sends arbitrary device bodies to the two endpoints that
// parse device data (PUT one device as JSON; import devices as CSV or JSON)
// and then reads the product's devices back. FuzzDecodeRequest does not reach
// these endpoints. Every answer, including the reads after an accepted
// write, must be a 2xx or 4xx: a write that is accepted must never leave data
// behind that later reads cannot serve.
func FuzzDeviceWrite(f *testing.F) {
	for _, seed := range []struct {
		body string
		mode uint8
	}{
		{`{"last_seen":"2026-01-02T00:00:00Z"}`, 0},
		{`{"first_seen":"2026-01-01T00:00:00+02:00","last_seen":"2026-01-02T00:00:00Z"}`, 0},
		{`{"installed_version":"nope"}`, 0},
		{"serial,first_seen,last_seen\nA1,2026-01-01,2026-01-02T00:00:00Z\n", 1},
		{"serial\n\"A\"\"1\"\n", 1},
		{`[{"serial":"A1","last_seen":"2026-01-02"}]`, 2},
		{`{"devices":[{"serial":"A2","first_seen":"2025-12-31T23:59:59-01:00"}]}`, 2},
		// Times at the edges of what can be stored and shown.
		{`{"first_seen":"0000-01-01T00:00:00Z","last_seen":"9999-12-31T23:00:00+01:00"}`, 0},
		{"serial,last_seen\nA3,9999-12-31T23:00:00+01:00\n", 1},
	} {
		f.Add(seed.body, seed.mode)
	}
	env := testenv.NewSQLite(f)
	org := env.Org(f, "acme", access.Manufacturer)
	token := org.Tokens[access.Owner]
	h := env.Server.Handler()
	do := func(method, path, ct, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, bytes.NewReader([]byte(body)))
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	if rec := do("POST", "/api/v1/products", "application/json", `{"name":"Cam","slug":"cam","model_designation":"C1","category":"Camera"}`); rec.Code != http.StatusCreated {
		f.Fatalf("create product: %d %s", rec.Code, rec.Body)
	}
	ok := func(rec *httptest.ResponseRecorder) bool {
		return rec.Code >= 200 && rec.Code < 300 || rec.Code >= 400 && rec.Code < 500 && rec.Code != http.StatusTeapot
	}
	f.Fuzz(func(t *testing.T, body string, mode uint8) {
		var rec *httptest.ResponseRecorder
		switch mode % 3 {
		case 0:
			rec = do("PUT", "/api/v1/products/cam/devices/F1", "application/json", body)
		case 1:
			rec = do("POST", "/api/v1/products/cam/device-imports", "text/csv", body)
		case 2:
			rec = do("POST", "/api/v1/products/cam/device-imports", "application/json", body)
		}
		if !ok(rec) {
			t.Fatalf("write (mode %d) of %q: %d %s", mode%3, body, rec.Code, rec.Body)
		}
		if rec := do("GET", "/api/v1/devices?product=cam&limit=1000", "", ""); !ok(rec) {
			t.Fatalf("after writing (mode %d) %q, listing devices: %d %s", mode%3, body, rec.Code, rec.Body)
		}
	})
}
