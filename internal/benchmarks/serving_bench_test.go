package benchmarks

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/testenv"
)

// BenchmarkServing compares Lifeline's repository serving with Go's
// http.FileServer serving the very same bytes from disk, both over
// loopback with keep-alive clients: the timestamp (re-validated on every
// device poll), a targets file, and a 1 MiB firmware image.
func BenchmarkServing(b *testing.B) {
	ctx := context.Background()
	env := testenv.NewSQLite(b)
	org, err := env.Service.CreateOrganisation(ctx, access.System("bench"), access.Organisation{Slug: "acme", Name: "Acme", Kind: access.Manufacturer})
	if err != nil {
		b.Fatal(err)
	}
	p := access.System("bench").InOrg(org.ID)
	prod, err := env.Service.CreateProduct(ctx, p, registry.Product{Name: "Plug", ModelDesignation: "P-1", Category: "Plug"})
	if err != nil {
		b.Fatal(err)
	}
	installDemoRoot(b, env.Service, p, prod.Slug)
	image := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	if _, err := env.Service.CreateRelease(ctx, p, prod.Slug, registry.Release{Version: "1.0.0"}); err != nil {
		b.Fatal(err)
	}
	rel, err := env.Service.UploadImage(ctx, p, prod.Slug, "1.0.0", "fw.bin", bytes.NewReader(image))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := env.Service.SignRelease(ctx, p, prod.Slug, "1.0.0"); err != nil {
		b.Fatal(err)
	}
	st, err := env.Service.UpdateRepository(ctx, p, prod.Slug)
	if err != nil {
		b.Fatal(err)
	}
	base := env.URL + service.RepositoryPath(org.Slug, prod.Slug)
	files := map[string]string{
		"timestamp":  "metadata/timestamp.json",
		"targets":    "metadata/" + strconv.FormatInt(st.Roles["targets"].Version, 10) + ".targets.json",
		"image-1MiB": "targets/1.0.0/" + rel.Image.SHA256 + ".fw.bin",
	}

	// The same bytes on disk, for http.FileServer.
	dir := b.TempDir()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	for _, path := range files {
		body := fetch(b, client, base+path)
		dst := filepath.Join(dir, filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(dst, body, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	fs := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer fs.Close()

	for _, name := range []string{"timestamp", "targets", "image-1MiB"} {
		for _, srv := range []struct{ name, base string }{{"lifeline", base}, {"fileserver", fs.URL + "/"}} {
			url := srv.base + files[name]
			b.Run(name+"/"+srv.name, func(b *testing.B) {
				b.SetParallelism(8)
				n := int64(len(fetch(b, client, url)))
				b.SetBytes(n)
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						resp, err := client.Get(url)
						if err != nil {
							b.Error(err)
							return
						}
						got, _ := io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != 200 || got != n {
							b.Errorf("status %d, %d bytes", resp.StatusCode, got)
							return
						}
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
			})
		}
	}
}

func fetch(b *testing.B, c *http.Client, url string) []byte {
	b.Helper()
	resp, err := c.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		b.Fatalf("%s: %d %s", url, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	return body
}
