package e2e_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lifeline-iot/lifeline/internal/demo"
	"github.com/lifeline-iot/lifeline/internal/testenv"
)

// TestBrowserUpdates signs in to a server seeded like `lifeline serve
// --demo`, whose products have signed update repositories, and ships a
// release the way a manufacturer would in a real browser: it records the
// release with its hardware revision and as a security update, uploads the
// image through the file input, signs it for devices, and then reads the
// public page as a consumer.
func TestBrowserUpdates(t *testing.T) {
	chromium := chromiumPath(t)
	env := testenv.NewSQLite(t)
	creds, err := demo.Seed(context.Background(), env.Service)
	if err != nil {
		t.Fatal(err)
	}
	var email, password string
	for _, o := range creds.Organisations {
		for _, l := range o.Logins {
			if o.Slug == "brightwave" && l.Role == "owner" {
				email, password = l.Email, l.Password
			}
		}
	}
	if email == "" {
		t.Fatal("the demo has no owner of brightwave")
	}
	const product = "/ui/products/brightwave-smart-plug-mini"
	base := env.URL

	image := []byte("LIFELINE E2E FIRMWARE\n" + strings.Repeat("0123456789abcdef", 4096))
	sum := sha256.Sum256(image)
	imagePath := filepath.Join(t.TempDir(), "plug-2.5.0.bin")
	if err := os.WriteFile(imagePath, image, 0o600); err != nil {
		t.Fatal(err)
	}

	bctx, finish := startBrowser(t, chromium, 90*time.Second)
	defer finish()
	step := func(name string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, steps...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	text := func(sel chromedp.CSS) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(sel))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	step("sign in",
		chromedp.Navigate(base+product),
		chromedp.WaitVisible(chromedp.ID("login-email")),
		chromedp.SendKeys(chromedp.ID("login-email"), email),
		chromedp.SendKeys(chromedp.ID("login-password"), password),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type="submit"]`)),
		waitText("Brightwave Smart Plug Mini"),
	)

	step("see the update repository",
		chromedp.WaitVisible(chromedp.ID("update-repository")),
		waitText("Set up: signed and served to devices"),
	)
	repo := text(`section[aria-labelledby="update-repository"]`)
	for _, want := range []string{base + "/tuf/brightwave/brightwave-smart-plug-mini/", "Signed releases\n4", "Active: signs the timestamp metadata", "Version 1, expires"} {
		if !strings.Contains(repo, want) {
			t.Errorf("the update repository section lacks %q:\n%s", want, repo)
		}
	}

	step("record a release",
		chromedp.Click(chromedp.CSS(`details:has(form[action$="/releases"]) > summary`)),
		chromedp.SendKeys(chromedp.ID("release-version"), "2.5.0"),
		chromedp.Click(chromedp.ID("release-hw-1")), // rev-B
		chromedp.Click(chromedp.ID("release-security_update")),
		chromedp.Click(chromedp.CSS(`form[action$="/releases"] button[type="submit"]`)),
		waitText("The release was recorded."),
	)
	release := chromedp.CSS(`li.release`) // the newest release comes first
	for _, want := range []string{"2.5.0", "Security update", "Not signed", "rev-B", "None uploaded yet"} {
		if got := text(release); !strings.Contains(got, want) {
			t.Errorf("the new release lacks %q:\n%s", want, got)
		}
	}

	step("upload the image",
		chromedp.WaitVisible(chromedp.ID("image-0-file")), // open: the release has no image yet
		chromedp.SetUploadFiles(chromedp.ID("image-0-file"), []string{imagePath}),
		chromedp.Click(chromedp.CSS(`form[action$="/releases/2.5.0/image"] button[type="submit"]`)),
		waitText("The firmware image was uploaded."),
	)
	for _, want := range []string{"plug-2.5.0.bin", hex.EncodeToString(sum[:]), "Not signed"} {
		if got := text(release); !strings.Contains(got, want) {
			t.Errorf("the uploaded release lacks %q:\n%s", want, got)
		}
	}

	step("sign it for devices",
		chromedp.Click(chromedp.CSS(`form[action$="/releases/2.5.0/sign"] button[type="submit"]`)),
		waitText("The release was signed into the update repository."),
	)
	signed := text(release)
	for _, want := range []string{"Signed 1 Jun 2026", "devices can fetch it and verify it", hex.EncodeToString(sum[:])} {
		if !strings.Contains(signed, want) {
			t.Errorf("the signed release lacks %q:\n%s", want, signed)
		}
	}
	if strings.Contains(signed, "Not signed") || strings.Contains(signed, "Upload image") {
		t.Errorf("the signed release still offers to upload or shows as unsigned:\n%s", signed)
	}
	if repo := text(`section[aria-labelledby="update-repository"]`); !strings.Contains(repo, "Signed releases\n5") {
		t.Errorf("the repository does not count the new release:\n%s", repo)
	}

	step("read the public page",
		chromedp.Navigate(base+"/public/products/brightwave/brightwave-smart-plug-mini"),
		waitText("Receives signed software updates: yes."),
		waitText("Latest update: version 2.5.0"),
		waitText("It is a security update"),
	)
}
