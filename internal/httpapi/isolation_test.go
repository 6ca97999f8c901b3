package httpapi_test

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/httpapi"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/rollout"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/store"
	"github.com/lifeline-iot/lifeline/internal/supportperiod"
	"github.com/lifeline-iot/lifeline/internal/testenv"
)

// isolationCase says how to call one management route as organisation B
// while aiming at organisation A's things, and what must happen.
type isolationCase struct {
	path string // concrete path, with A's identifiers
	body any
	// want is 404 for routes that name A's things, or 200-299 ("own") for
	// routes that act only on the caller's organisation; their responses
	// must not mention A.
	want int
	own  bool
}

// TestTenantIsolation calls every management route with organisation B's
// owner token, aimed at organisation A's data, and expects 404 (or, for
// routes without identifiers, B's own data only). It fails when a route is
// added to the route table without a case here.
func TestTenantIsolation(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			testTenantIsolation(t, testenv.New(t, testenv.OpenStore(t, backend)))
		})
	}
}

func testTenantIsolation(t *testing.T, env *testenv.Env) {
	ctx := context.Background()
	a := env.Org(t, "alpha", access.Manufacturer)
	b := env.Org(t, "bravo", access.Manufacturer)
	pa := access.System("test").InOrg(a.ID)
	svc := env.Service
	prod, err := svc.CreateProduct(ctx, pa, registry.Product{Slug: "alpha-secret-cam", Name: "Alpha Secret Cam", ModelDesignation: "ALPHA-SECRET-1", Category: "Camera"})
	must(t, err)
	_, err = svc.CreateHardwareRevision(ctx, pa, prod.Slug, registry.HardwareRevision{Name: "alpha-rev"})
	must(t, err)
	_, err = svc.CreateRelease(ctx, pa, prod.Slug, registry.Release{Version: "9.9.9-alpha"})
	must(t, err)
	_, _, err = svc.PutDevice(ctx, pa, prod.Slug, registry.Device{Serial: "ALPHA-SN-1", HardwareRevision: "alpha-rev", InstalledVersion: "9.9.9-alpha"})
	must(t, err)
	_, _, err = svc.SetSupportPeriod(ctx, pa, prod.Slug, supportperiod.Request{End: supportperiod.MustParseEndDate("2031-01")})
	must(t, err)
	testenv.NewRootKeys(t).InstallRoot(t, svc, pa, prod.Slug, 1)
	_, err = svc.UploadImage(ctx, pa, prod.Slug, "9.9.9-alpha", "fw.bin", strings.NewReader("alpha image"))
	must(t, err)
	_, err = svc.SignRelease(ctx, pa, prod.Slug, "9.9.9-alpha")
	must(t, err)
	ro, err := svc.CreateRollout(ctx, pa, prod.Slug, rollout.Rollout{Version: "9.9.9-alpha"})
	must(t, err)
	rolloutID := ro.ID
	enrol, _, err := svc.CreateEnrolmentToken(ctx, pa, prod.Slug, "alpha factory", 24*time.Hour)
	must(t, err)
	enrolID := enrol.ID
	// A's release carries a vulnerable component, so A has findings.
	_, err = svc.AttachSBOM(ctx, pa, prod.Slug, "9.9.9-alpha", strings.NewReader(`{"bomFormat":"CycloneDX","specVersion":"1.5","components":[`+
		`{"type":"library","bom-ref":"bb","name":"busybox","version":"1.35.0","cpe":"cpe:2.3:a:busybox:busybox:1.35.0:*:*:*:*:*:*:*"}]}`))
	must(t, err)
	_, err = svc.ImportFeed(ctx, access.System("test"), service.FeedSpec{Name: "nvd", Kind: service.FeedNVD, Location: filepath.Join("..", "demo", "feeds", "nvd-firmware.json")}, nil)
	must(t, err)
	if fs, err := svc.ReleaseFindings(ctx, pa, prod.Slug, "9.9.9-alpha"); err != nil || len(fs) != 1 {
		t.Fatalf("A's findings = %+v, %v", fs, err)
	}
	target, _, err := svc.WithNotify(service.Notify{}).CreateNotificationTarget(ctx, pa, service.NewTarget{Kind: "webhook", Name: "alpha-secret-hook", URL: "https://alpha.example/hook"})
	must(t, err)
	toks, err := svc.Tokens(ctx, pa)
	must(t, err)
	aToken := toks[0].ID
	aOwner := a.Emails[access.Owner]

	p := "/api/v1/products/" + prod.Slug
	cases := map[string]isolationCase{
		"GET /api/v1/me":                                                  {path: "/api/v1/me", own: true},
		"GET /api/v1/summary":                                             {path: "/api/v1/summary", own: true},
		"GET /api/v1/organisations":                                       {path: "/api/v1/organisations", own: true},
		"POST /api/v1/organisations":                                      {path: "/api/v1/organisations", body: httpapi.OrganisationCreateRequest{Name: "X", Kind: access.Agency}, want: http.StatusForbidden},
		"GET /api/v1/organisation":                                        {path: "/api/v1/organisation", own: true},
		"PATCH /api/v1/organisation":                                      {path: "/api/v1/organisation", body: map[string]string{"name": "Bravo renamed"}, own: true},
		"GET /api/v1/members":                                             {path: "/api/v1/members", own: true},
		"POST /api/v1/members":                                            {path: "/api/v1/members", body: httpapi.MemberCreateRequest{Email: "new@bravo.example", Name: "New", Role: access.Viewer}, own: true},
		"PATCH /api/v1/members/{user}":                                    {path: "/api/v1/members/" + aOwner, body: httpapi.MemberPatchRequest{Role: access.Viewer}, want: 404},
		"DELETE /api/v1/members/{user}":                                   {path: "/api/v1/members/" + aOwner, want: 404},
		"GET /api/v1/tokens":                                              {path: "/api/v1/tokens", own: true},
		"POST /api/v1/tokens":                                             {path: "/api/v1/tokens", body: httpapi.TokenCreateRequest{Name: "b", Scopes: []access.Scope{access.ScopeRead}, ExpiresInDays: 1}, own: true},
		"DELETE /api/v1/tokens/{token}":                                   {path: "/api/v1/tokens/" + aToken, want: 404},
		"GET /api/v1/products":                                            {path: "/api/v1/products", own: true},
		"POST /api/v1/products":                                           {path: "/api/v1/products", body: httpapi.ProductCreateRequest{Name: "Bravo Plug", ModelDesignation: "ALPHA-SECRET-1", Category: "Smart plug"}, own: true},
		"GET /api/v1/products/{product}":                                  {path: p, want: 404},
		"PATCH /api/v1/products/{product}":                                {path: p, body: map[string]string{"name": "stolen"}, want: 404},
		"DELETE /api/v1/products/{product}":                               {path: p, want: 404},
		"GET /api/v1/products/{product}/support-period":                   {path: p + "/support-period", want: 404},
		"PUT /api/v1/products/{product}/support-period":                   {path: p + "/support-period", body: map[string]any{"end": "2020-01", "force": true, "reason": "x"}, want: 404},
		"GET /api/v1/products/{product}/hardware-revisions":               {path: p + "/hardware-revisions", want: 404},
		"POST /api/v1/products/{product}/hardware-revisions":              {path: p + "/hardware-revisions", body: httpapi.HardwareRevisionRequest{Name: "x"}, want: 404},
		"DELETE /api/v1/products/{product}/hardware-revisions/{revision}": {path: p + "/hardware-revisions/alpha-rev", want: 404},
		"GET /api/v1/products/{product}/releases":                         {path: p + "/releases", want: 404},
		"POST /api/v1/products/{product}/releases":                        {path: p + "/releases", body: httpapi.ReleaseCreateRequest{Version: "6.6.6"}, want: 404},
		"GET /api/v1/products/{product}/releases/{version}":               {path: p + "/releases/9.9.9-alpha", want: 404},
		"PATCH /api/v1/products/{product}/releases/{version}":             {path: p + "/releases/9.9.9-alpha", body: map[string]string{"notes": "stolen"}, want: 404},
		"DELETE /api/v1/products/{product}/releases/{version}":            {path: p + "/releases/9.9.9-alpha", want: 404},
		"PUT /api/v1/products/{product}/releases/{version}/image":         {path: p + "/releases/9.9.9-alpha/image?file_name=evil.bin", body: octets("evil"), want: 404},
		"PUT /api/v1/products/{product}/releases/{version}/sbom":          {path: p + "/releases/9.9.9-alpha/sbom", body: `{"bomFormat":"CycloneDX","specVersion":"1.5","components":[]}`, want: 404},
		"GET /api/v1/products/{product}/releases/{version}/sbom":          {path: p + "/releases/9.9.9-alpha/sbom", want: 404},
		"POST /api/v1/products/{product}/releases/{version}/sign":         {path: p + "/releases/9.9.9-alpha/sign", want: 404},
		"GET /api/v1/products/{product}/update-repository":                {path: p + "/update-repository", want: 404},
		"POST /api/v1/products/{product}/update-repository/keys":          {path: p + "/update-repository/keys", body: httpapi.OnlineKeysRequest{}, want: 404},
		"PUT /api/v1/products/{product}/update-repository/root":           {path: p + "/update-repository/root", body: `{"signed":{},"signatures":[]}`, want: 404},
		"GET /api/v1/products/{product}/enrolment-tokens":                 {path: p + "/enrolment-tokens", want: 404},
		"POST /api/v1/products/{product}/enrolment-tokens":                {path: p + "/enrolment-tokens", body: httpapi.EnrolmentTokenRequest{Name: "evil", ExpiresInDays: 1}, want: 404},
		"DELETE /api/v1/products/{product}/enrolment-tokens/{token}":      {path: p + "/enrolment-tokens/" + enrolID, want: 404},
		"PUT /api/v1/products/{product}/devices/{serial}/group":           {path: p + "/devices/ALPHA-SN-1/group", body: httpapi.DeviceGroupRequest{Group: "evil"}, want: 404},
		"DELETE /api/v1/products/{product}/devices/{serial}/key":          {path: p + "/devices/ALPHA-SN-1/key", want: 404},
		"GET /api/v1/rollouts":                                            {path: "/api/v1/rollouts", own: true},
		"POST /api/v1/products/{product}/rollouts":                        {path: p + "/rollouts", body: httpapi.RolloutRequest{Version: "9.9.9-alpha"}, want: 404},
		"GET /api/v1/rollouts/{rollout}":                                  {path: "/api/v1/rollouts/" + rolloutID, want: 404},
		"POST /api/v1/rollouts/{rollout}/actions":                         {path: "/api/v1/rollouts/" + rolloutID + "/actions", body: httpapi.RolloutActionRequest{Action: "abort"}, want: 404},
		"GET /api/v1/devices":                                             {path: "/api/v1/devices?product=" + prod.ID, want: 404},
		"GET /api/v1/devices/count":                                       {path: "/api/v1/devices/count", own: true},
		"GET /api/v1/products/{product}/devices/{serial}":                 {path: p + "/devices/ALPHA-SN-1", want: 404},
		"PUT /api/v1/products/{product}/devices/{serial}":                 {path: p + "/devices/ALPHA-SN-1", body: httpapi.DevicePutRequest{}, want: 404},
		"DELETE /api/v1/products/{product}/devices/{serial}":              {path: p + "/devices/ALPHA-SN-1", want: 404},
		"POST /api/v1/products/{product}/device-imports":                  {path: p + "/device-imports", body: `[{"serial":"X1"}]`, want: 404},
		"GET /api/v1/audit":                                               {path: "/api/v1/audit", own: true},
		"GET /api/v1/products/{product}/releases/{version}/findings":      {path: p + "/releases/9.9.9-alpha/findings", want: 404},
		"GET /api/v1/products/{product}/devices/{serial}/vulnerabilities": {path: p + "/devices/ALPHA-SN-1/vulnerabilities", want: 404},
		"GET /api/v1/vulnerabilities":                                     {path: "/api/v1/vulnerabilities", own: true},
		"GET /api/v1/vulnerabilities/{id}":                                {path: "/api/v1/vulnerabilities/CVE-2022-48174", own: true},
		"POST /api/v1/vulnerabilities/{id}/triage":                        {path: "/api/v1/vulnerabilities/CVE-2022-48174/triage", body: service.TriageRequest{ProductKey: prod.Slug, Version: "9.9.9-alpha", State: "affected"}, want: 404},
		"GET /api/v1/vex":                                                 {path: "/api/v1/vex", own: true},
		"POST /api/v1/vex":                                                {path: "/api/v1/vex?name=b.json", body: `{"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://bravo.example/vex/1","author":"Bravo","timestamp":"2026-01-01T00:00:00Z","version":1,"statements":[{"vulnerability":{"name":"CVE-2022-48174"},"products":[{"@id":"pkg:generic/busybox@1.35.0"}],"status":"not_affected","justification":"vulnerable_code_not_present"}]}`, own: true},
		"GET /api/v1/feeds":                                               {path: "/api/v1/feeds", own: true},
		"GET /api/v1/notification-targets":                                {path: "/api/v1/notification-targets", own: true},
		"POST /api/v1/notification-targets":                               {path: "/api/v1/notification-targets", body: service.NewTarget{Kind: "webhook", Name: "b", URL: "https://bravo.example/hook"}, own: true},
		"DELETE /api/v1/notification-targets/{target}":                    {path: "/api/v1/notification-targets/" + target.ID, want: 404},
		"POST /api/v1/notification-targets/{target}/test":                 {path: "/api/v1/notification-targets/" + target.ID + "/test", want: 404},
		"GET /api/v1/notification-targets/{target}/deliveries":            {path: "/api/v1/notification-targets/" + target.ID + "/deliveries", own: true},
		"POST /api/v1/feeds/import":                                       {path: "/api/v1/feeds/import", body: service.FeedSpec{Name: "evil", Kind: "nvd", Location: "/etc/passwd"}, want: http.StatusForbidden},
	}
	api := env.Server.API
	for _, rt := range api.Routes() {
		if rt.Auth != httpapi.Member {
			continue
		}
		key := rt.Method + " " + rt.Path
		tc, ok := cases[key]
		if !ok {
			t.Errorf("route %s has no tenant isolation case; add one to TestTenantIsolation", key)
			continue
		}
		delete(cases, key)
		t.Run(strings.ReplaceAll(key, "/", "_"), func(t *testing.T) {
			status, body := call(t, env, rt.Method, tc.path, b.Tokens[access.Owner], tc.body)
			switch {
			case tc.own && (status < 200 || status > 299):
				t.Fatalf("%s %s as B: status %d, want 2xx: %s", rt.Method, tc.path, status, body)
			case tc.own:
				for _, secret := range []string{a.ID, prod.ID, "alpha-secret", "ALPHA-SN", "9.9.9-alpha", aOwner, aToken} {
					if strings.Contains(string(body), secret) {
						t.Fatalf("%s %s as B returned A's data (%q): %s", rt.Method, tc.path, secret, body)
					}
				}
			case status != tc.want:
				t.Fatalf("%s %s as B: status %d, want %d: %s", rt.Method, tc.path, status, tc.want, body)
			}
		})
	}
	for key := range cases {
		t.Errorf("isolation case %q matches no route", key)
	}

	// A is untouched.
	got, err := svc.Product(ctx, pa, prod.Slug)
	must(t, err)
	if got.Name != "Alpha Secret Cam" || got.SupportEnd.String() != "2031-01" || got.SupportShortened {
		t.Fatalf("A's product changed: %+v", got)
	}
	if n, _ := svc.CountDevices(ctx, pa, service.DeviceQuery{}); n != 1 {
		t.Fatalf("A has %d devices, want 1", n)
	}
	if _, err := svc.Release(ctx, pa, prod.Slug, "9.9.9-alpha"); err != nil {
		t.Fatalf("A's release: %v", err)
	}
	if r, err := svc.Rollout(ctx, pa, rolloutID); err != nil || r.State != rollout.Active {
		t.Fatalf("A's rollout: %+v %v", r, err)
	}
	if ts, _ := svc.EnrolmentTokens(ctx, pa, prod.Slug); len(ts) != 1 || ts[0].RevokedAt != nil {
		t.Fatalf("A's enrolment tokens: %+v", ts)
	}
	if ms, _ := svc.Members(ctx, pa); len(ms) != 3 {
		t.Fatalf("A has %d members, want 3", len(ms))
	}
	if ts, _ := env.Store.Org(a.ID).Tokens(ctx, ""); ts[0].RevokedAt != nil && ts[0].ID == aToken {
		t.Fatal("A's token was revoked")
	}
	if o, _ := env.Store.Org(a.ID).Organisation(ctx); o.Name != a.Name {
		t.Fatal("A's organisation was renamed")
	}
	if l, _ := env.Store.Org(a.ID).Audit(ctx, auditAll, store.Page{}); hasActor(l.Items, b.Emails[access.Owner]) {
		t.Fatal("B's actions appear in A's audit log")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
