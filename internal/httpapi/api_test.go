package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/deviceimport"
	"github.com/lifeline-iot/lifeline/internal/httpapi"
	"github.com/lifeline-iot/lifeline/internal/httpx"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/testenv"
)

func TestBadInput(t *testing.T) {
	env := testenv.NewSQLite(t)
	org := env.Org(t, "acme", access.Manufacturer)
	tok := org.Tokens[access.Owner]
	cases := []struct {
		name       string
		method     string
		path       string
		ct         string
		body       string
		wantStatus int
		wantCode   string
		wantField  string
	}{
		{"missing_fields", "POST", "/api/v1/products", "application/json", `{}`, 400, "validation_failed", "model_designation"},
		{"unknown_field", "POST", "/api/v1/products", "application/json", `{"name":"a","model_designation":"b","category":"c","colour":"red"}`, 400, "validation_failed", "colour"},
		{"wrong_type", "POST", "/api/v1/products", "application/json", `{"name":7}`, 400, "validation_failed", "name"},
		{"malformed_json", "POST", "/api/v1/products", "application/json", `{"name":`, 400, "malformed_json", ""},
		{"two_values", "POST", "/api/v1/products", "application/json", `{} {}`, 400, "malformed_json", ""},
		{"form_encoded", "POST", "/api/v1/products", "application/x-www-form-urlencoded", `name=a`, 400, "unsupported_media_type", ""},
		{"too_large", "POST", "/api/v1/products", "application/json", `{"name":"` + strings.Repeat("a", 2<<20) + `"}`, 413, "body_too_large", ""},
		{"bad_slug", "POST", "/api/v1/products", "application/json", `{"name":"a","slug":"Not A Slug","model_designation":"b","category":"c"}`, 400, "validation_failed", "slug"},
		{"bad_end_date", "PUT", "/api/v1/products/x/support-period", "application/json", `{"end":"June 2030"}`, 400, "validation_failed", "end"},
		{"bad_limit", "GET", "/api/v1/products?limit=0", "", "", 400, "validation_failed", "limit"},
		{"bad_cursor", "GET", "/api/v1/products?cursor=zzz", "", "", 400, "validation_failed", "cursor"},
		{"bad_published", "GET", "/api/v1/products?published=maybe", "", "", 400, "validation_failed", "published"},
		{"bad_seen_since", "GET", "/api/v1/devices?seen_since=yesterday", "", "", 400, "validation_failed", "seen_since"},
		{"body_where_none_taken", "DELETE", "/api/v1/products/x", "application/json", `{}`, 400, "unexpected_body", ""},
		{"token_lifetime", "POST", "/api/v1/tokens", "application/json", `{"name":"x","scopes":["read"],"expires_in_days":400}`, 400, "validation_failed", "expires_in_days"},
		{"token_scope", "POST", "/api/v1/tokens", "application/json", `{"name":"x","scopes":["root"],"expires_in_days":4}`, 400, "validation_failed", "scopes"},
		{"import_content_type", "POST", "/api/v1/products/x/device-imports", "text/plain", `serial`, 400, "unsupported_media_type", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := send(t, env, tc.method, tc.path, tok, tc.ct, strings.NewReader(tc.body))
			code, msg, fields := errorOf(t, body)
			if status != tc.wantStatus || code != tc.wantCode {
				t.Fatalf("got %d %s (%s), want %d %s", status, code, msg, tc.wantStatus, tc.wantCode)
			}
			if tc.wantField != "" && fields[tc.wantField] == "" {
				t.Fatalf("no message for field %q in %s", tc.wantField, body)
			}
		})
	}
	// Nothing was created by any of it.
	status, body := call(t, env, "GET", "/api/v1/products", tok, nil)
	if status != 200 || !strings.Contains(string(body), `"items":[]`) {
		t.Fatalf("products after bad input: %d %s", status, body)
	}
}

