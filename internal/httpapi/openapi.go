package httpapi

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"unicode"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/supportperiod"
)

// APIVersion is the management API's version, in its path (/api/v1) and in
// the OpenAPI document. A change to the document that is not backwards
// compatible needs a new version.
const APIVersion = "1.0.0"

var enumValues = map[reflect.Type][]string{
	reflect.TypeFor[access.Role]():              {"owner", "maintainer", "viewer"},
	reflect.TypeFor[access.OrgKind]():           {"manufacturer", "agency", "test_lab"},
	reflect.TypeFor[access.Scope]():             {"read", "write", "admin"},
	reflect.TypeFor[supportperiod.Status]():     {"not_declared", "supported", "ending_soon", "ended"},
	reflect.TypeFor[supportperiod.ChangeKind](): {"declared", "extended", "shortened", "corrected"},
}

var wildcard = regexp.MustCompile(`\{([a-z_]+)\}`)

// OpenAPI returns the OpenAPI 3.1 document describing the routes.
func (a *API) OpenAPI() map[string]any {
	sc := newSchemas(enumValues)
	errRef := sc.of(reflect.TypeFor[ErrorBody]())
	paths := map[string]any{}
	for _, rt := range a.routes {
		op := map[string]any{
			"operationId": operationID(rt),
			"summary":     rt.Summary,
			"tags":        []string{rt.Tag},
		}
		var params []any
		for _, m := range wildcard.FindAllStringSubmatch(rt.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, q := range rt.Query {
			params = append(params, map[string]any{"name": q.Name, "in": "query", "description": q.Description, "schema": map[string]any{"type": "string"}})
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if rt.Body != nil {
			var content map[string]any
			switch rt.Body.(type) {
			case imageBody:
				content = map[string]any{"application/octet-stream": map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}}
			case sbomBody:
				binary := map[string]any{"schema": map[string]any{"type": "string", "format": "binary", "description": "the SBOM file as the tool wrote it"}}
				content = map[string]any{"application/json": binary, "application/xml": binary, "text/plain": binary, "application/ld+json": binary}
			case vexBody:
				binary := map[string]any{"schema": map[string]any{"type": "string", "format": "binary", "description": "the VEX document: CycloneDX VEX (JSON or XML), OpenVEX or CSAF VEX"}}
				content = map[string]any{"application/json": binary, "application/xml": binary}
			case rootBody:
				content = map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object", "description": "TUF root metadata (signed and signatures), as written by lifeline keys"}}}
			default:
				content = map[string]any{"application/json": map[string]any{"schema": sc.of(reflect.TypeOf(rt.Body))}}
			}
			if _, ok := rt.Body.(importBody); ok {
				content["text/csv"] = map[string]any{"schema": map[string]any{"type": "string", "description": "a header line naming columns serial, hardware_revision, installed_version, first_seen, last_seen, then one device per line"}}
			}
			op["requestBody"] = map[string]any{"required": true, "content": content}
		}
		status, desc := "200", "OK"
		switch {
		case rt.Resp == nil:
			status, desc = "204", "Done"
		case rt.Status == http.StatusCreated:
			status, desc = "201", "Created"
		}
		resp := map[string]any{"description": desc}
		if rt.Resp != nil {
			resp["content"] = map[string]any{"application/json": map[string]any{"schema": sc.of(reflect.TypeOf(rt.Resp))}}
		}
		op["responses"] = map[string]any{
			status:    resp,
			"default": map[string]any{"description": "An error", "content": map[string]any{"application/json": map[string]any{"schema": errRef}}},
		}
		if rt.Auth == Member {
			op["security"] = []any{map[string]any{"bearer": []string{}}, map[string]any{"session": []string{}}}
		} else if rt.Auth == Device {
			op["security"] = []any{map[string]any{"device": []string{}}}
		} else {
			op["security"] = []any{}
		}
		item, _ := paths[rt.Path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[rt.Path] = item
		}
		item[strings.ToLower(rt.Method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "Lifeline API",
			"version":     APIVersion,
			"description": "Manage a consumer IoT product registry and its published support periods. Management endpoints take an API token (Authorization: Bearer llt_…) or a web session; public endpoints need nothing. Errors share one shape: {\"error\": {\"code\", \"message\", \"fields\"}}. Lists are paginated with limit and cursor.",
			"license":     map[string]any{"name": "Apache-2.0", "identifier": "Apache-2.0"},
		},
		"paths": paths,
		"components": map[string]any{
			"schemas": sc.defs,
			"securitySchemes": map[string]any{
				"bearer":  map[string]any{"type": "http", "scheme": "bearer", "description": "An API token made with lifeline token create or in the web UI"},
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": "__Host-lifeline_session"},
				"device":  map[string]any{"type": "apiKey", "in": "header", "name": "Authorization", "description": "Lifeline-Device id=<device ID>,ts=<unix seconds>,sig=<base64url Ed25519 signature of method, path, ts and the body's SHA-256, one per line>, with the key the device enrolled; or, in a session, Lifeline-Session id=…,exp=…,ts=…,mac=<HMAC-SHA256 with the session key>"},
			},
		},
	}
}

// operationID names an operation from its method and path:
// GET /api/v1/products/{product}/releases is getProductReleases.
func operationID(rt Route) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(rt.Method))
	segs := strings.Split(strings.TrimPrefix(strings.TrimPrefix(rt.Path, "/api/v1"), "/"), "/")
	for i, seg := range segs {
		if strings.HasPrefix(seg, "{") {
			continue
		}
		word := seg
		// A collection followed by its item's wildcard is named in the singular.
		if i+1 < len(segs) && strings.HasPrefix(segs[i+1], "{") {
			word = strings.TrimSuffix(word, "s")
		}
		for _, part := range strings.FieldsFunc(word, func(r rune) bool { return r == '-' || r == '_' }) {
			b.WriteString(string(unicode.ToUpper(rune(part[0]))) + part[1:])
		}
	}
	return b.String()
}

// OpenAPIJSON returns the OpenAPI document as indented JSON.
func (a *API) OpenAPIJSON() []byte {
	a.openAPIOnce.Do(func() {
		a.openAPIJSON, _ = json.MarshalIndent(a.OpenAPI(), "", "  ")
		a.openAPIJSON = append(a.openAPIJSON, '\n')
	})
	return a.openAPIJSON
}

func (a *API) serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(a.OpenAPIJSON())
}
