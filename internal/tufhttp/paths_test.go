package tufhttp_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"testing"

	"github.com/lifeline-iot/lifeline/internal/testenv"
)

// TestAddressesThatNameNothing: repository addresses whose organisation or
// product part is no slug at all (a NUL, a byte that is not UTF-8, escaped
// in the path), or whose file part tries to leave the repository, are
// answered 404 on both backends, never with a server error: PostgreSQL
// refuses such text in a query instead of finding nothing.
func TestAddressesThatNameNothing(t *testing.T) {
	forEachBackend(t, func(t *testing.T, env *testenv.Env) {
		m := newManufacturer(t, env)
		m.setUp()
		image := []byte("image")
		m.release("2.0.0", image, "")
		sum := sha256.Sum256(image)
		file := hex.EncodeToString(sum[:]) + ".plug.bin"
		for _, path := range []string{
			"/tuf/%00/smart-plug/metadata/timestamp.json",
			"/tuf/acme/%ff/metadata/timestamp.json",
			"/tuf/ac%00me/smart-plug/metadata/1.root.json",
			"/tuf/%ff/smart-plug/targets/2.0.0/" + file,
			"/tuf/acme/smart-plug%00/targets/2.0.0/" + file,
			"/tuf/acme/smart-plug/targets/2.0.0%2f..%2f..%2f" + file,
			"/tuf/acme/smart-plug/targets/..%2f2.0.0/" + file,
			"/tuf/acme/smart-plug/metadata/..%2f1.root.json",
			"/tuf/acme/smart-plug/metadata/1.root.json%00",
		} {
			resp, err := testenv.Client().Get(env.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s: status %d, want 404", path, resp.StatusCode)
			}
		}
		// The real addresses still work.
		for _, path := range []string{"metadata/timestamp.json", "metadata/1.root.json", "targets/2.0.0/" + file} {
			resp, err := testenv.Client().Get(m.baseURL() + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("%s: status %d, want 200", path, resp.StatusCode)
			}
		}
	})
}