func TestAuthentication(t *testing.T) {
	env := testenv.NewSQLite(t)
	org := env.Org(t, "acme", access.Manufacturer)
	agency := env.Org(t, "regulator", access.Agency)
	product := httpapi.ProductCreateRequest{Name: "Cam", ModelDesignation: "C1", Category: "Camera"}
	cases := []struct {
		name   string
		token  string
		method string
		path   string
		body   any
		want   int
		code   string
	}{
		{"no_token", "", "GET", "/api/v1/products", nil, 401, "unauthenticated"},
		{"garbage_token", "nope", "GET", "/api/v1/products", nil, 401, "bad_token"},
		{"unknown_token", "llt_0123456789abcdef0123456789abcdef_" + strings.Repeat("A", 43), "GET", "/api/v1/products", nil, 401, "bad_token"},
		{"viewer_reads", org.Tokens[access.Viewer], "GET", "/api/v1/products", nil, 200, ""},
		{"viewer_cannot_write", org.Tokens[access.Viewer], "POST", "/api/v1/products", product, 403, "permission_denied"},
		{"viewer_cannot_read_audit", org.Tokens[access.Viewer], "GET", "/api/v1/audit", nil, 403, "permission_denied"},
		{"maintainer_cannot_add_members", org.Tokens[access.Maintainer], "POST", "/api/v1/members", httpapi.MemberCreateRequest{Email: "x@y.example", Name: "x", Role: access.Viewer}, 403, "permission_denied"},
		{"maintainer_cannot_grant_admin", org.Tokens[access.Maintainer], "POST", "/api/v1/tokens", httpapi.TokenCreateRequest{Name: "x", Scopes: []access.Scope{access.ScopeAdmin}, ExpiresInDays: 1}, 403, "permission_denied"},
		{"agency_registers_no_products", agency.Tokens[access.Owner], "POST", "/api/v1/products", product, 403, "not_a_manufacturer"},
		{"owner_not_site_admin", org.Tokens[access.Owner], "POST", "/api/v1/organisations", httpapi.OrganisationCreateRequest{Name: "X", Kind: access.Agency}, 403, "permission_denied"},
		{"last_owner_stays", org.Tokens[access.Owner], "PATCH", "/api/v1/members/" + org.Emails[access.Owner], httpapi.MemberPatchRequest{Role: access.Viewer}, 409, "last_owner"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := call(t, env, tc.method, tc.path, tc.token, tc.body)
			if status != tc.want {
				t.Fatalf("status %d, want %d: %s", status, tc.want, body)
			}
			if tc.code != "" {
				if code, _, _ := errorOf(t, body); code != tc.code {
					t.Fatalf("code %s, want %s", code, tc.code)
				}
			}
		})
	}

	t.Run("read_only_token_scope", func(t *testing.T) {
		status, body := call(t, env, "POST", "/api/v1/tokens", org.Tokens[access.Owner], httpapi.TokenCreateRequest{Name: "ro", Scopes: []access.Scope{access.ScopeRead}, ExpiresInDays: 1})
		var created httpapi.TokenCreateResponse
		mustDecode(t, body, &created)
		if status != 201 || !strings.HasPrefix(created.Secret, access.TokenPrefix) || len(created.Token.SecretHash) != 0 || strings.Contains(string(body), "secret_hash") {
			t.Fatalf("create token: %d %s", status, body)
		}
		if s, _ := call(t, env, "GET", "/api/v1/products", created.Secret, nil); s != 200 {
			t.Fatalf("read with read token: %d", s)
		}
		if s, _ := call(t, env, "POST", "/api/v1/products", created.Secret, product); s != 403 {
			t.Fatalf("write with read-only token of an owner: %d, want 403", s)
		}
		if s, _ := call(t, env, "DELETE", "/api/v1/tokens/"+created.Token.ID, org.Tokens[access.Owner], nil); s != 200 {
			t.Fatalf("revoke: %d", s)
		}
		if s, _ := call(t, env, "GET", "/api/v1/products", created.Secret, nil); s != 401 {
			t.Fatalf("revoked token still works: %d", s)
		}
	})

	t.Run("expired_token", func(t *testing.T) {
		status, body := call(t, env, "POST", "/api/v1/tokens", org.Tokens[access.Owner], httpapi.TokenCreateRequest{Name: "short", Scopes: []access.Scope{access.ScopeRead}, ExpiresInDays: 1})
		var created httpapi.TokenCreateResponse
		mustDecode(t, body, &created)
		if status != 201 {
			t.Fatal(status)
		}
		env.Clock.Advance(25 * time.Hour)
		if s, _ := call(t, env, "GET", "/api/v1/me", created.Secret, nil); s != 401 {
			t.Fatalf("expired token: %d, want 401", s)
		}
	})

	t.Run("session_cookie_cross_origin", func(t *testing.T) {
		secret, err := env.Service.Login(context.Background(), org.Emails[access.Owner], org.Passwords[access.Owner], "127.0.0.1")
		must(t, err)
		do := func(method, site string) int {
			req, _ := http.NewRequest(method, env.URL+"/api/v1/products", strings.NewReader(`{"name":"Cam","model_designation":"C-`+site+`","category":"Camera"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Sec-Fetch-Site", site)
			req.AddCookie(&http.Cookie{Name: httpx.SessionCookie, Value: secret})
			resp, err := testenv.Client().Do(req)
			must(t, err)
			resp.Body.Close()
			return resp.StatusCode
		}
		if s := do("POST", "cross-site"); s != 403 {
			t.Fatalf("cross-site POST with a session cookie: %d, want 403", s)
		}
		if s := do("POST", "same-origin"); s != 201 {
			t.Fatalf("same-origin POST with a session cookie: %d, want 201", s)
		}
	})
}

func TestSupportPeriodLifecycle(t *testing.T) {
	env := testenv.NewSQLite(t)
	org := env.Org(t, "acme", access.Manufacturer)
	tok := org.Tokens[access.Maintainer]
	status, body := call(t, env, "POST", "/api/v1/products", tok, httpapi.ProductCreateRequest{Name: "Smart Lock", ModelDesignation: "SL-1", Category: "Door lock"})
	if status != 201 {
		t.Fatalf("create: %d %s", status, body)
	}
	sp := "/api/v1/products/smart-lock/support-period"
	publish := func() (int, []byte) {
		return call(t, env, "PATCH", "/api/v1/products/smart-lock", tok, map[string]bool{"published": true})
	}
	if s, b := publish(); s != 400 || !strings.Contains(string(b), "support period before publishing") {
		t.Fatalf("publishing without a support period: %d %s", s, b)
	}
	steps := []struct {
		body       map[string]any
		wantStatus int
		wantCode   string
		wantEnd    string
	}{
		{map[string]any{"end": "2029-06"}, 200, "", "2029-06"},
		{map[string]any{"end": "2029-03"}, 200, "", "2029-03"}, // unpublished: a correction
		{nil, 0, "", ""}, // publish
		{map[string]any{"end": "2030-06-30"}, 200, "", "2030-06-30"},
		{map[string]any{"end": "2030-06-30"}, 409, "support_period_unchanged", "2030-06-30"},
		{map[string]any{"end": "2028-01"}, 409, "support_period_shortening_refused", "2030-06-30"},
		{map[string]any{"end": "2028-01", "force": true}, 400, "validation_failed", "2030-06-30"},
		{map[string]any{"end": "2028-01", "force": true, "reason": "Radio module discontinued by its maker."}, 200, "", "2028-01"},
	}
	for i, st := range steps {
		if st.body == nil {
			if s, b := publish(); s != 200 {
				t.Fatalf("publish: %d %s", s, b)
			}
			continue
		}
		status, body := call(t, env, "PUT", sp, tok, st.body)
		if status != st.wantStatus {
			t.Fatalf("step %d: %d %s, want %d", i, status, body, st.wantStatus)
		}
		if st.wantCode != "" {
			if code, _, _ := errorOf(t, body); code != st.wantCode {
				t.Fatalf("step %d: code %s, want %s", i, code, st.wantCode)
			}
		}
		_, body = call(t, env, "GET", sp, tok, nil)
		var got httpapi.SupportPeriodResponse
		mustDecode(t, body, &got)
		if got.End.String() != st.wantEnd {
			t.Fatalf("step %d: end %s, want %s", i, got.End, st.wantEnd)
		}
	}
	_, body = call(t, env, "GET", sp, tok, nil)
	var got httpapi.SupportPeriodResponse
	mustDecode(t, body, &got)
	kinds := []string{}
	for _, c := range got.History {
		kinds = append(kinds, string(c.Kind))
	}
	if strings.Join(kinds, ",") != "declared,corrected,extended,shortened" || !got.Shortened || got.History[3].ActorLabel != org.Emails[access.Maintainer] {
		t.Fatalf("history %v shortened %v: %s", kinds, got.Shortened, body)
	}

	status, body = call(t, env, "GET", "/api/v1/products/smart-lock", tok, nil)
	if status != 200 || !strings.Contains(string(body), `"public_url":"/public/products/acme/smart-lock"`) || !strings.Contains(string(body), `"support_shortened":true`) {
		t.Fatalf("product after publishing: %d %s", status, body)
	}

	// The public JSON shows the current period, the shortening and its reason, and no names.
	status, body = call(t, env, "GET", "/public/products/acme/smart-lock", "", nil)
	var pub httpapi.PublicProduct
	mustDecode(t, body, &pub)
	if status != 200 || pub.Support.End.String() != "2028-01" || !pub.Support.Shortened || pub.Support.EndText != "January 2028" ||
		len(pub.History) != 3 || pub.History[2].Reason == "" || strings.Contains(string(body), "@") {
		t.Fatalf("public product: %d %s", status, body)
	}
	status, body = call(t, env, "GET", "/public/products?q=sl-1", "", nil)
	if status != 200 || !strings.Contains(string(body), `"model_designation":"SL-1"`) {
		t.Fatalf("public lookup: %d %s", status, body)
	}
	status, body = call(t, env, "GET", "/api/v1/audit?action=support_period.", org.Tokens[access.Owner], nil)
	if status != 200 || strings.Count(string(body), `"action":"support_period.`) != 4 {
		t.Fatalf("audit of support period changes: %d %s", status, body)
	}
}

func TestDeviceImport(t *testing.T) {
	env := testenv.NewSQLite(t)
	org := env.Org(t, "acme", access.Manufacturer)
	tok := org.Tokens[access.Maintainer]
	ctx := context.Background()
	p := access.System("test").InOrg(org.ID)
	_, err := env.Service.CreateProduct(ctx, p, registry.Product{Name: "Plug", ModelDesignation: "P1", Category: "Smart plug"})
	must(t, err)
	_, err = env.Service.CreateHardwareRevision(ctx, p, "plug", registry.HardwareRevision{Name: "A"})
	must(t, err)
	for _, v := range []string{"1.0", "1.1"} {
		_, err = env.Service.CreateRelease(ctx, p, "plug", registry.Release{Version: v})
		must(t, err)
	}
	var csv strings.Builder
	csv.WriteString("serial,hardware_revision,installed_version,last_seen\n")
	for i := 0; i < 250; i++ {
		fmt.Fprintf(&csv, "SN%04d,A,1.0,2026-05-01T10:00:00Z\n", i)
	}
	importPath := "/api/v1/products/plug/device-imports"
	status, body := send(t, env, "POST", importPath, tok, "text/csv", strings.NewReader(csv.String()))
	var rep deviceimport.Report
	mustDecode(t, body, &rep)
	if status != 200 || rep.Created != 250 || rep.Updated != 0 || !rep.Applied {
		t.Fatalf("import: %d %s", status, body)
	}

	bad := "serial,installed_version\nSN0001,1.1\nSN0002,7.0\nbad serial,1.0\nSN0001,1.0\nSN0003,1.1,extra\n"
	status, body = send(t, env, "POST", importPath, tok, "text/csv", strings.NewReader(bad))
	code, _, _ := errorOf(t, body)
	if status != 400 || code != "import_rejected" {
		t.Fatalf("bad import: %d %s", status, body)
	}
	for _, want := range []string{`"row":2,"field":"installed_version"`, `"row":3,"field":"serial"`, `"row":4,"field":"serial","message":"\"SN0001\" already appears in row 1"`, `"row":5`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("report lacks %s: %s", want, body)
		}
	}
	status, body = call(t, env, "GET", "/api/v1/products/plug/devices/SN0001", tok, nil)
	if status != 200 || !strings.Contains(string(body), `"installed_version":"1.0"`) {
		t.Fatalf("a rejected import changed a device: %s", body)
	}

	json := `{"devices":[{"serial":"SN0001","installed_version":"1.1"},{"serial":"NEW1","hardware_revision":"A"}]}`
	status, body = send(t, env, "POST", importPath+"?dry_run=true", tok, "application/json", strings.NewReader(json))
	mustDecode(t, body, &rep)
	if status != 200 || !rep.DryRun || rep.Applied || rep.Rows != 2 {
		t.Fatalf("dry run: %d %s", status, body)
	}
	if s, _ := call(t, env, "GET", "/api/v1/products/plug/devices/NEW1", tok, nil); s != 404 {
		t.Fatal("a dry run imported a device")
	}
	status, body = send(t, env, "POST", importPath, tok, "application/json", strings.NewReader(json))
	mustDecode(t, body, &rep)
	if status != 200 || rep.Created != 1 || rep.Updated != 1 {
		t.Fatalf("json import: %d %s", status, body)
	}
	for _, malformed := range []string{`{"devices":[{"serial":"X"}`, `[{"serial":1}]`, `{"other":[]}`, ``} {
		status, body = send(t, env, "POST", importPath, tok, "application/json", strings.NewReader(malformed))
		if status != 400 {
			t.Errorf("malformed JSON import %q: %d %s", malformed, status, body)
		}
	}

	var n httpapi.CountResponse
	_, body = call(t, env, "GET", "/api/v1/devices/count?product=plug", tok, nil)
	mustDecode(t, body, &n)
	if n.Count != 251 {
		t.Fatalf("device count %d, want 251", n.Count)
	}
	var seen []string
	cursor := ""
	for pages := 0; pages < 20; pages++ {
		_, body = call(t, env, "GET", "/api/v1/devices?product=plug&limit=100&cursor="+cursor, tok, nil)
		var l httpapi.ListBody[registry.Device]
		mustDecode(t, body, &l)
		for _, d := range l.Items {
			seen = append(seen, d.Serial)
		}
		if cursor = l.NextCursor; cursor == "" {
			break
		}
	}
	if len(seen) != 251 {
		t.Fatalf("paged through %d devices, want 251", len(seen))
	}
}
