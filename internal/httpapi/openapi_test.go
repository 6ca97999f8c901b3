package httpapi_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/lifeline-iot/lifeline/internal/httpapi"
	"github.com/lifeline-iot/lifeline/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite golden files")

const goldenOpenAPI = "testdata/openapi.golden.json"

// TestOpenAPIGolden fails when the generated OpenAPI document changes
// without the golden file being updated (go test ./internal/httpapi -run
// OpenAPI -update). Review the diff: a change that is not backwards
// compatible needs a new API version.
func TestOpenAPIGolden(t *testing.T) {
	env := testenv.NewSQLite(t)
	got := env.Server.API.OpenAPIJSON()
	if *update {
		if err := os.WriteFile(goldenOpenAPI, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(goldenOpenAPI)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("the OpenAPI document differs from %s; if the change is intended, run go test ./internal/httpapi -run OpenAPI -update", goldenOpenAPI)
	}
	// The served document is the same.
	status, body := call(t, env, "GET", "/api/openapi.json", "", nil)
	if status != 200 || !bytes.Equal(body, got) {
		t.Fatalf("GET /api/openapi.json: %d", status)
	}
}

var wildcardRE = regexp.MustCompile(`\{[a-z_]+\}`)

// TestOpenAPIMatchesRoutes checks the document against the real server:
// every documented operation is routed (not 404 "no such endpoint", not
// 405), every $ref resolves, and paths the document lacks are not served.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	env := testenv.NewSQLite(t)
	var doc struct {
		OpenAPI    string                               `json:"openapi"`
		Paths      map[string]map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	raw := env.Server.API.OpenAPIJSON()
	mustDecode(t, raw, &doc)
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi = %q", doc.OpenAPI)
	}
	ops := 0
	h := env.Server.Handler()
	for path, item := range doc.Paths {
		for method, op := range item {
			ops++
			concrete := wildcardRE.ReplaceAllString(path, "x")
			req := httptest.NewRequest(strings.ToUpper(method), concrete, nil)
			req.Header.Set("Accept", "application/json")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code == http.StatusMethodNotAllowed || strings.Contains(rec.Body.String(), "no_such_endpoint") {
				t.Errorf("%s %s is documented but not served: %d %s", method, path, rec.Code, rec.Body)
			}
			if _, ok := op["operationId"].(string); !ok {
				t.Errorf("%s %s has no operationId", method, path)
			}
		}
	}
	if want := len(env.Server.API.Routes()); ops != want {
		t.Errorf("document has %d operations, route table has %d", ops, want)
	}
	for _, ref := range regexp.MustCompile(`"\$ref": "#/components/schemas/([A-Za-z0-9]+)"`).FindAllStringSubmatch(string(raw), -1) {
		if _, ok := doc.Components.Schemas[ref[1]]; !ok {
			t.Errorf("$ref to missing schema %s", ref[1])
		}
	}
	for _, path := range []string{"/api/v1/nope", "/api/v2/products", "/api/v1/products/x/firmware"} {
		status, body := call(t, env, "GET", path, "", nil)
		if code, _, _ := errorOf(t, body); status != 404 || code != "no_such_endpoint" {
			t.Errorf("GET %s: %d %s, want 404 no_such_endpoint", path, status, body)
		}
	}
	status, body := call(t, env, "PUT", "/api/v1/products", "", nil)
	if code, _, _ := errorOf(t, body); status != 405 || code != "method_not_allowed" {
		t.Errorf("PUT /api/v1/products: %d %s, want 405", status, body)
	}
	var anyJSON map[string]any
	if err := json.Unmarshal(raw, &anyJSON); err != nil {
		t.Fatal(err)
	}
	_ = httpapi.APIVersion
}
