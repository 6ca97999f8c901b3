package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata/config"
	"github.com/theupdateframework/go-tuf/v2/metadata/updater"

	"github.com/lifeline-iot/lifeline/internal/demo"
	"github.com/lifeline-iot/lifeline/internal/postgres/pgtest"
)

// syncBuffer is a buffer safe to write from the server goroutine and read from the test.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var urlRE = regexp.MustCompile(`Open (http://127\.0\.0\.1:\d+)/`)

// TestServeDemo runs `lifeline serve --demo` on a free port, on SQLite and
// on PostgreSQL, checks what a newcomer would see, and shuts it down gracefully.
func TestServeDemo(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			data := t.TempDir()
			sf := storeFlags{data: data}
			if backend == "postgres" {
				sf.database = pgtest.DSN(t)
			}
			testServeDemo(t, backend, sf)
		})
	}
}

func testServeDemo(t *testing.T, backend string, sf storeFlags) {
	data := sf.data
	o := &serveOptions{storeFlags: sf, addr: "127.0.0.1:0", demo: true, logFormat: "json", logLevel: "warn",
		maxImportSize: 1 << 20, maxImportRows: 10000, shutdownTimeout: 5 * time.Second,
		feeds: feedFlags{feeds: []string{"extra-kev=kev:" + filepath.Join("..", "demo", "feeds", "kev.json")}, interval: time.Hour}}
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan error, 1)
	go func() { done <- runServe(ctx, o, &out) }()

	var base string
	deadline := time.Now().Add(60 * time.Second)
	for base == "" && time.Now().Before(deadline) {
		if m := urlRE.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		}
		time.Sleep(20 * time.Millisecond)
	}
	if base == "" {
		cancel()
		t.Fatalf("the server printed no URL:\n%s", out.String())
	}
	for _, want := range []string{"owner@brightwave.example", "API token: llt_", "National Cyber Security Agency"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	st, err := os.Stat(filepath.Join(data, demo.CredentialsFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file: %v %v", st, err)
	}
	var creds demo.Credentials
	b, _ := os.ReadFile(filepath.Join(data, demo.CredentialsFile))
	if err := json.Unmarshal(b, &creds); err != nil || len(creds.Organisations) != 3 {
		t.Fatalf("credentials: %v %s", err, b)
	}

	get := func(path, accept, token string) (int, string) {
		req, _ := http.NewRequest("GET", base+path, nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if s, body := get("/healthz", "", ""); s != 200 || body != "ok\n" {
		t.Errorf("/healthz: %d %q", s, body)
	}
	if s, body := get("/readyz", "", ""); s != 200 {
		t.Errorf("/readyz: %d %q", s, body)
	}
	s, body := get("/public/products", "application/json", "")
	var list struct {
		Items []struct {
			Support          struct{ Status string } `json:"support"`
			UpdateRepository string                  `json:"update_repository"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(body), &list); s != 200 || err != nil || len(list.Items) < 6 {
		t.Fatalf("/public/products: %d %s", s, body)
	}
	statuses := map[string]bool{}
	for _, it := range list.Items {
		statuses[it.Support.Status] = true
	}
	for _, want := range []string{"supported", "ending_soon", "ended"} {
		if !statuses[want] {
			t.Errorf("the demo has no published product with status %s", want)
		}
	}
	// Every published demo product has a signed update repository that
	// go-tuf's client accepts, trusting the root the demo installed.
	repo := list.Items[0].UpdateRepository
	if repo == "" {
		t.Fatalf("the first demo product has no update repository: %s", body)
	}
	if s, root := get(repo+"metadata/1.root.json", "", ""); s != 200 {
		t.Errorf("%smetadata/1.root.json: %d", repo, s)
	} else {
		cfg, err := config.New(base+repo+"metadata", []byte(root))
		if err != nil {
			t.Fatal(err)
		}
		cfg.RemoteTargetsURL = base + repo + "targets"
		cfg.LocalMetadataDir, cfg.LocalTargetsDir = t.TempDir(), t.TempDir()
		up, err := updater.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := up.Refresh(); err != nil {
			t.Fatalf("go-tuf refresh of the demo repository: %v", err)
		}
		if n := len(up.GetTopLevelTargets()); n == 0 {
			t.Error("the demo repository lists no signed releases")
		}
	}
	// 310 imported devices, plus the simulated ones enrolled so far.
	var count struct{ Count int }
	if s, body := get("/api/v1/devices/count", "", creds.Organisations[0].APIToken); s != 200 || json.Unmarshal([]byte(body), &count) != nil || count.Count < 310 || count.Count > 370 {
		t.Errorf("demo device count: %d %s", s, body)
	}
	if s, body := get("/api/v1/rollouts", "", creds.Organisations[0].APIToken); s != 200 || !strings.Contains(body, `"state":"active"`) {
		t.Errorf("the demo has no active rollout: %d %s", s, body)
	}
	if creds.Fleet == nil || creds.Fleet.EnrolmentToken == "" || creds.Fleet.Devices == 0 {
		t.Errorf("the demo has no simulated fleet: %+v", creds.Fleet)
	}
	// The demo shows real findings: the exploited kernel CVE first, with
	// devices in and out of support, and a fixing release with progress.
	var vulns struct {
		Items []struct {
			ID                  string `json:"id"`
			Exploited           bool   `json:"exploited"`
			DevicesInSupport    int    `json:"devices_in_support"`
			DevicesOutOfSupport int    `json:"devices_out_of_support"`
			Products            []struct {
				FixedIn string `json:"fixed_in"`
			} `json:"products"`
		} `json:"items"`
	}
	if s, body := get("/api/v1/vulnerabilities", "", creds.Organisations[0].APIToken); s != 200 || json.Unmarshal([]byte(body), &vulns) != nil || len(vulns.Items) < 5 {
		t.Errorf("demo vulnerabilities: %d %s", s, body)
	} else {
		top := vulns.Items[0]
		if top.ID != "CVE-2024-1086" || !top.Exploited || top.DevicesInSupport == 0 || top.DevicesOutOfSupport == 0 {
			t.Errorf("the demo's worst vulnerability = %+v", top)
		}
		fixed := false
		for _, v := range vulns.Items {
			for _, p := range v.Products {
				fixed = fixed || p.FixedIn != ""
			}
		}
		if !fixed {
			t.Error("no demo vulnerability has a fixing release")
		}
	}
	// The feed given with --feed was imported by the server itself.
	deadline = time.Now().Add(30 * time.Second)
	for {
		s, body := get("/api/v1/feeds", "", creds.Organisations[0].APIToken)
		if s == 200 && strings.Contains(body, `"name":"extra-kev"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the --feed feed was not imported: %d %s", s, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if s, body := get("/metrics", "", ""); s != 200 || !strings.Contains(body, "lifeline_http_requests_total") || !strings.Contains(body, `lifeline_info{backend="`+backend+`"}`) {
		t.Errorf("/metrics: %d", s)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v after shutdown", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not shut down")
	}

	// A second start finds the instance set up and seeds nothing more.
	ctx2, cancel2 := context.WithCancel(context.Background())
	var out2 syncBuffer
	done2 := make(chan error, 1)
	go func() { done2 <- runServe(ctx2, o, &out2) }()
	for i := 0; i < 500 && !strings.Contains(out2.String(), "already set up"); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	cancel2()
	if err := <-done2; err != nil || !strings.Contains(out2.String(), "already set up") {
		t.Fatalf("second start: %v\n%s", err, out2.String())
	}
}
