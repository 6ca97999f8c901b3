package httpapi_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/testenv"
)

// FuzzDecodeRequest sends arbitrary bodies to endpoints that decode JSON and
// checks that every one is answered with a 2xx or 4xx, never a 5xx.
func FuzzDecodeRequest(f *testing.F) {
	for _, seed := range []string{`{"name":"a","model_designation":"b","category":"c"}`, `{"end":"2030-06"}`, `{"end":"2030-06","force":true,"reason":"x"}`,
		`[]`, `null`, `{"name":1e999}`, `{"published":true}`, "\xff\xfe", `{"name":"\u0000"}`} {
		f.Add(seed, uint8(0))
	}
	env := testenv.NewSQLite(f)
	org := env.Org(f, "acme", access.Manufacturer)
	token := org.Tokens[access.Owner]
	h := env.Server.Handler()
	targets := []struct{ method, path string }{
		{"POST", "/api/v1/products"},
		{"PATCH", "/api/v1/organisation"},
		{"POST", "/api/v1/tokens"},
		{"POST", "/api/v1/members"},
		{"PUT", "/api/v1/products/x/support-period"},
		{"POST", "/api/v1/products/x/releases"},
	}
	f.Fuzz(func(t *testing.T, body string, which uint8) {
		tg := targets[int(which)%len(targets)]
		req := httptest.NewRequest(tg.method, tg.path, bytes.NewReader([]byte(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 || rec.Code < 200 || (rec.Code >= 300 && rec.Code < 400) || rec.Code == http.StatusTeapot {
			t.Fatalf("%s %s with %q: %d %s", tg.method, tg.path, body, rec.Code, rec.Body)
		}
	})
}
