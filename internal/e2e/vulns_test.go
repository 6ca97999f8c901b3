package e2e_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/testenv"
)

// webpSBOM is firmware carrying libwebp 1.3.1, which CVE-2023-4863 affects.
const webpSBOM = `{
  "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
  "components": [
    {"type": "library", "bom-ref": "libwebp", "name": "libwebp", "version": "1.3.1",
     "purl": "pkg:generic/libwebp@1.3.1", "cpe": "cpe:2.3:a:webmproject:libwebp:1.3.1:*:*:*:*:*:*:*"}
  ]
}`

// TestBrowserVulnerabilities finds a real NVD record's vulnerability in a
// release's SBOM, opens it from the vulnerabilities page in a real browser,
// and records a triage decision through the form.
func TestBrowserVulnerabilities(t *testing.T) {
	chromium := chromiumPath(t)
	env := testenv.NewSQLite(t)
	ctx := context.Background()
	org := env.Org(t, "acme", access.Manufacturer)
	sys := access.System("e2e").InOrg(org.ID)
	svc := env.Service
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := svc.CreateProduct(ctx, sys, registry.Product{Slug: "plug", Name: "Smart Plug", ModelDesignation: "SP-1", Category: "Smart plug"})
	must(err)
	_, err = svc.CreateRelease(ctx, sys, "plug", registry.Release{Version: "1.0", ReleasedAt: testenv.Start})
	must(err)
	_, err = svc.AttachSBOM(ctx, sys, "plug", "1.0", strings.NewReader(webpSBOM))
	must(err)
	_, err = svc.ImportFeed(ctx, access.System("e2e"), service.FeedSpec{Name: "nvd", Kind: service.FeedNVD,
		Location: filepath.Join("..", "advisory", "nvd", "testdata", "CVE-2023-4863.json")}, nil)
	must(err)

	bctx, finish := startBrowser(t, chromium, 90*time.Second)
	defer finish()
	step := func(name string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, steps...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}

	step("sign in",
		chromedp.Navigate(env.URL+"/ui/vulnerabilities"),
		chromedp.WaitVisible(chromedp.ID("login-email")),
		chromedp.SendKeys(chromedp.ID("login-email"), org.Emails[access.Owner]),
		chromedp.SendKeys(chromedp.ID("login-password"), org.Passwords[access.Owner]),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type="submit"]`)),
		waitText("CVE-2023-4863"),
		waitText("Exploited"),
		waitText("high 8.8"),
	)

	step("open the vulnerability",
		chromedp.Click(chromedp.CSS(`a[href="/ui/vulnerabilities/CVE-2023-4863"]`)),
		waitText("Why it matched"),
		waitText("libwebp 1.3.1"),
		waitText("Listed in the CISA catalogue"),
	)

	step("triage it",
		chromedp.Click(chromedp.CSS(`details#triage-0 > summary`)),
		chromedp.WaitVisible(chromedp.ID("triage-0-state")),
		chromedp.SetValue(chromedp.ID("triage-0-state"), "not_affected"),
		chromedp.SetValue(chromedp.ID("triage-0-justification"), "vulnerable_code_not_in_execute_path"),
		chromedp.SendKeys(chromedp.ID("triage-0-note"), "WebP decoding is compiled out."),
		chromedp.Click(chromedp.CSS(`form[action="/ui/vulnerabilities/CVE-2023-4863/triage"] button[type="submit"]`)),
		waitText("The decision was recorded."),
		waitText("The vulnerable code is never run"),
		waitText("WebP decoding is compiled out."),
	)

	// The pages fit a small phone without sideways scrolling: wide tables
	// scroll inside their own region.
	step("open the vulnerabilities page on a phone",
		chromedp.EmulateViewport(360, 740),
		chromedp.Navigate(env.URL+"/ui/vulnerabilities?include_resolved=on"),
		waitText("CVE-2023-4863"),
	)
	width, err := chromedp.Run(bctx, chromedp.Evaluate[int]("document.documentElement.scrollWidth"))
	must(err)
	if width > 360 {
		t.Errorf("the vulnerabilities page is %dpx wide on a 360px screen", width)
	}
}
