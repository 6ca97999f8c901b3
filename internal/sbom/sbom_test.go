package sbom_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/sbom"
)

func mustRead(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func parseFile(tb testing.TB, name string) *sbom.Document {
	tb.Helper()
	doc, err := sbom.Parse(bytes.NewReader(mustRead(tb, name)), sbom.Limits{})
	if err != nil {
		tb.Fatalf("Parse(%s): %v", name, err)
	}
	return doc
}

func component(tb testing.TB, doc *sbom.Document, ref string) sbom.Component {
	tb.Helper()
	for _, c := range doc.Components {
		if c.Ref == ref {
			return c
		}
	}
	tb.Fatalf("no component %q", ref)
	return sbom.Component{}
}

const (
	syftBusybox = "pkg:apk/alpine/busybox@1.36.1-r29?arch=x86_64&distro=alpine-3.20.3&package-id=f5d79706e7ec66fe"
	syftMusl    = "pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.3&package-id=7005e3462cb771a5"
	yoctoZlib   = "http://spdx.org/spdxdocs/zlib-84464108-a499-56ba-b1e4-ded71e86cc23/7f113b180b70fd781b14ee2d99b6699b5273a4e52425d24dfcdffd9190e22334/package/libz1"
	yoctoLzma   = "http://spdx.org/spdxdocs/xz-2d4add1c-49c8-58c7-8bef-0d639c610b95/7edb542ffb70d18d974cebcfda9ef9616474d026f1c7f57495c0ced5c77b5bca/package/liblzma5"
	gomodYAML   = "pkg:golang/sigs.k8s.io/yaml@v1.6.0?type=module"
	gomodRoot   = "pkg:golang/github.com/spdx/tools-golang?type=module"
)

func TestParseFixtures(t *testing.T) {
	tests := []struct {
		file       string
		format     string
		name       string
		components int
		created    string
		tool       string
		check      func(t *testing.T, doc *sbom.Document)
	}{
		{"syft-alpine.cdx15.json", "cyclonedx-1.5-json", "alpine-rootfs", 6, "2026-11-25T11:00:46Z", "syft [not provided]", checkSyftCDX},
		{"syft-alpine.cdx16.json", "cyclonedx-1.6-json", "alpine-rootfs", 6, "2026-11-25T11:00:46Z", "syft [not provided]", checkSyftCDX},
		{"syft-alpine.cdx14.xml", "cyclonedx-1.4-xml", "alpine-rootfs", 6, "2026-11-25T11:00:46Z", "anchore syft [not provided]", checkSyftCDX},
		{"syft-alpine.spdx23.json", "spdx-2.3-json", "alpine-rootfs", 6, "2026-11-25T11:00:46Z", "syft-[not provided]", checkSyftSPDX},
		{"syft-alpine.spdx23.tv", "spdx-2.3-tag-value", "alpine-rootfs", 6, "2026-11-25T11:00:46Z", "syft-[not provided]", checkSyftSPDX},
		{"gomod-tools-golang.cdx16.json", "cyclonedx-1.6-json", "github.com/spdx/tools-golang", 4, "2026-11-25T11:02:46Z", "CycloneDX cyclonedx-gomod v1.10.0", checkGomod},
		{"gomod-tools-golang.cdx15.xml", "cyclonedx-1.5-xml", "github.com/spdx/tools-golang", 4, "2026-11-25T11:02:46Z", "CycloneDX cyclonedx-gomod v1.10.0", checkGomod},
		{"cdx-bom-examples-vex-not_affected.json", "cyclonedx-1.4-json", "ABC", 0, "2022-03-03T00:00:00Z", "", checkCDXVEX},
		{"yocto-core-image-minimal.spdx3.json", "spdx-3.0.1-json-ld", "", 6, "2025-02-08T04:59:42Z", "http://spdx.org/spdxdocs/bitbake-addba517-4804-5ae3-87c2-0c3a1a5812ba/bitbake/tool/oe-spdx-creator_1_0", checkYocto},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			doc := parseFile(t, tt.file)
			if doc.Format != tt.format {
				t.Errorf("Format = %q, want %q", doc.Format, tt.format)
			}
			if doc.Name != tt.name {
				t.Errorf("Name = %q, want %q", doc.Name, tt.name)
			}
			if got := len(doc.Components); got != tt.components {
				t.Errorf("%d components, want %d", got, tt.components)
			}
			if want, _ := time.Parse(time.RFC3339, tt.created); !doc.Created.Equal(want) {
				t.Errorf("Created = %v, want %v", doc.Created, want)
			}
			if tt.tool != "" && (len(doc.Tools) == 0 || doc.Tools[0] != tt.tool) {
				t.Errorf("Tools = %q, want first %q", doc.Tools, tt.tool)
			}
			for _, c := range doc.Components {
				if c.Ref == "" {
					t.Errorf("component %q has an empty ref", c.Name)
				}
			}
			tt.check(t, doc)
		})
	}
}

func checkSyftCDX(t *testing.T, doc *sbom.Document) {
	bb := component(t, doc, syftBusybox)
	if bb.Name != "busybox" || bb.Version != "1.36.1-r29" || bb.Type != "library" {
		t.Errorf("busybox = %+v", bb)
	}
	if bb.PURL != "pkg:apk/alpine/busybox@1.36.1-r29?arch=x86_64&distro=alpine-3.20.3" {
		t.Errorf("busybox PURL = %q", bb.PURL)
	}
	if len(bb.CPEs) != 1 || bb.CPEs[0] != "cpe:2.3:a:busybox:busybox:1.36.1-r29:*:*:*:*:*:*:*" {
		t.Errorf("busybox CPEs = %q", bb.CPEs)
	}
	if len(bb.Licenses) != 1 || bb.Licenses[0] != "GPL-2.0-only" {
		t.Errorf("busybox Licenses = %q", bb.Licenses)
	}
	musl := component(t, doc, syftMusl)
	if len(musl.CPEs) != 3 || musl.CPEs[1] != "cpe:2.3:a:musl_libc:musl:1.2.5-r0:*:*:*:*:*:*:*" {
		t.Errorf("musl CPEs = %q (want the component CPE plus the syft:cpe23 properties)", musl.CPEs)
	}
	db := component(t, doc, "9f5aca292136191a")
	if db.Type != "file" || db.Hashes["sha256"] != "0a41a824eed24979c25a6088007b1b218bb645a2733d3c2b12e2f1f422f246d4" || db.Hashes["sha1"] != "74e0ae51abefe3dfdeec27a9e1f58f4188dbb502" {
		t.Errorf("apk db file = %+v", db)
	}
	if deps := doc.Dependencies[syftBusybox]; len(deps) != 1 || deps[0] != syftMusl {
		t.Errorf("busybox depends on %q, want musl", deps)
	}
}

func checkSyftSPDX(t *testing.T, doc *sbom.Document) {
	bb := component(t, doc, "SPDXRef-Package-apk-busybox-f5d79706e7ec66fe")
	if bb.Version != "1.36.1-r29" || bb.PURL != "pkg:apk/alpine/busybox@1.36.1-r29?arch=x86_64&distro=alpine-3.20.3" {
		t.Errorf("busybox = %+v", bb)
	}
	if len(bb.CPEs) != 1 || bb.CPEs[0] != "cpe:2.3:a:busybox:busybox:1.36.1-r29:*:*:*:*:*:*:*" {
		t.Errorf("busybox CPEs = %q", bb.CPEs)
	}
	if bb.Parent != "SPDXRef-DocumentRoot-Directory-alpine-rootfs" {
		t.Errorf("busybox Parent = %q", bb.Parent)
	}
	f := component(t, doc, "SPDXRef-File-lib-apk-db-installed-9f5aca292136191a")
	if f.Type != "file" || f.Hashes["sha256"] != "0a41a824eed24979c25a6088007b1b218bb645a2733d3c2b12e2f1f422f246d4" {
		t.Errorf("apk db file = %+v", f)
	}
	if doc.Version != "3.20.3" {
		t.Errorf("Version = %q", doc.Version)
	}
	deps := doc.Dependencies["SPDXRef-Package-apk-zlib-bb593a5cdd06a489"]
	if len(deps) != 1 || deps[0] != "SPDXRef-Package-apk-musl-7005e3462cb771a5" {
		t.Errorf("zlib depends on %q", deps)
	}
}

func checkGomod(t *testing.T, doc *sbom.Document) {
	y := component(t, doc, gomodYAML)
	if y.Name != "sigs.k8s.io/yaml" || y.Version != "v1.6.0" {
		t.Errorf("yaml = %+v", y)
	}
	if h := y.Hashes["sha256"]; len(h) != 64 || strings.ToLower(h) != h {
		t.Errorf("yaml sha256 = %q", h)
	}
	if len(doc.Dependencies[gomodRoot]) != 3 {
		t.Errorf("root depends on %q, want 3 modules", doc.Dependencies[gomodRoot])
	}
}

func checkCDXVEX(t *testing.T, doc *sbom.Document) {
	want := sbom.Statement{
		ID: "CVE-2021-44228", Component: "product-ABC", Status: sbom.StatusNotAffected, Justification: "code_not_present",
		Detail: "This version of Product ABC is not affected by the vulnerability. Class with vulnerable code was removed before shipping.",
	}
	if len(doc.VEX) != 1 || doc.VEX[0] != want {
		t.Errorf("VEX = %+v, want %+v", doc.VEX, want)
	}
	if doc.Version != "4.2" {
		t.Errorf("Version = %q", doc.Version)
	}
}

func checkYocto(t *testing.T, doc *sbom.Document) {
	z := component(t, doc, yoctoZlib)
	if z.Name != "libz1" || z.Version != "1.3.1" || z.Type != "install" {
		t.Errorf("libz1 = %+v", z)
	}
	// Yocto's wildcard part and vendor-alias CPEs are kept as written.
	wantCPEs := []string{"cpe:2.3:*:zlib:zlib:1.3.1:*:*:*:*:*:*:*", "cpe:2.3:*:gnu:zlib:1.3.1:*:*:*:*:*:*:*"}
	if strings.Join(z.CPEs, " ") != strings.Join(wantCPEs, " ") {
		t.Errorf("libz1 CPEs = %q", z.CPEs)
	}
	if len(z.Licenses) != 1 || z.Licenses[0] != "Zlib" {
		t.Errorf("libz1 Licenses = %q", z.Licenses)
	}
	f := component(t, doc, yoctoZlib+"/file/1")
	if f.Parent != yoctoZlib || f.Name != "usr/lib/libz.so.1.3.1" || f.Hashes["sha256"] != "ca806aaa0b94cfc0ba74de3e21e600846780cbf5d5dae8c95622fc9bfd852383" {
		t.Errorf("libz.so = %+v", f)
	}
	want := []sbom.Statement{
		{ID: "CVE-2025-31115", Component: yoctoLzma, Status: sbom.StatusFixed},
		{ID: "CVE-2023-45853", Component: yoctoZlib, Status: sbom.StatusNotAffected, Justification: "vulnerable_code_not_present", Detail: "we don't build minizip"},
	}
	if len(doc.VEX) != len(want) {
		t.Fatalf("VEX = %+v", doc.VEX)
	}
	for i := range want {
		if doc.VEX[i] != want[i] {
			t.Errorf("VEX[%d] = %+v, want %+v", i, doc.VEX[i], want[i])
		}
	}
	// Build-scope dependsOn between build_Build recipes is not a component dependency.
	if len(doc.Dependencies) != 0 {
		t.Errorf("Dependencies = %v, want none", doc.Dependencies)
	}
}

func TestNormalisation(t *testing.T) {
	in := `{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[
	 {"bom-ref":" a ","type":"library","name":" busybox ","version":"-","purl":"pkg:yocto/meta/busybox@1.36.1",
	  "cpe":"cpe:2.3:a:*:busybox:-:*:*:*:*:*:*:*",
	  "properties":[{"name":"syft:cpe23","value":"cpe:2.3:a:*:busybox:-:*:*:*:*:*:*:*"},{"name":"syft:cpe23","value":" cpe:2.3:o:linux:linux_kernel:6.6.30:*:*:*:*:*:*:* "}],
	  "hashes":[{"alg":"SHA-256","content":"ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF01234567"},{"alg":"SHA3-256","content":" AA "}]},
	 {"type":"library","name":"no-ref"}]}`
	doc, err := sbom.Parse(strings.NewReader(in), sbom.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	a := component(t, doc, "a")
	if a.Name != "busybox" || a.Version != "-" || a.PURL != "pkg:yocto/meta/busybox@1.36.1" {
		t.Errorf("a = %+v", a)
	}
	if len(a.CPEs) != 2 || a.CPEs[0] != "cpe:2.3:a:*:busybox:-:*:*:*:*:*:*:*" || a.CPEs[1] != "cpe:2.3:o:linux:linux_kernel:6.6.30:*:*:*:*:*:*:*" {
		t.Errorf("CPEs = %q", a.CPEs)
	}
	if a.Hashes["sha256"] != "abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234567" || a.Hashes["sha3-256"] != "aa" {
		t.Errorf("Hashes = %v", a.Hashes)
	}
	if doc.Components[1].Ref != "_:component-2" {
		t.Errorf("synthetic ref = %q", doc.Components[1].Ref)
	}
}

func TestParseRefuses(t *testing.T) {
	cdx := string(mustRead(t, "syft-alpine.cdx15.json"))
	deep := `{"bomFormat":"CycloneDX","specVersion":"1.5","x":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`
	deepXML := `<bom xmlns="http://cyclonedx.org/schema/bom/1.5">` + strings.Repeat("<a>", 100) + strings.Repeat("</a>", 100) + `</bom>`
	tests := []struct {
		name   string
		input  string
		limits sbom.Limits
		kind   errs.Kind
	}{
		{"empty", "", sbom.Limits{}, errs.Invalid},
		{"truncated", cdx[:len(cdx)/2], sbom.Limits{}, errs.Invalid},
		{"oversized", cdx, sbom.Limits{MaxBytes: 1024}, errs.TooLarge},
		{"too many components", cdx, sbom.Limits{MaxComponents: 3}, errs.TooLarge},
		{"too deep JSON", deep, sbom.Limits{}, errs.TooLarge},
		{"too deep XML", deepXML, sbom.Limits{}, errs.TooLarge},
		{"invalid UTF-8", `{"bomFormat":"CycloneDX","specVersion":"1.5","metadata":{"component":{"name":"` + "\xff\xfe" + `"}}}`, sbom.Limits{}, errs.Invalid},
		{"wrong type", `{"bomFormat":"CycloneDX","specVersion":"1.5","components":{"name":"x"}}`, sbom.Limits{}, errs.Invalid},
		{"wrong type SPDX 3", `{"@context":"https://spdx.org/rdf/3.0.1/spdx-context.jsonld","@graph":[{"type":"software_Package","spdxId":"x","name":["a"]}]}`, sbom.Limits{}, errs.Invalid},
		{"duplicate refs", `{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"bom-ref":"a","type":"library","name":"x"},{"bom-ref":"a","type":"library","name":"y"}]}`, sbom.Limits{}, errs.Invalid},
		{"duplicate nested refs", `{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"bom-ref":"a","type":"library","name":"x","components":[{"bom-ref":"a","type":"library","name":"y"}]}]}`, sbom.Limits{}, errs.Invalid},
		{"duplicate SPDX 3 ids", `{"@context":"https://spdx.org/rdf/3.0.1/spdx-context.jsonld","@graph":[{"type":"software_Package","spdxId":"x"},{"type":"software_File","spdxId":"x"}]}`, sbom.Limits{}, errs.Invalid},
		{"unknown JSON", `{"hello":"world"}`, sbom.Limits{}, errs.Invalid},
		{"unknown bomFormat", `{"bomFormat":"SWID","specVersion":"1.5"}`, sbom.Limits{}, errs.Invalid},
		{"CycloneDX 1.2", `{"bomFormat":"CycloneDX","specVersion":"1.2"}`, sbom.Limits{}, errs.Invalid},
		{"SPDX 2.1", `{"spdxVersion":"SPDX-2.1","SPDXID":"SPDXRef-DOCUMENT"}`, sbom.Limits{}, errs.Invalid},
		{"JSON-LD other context", `{"@context":"https://schema.org","@graph":[]}`, sbom.Limits{}, errs.Invalid},
		{"unknown XML", `<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>`, sbom.Limits{}, errs.Invalid},
		{"XML DTD", `<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY a "aaaa">]><bom xmlns="http://cyclonedx.org/schema/bom/1.5">&a;</bom>`, sbom.Limits{}, errs.Invalid},
		{"XML two roots", `<bom xmlns="http://cyclonedx.org/schema/bom/1.5"/><bom xmlns="http://cyclonedx.org/schema/bom/1.5"/>`, sbom.Limits{}, errs.Invalid},
		{"XML Latin-1", `<?xml version="1.0" encoding="ISO-8859-1"?><bom xmlns="http://cyclonedx.org/schema/bom/1.5"/>`, sbom.Limits{}, errs.Invalid},
		{"trailing JSON", `{"bomFormat":"CycloneDX","specVersion":"1.5"} {}`, sbom.Limits{}, errs.Invalid},
		{"plain text", "hello world\n", sbom.Limits{}, errs.Invalid},
		{"UTF-16", "\xff\xfe{\x00}\x00", sbom.Limits{}, errs.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := sbom.Parse(strings.NewReader(tt.input), tt.limits)
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", doc)
			}
			if got := errs.KindOf(err); got != tt.kind {
				t.Errorf("kind = %v, want %v (err: %v)", got, tt.kind, err)
			}
			if !strings.HasPrefix(err.Error(), "sbom: ") {
				t.Errorf("error %q does not name the package", err)
			}
		})
	}
}

// TestOversizedStopsReading checks that Parse reads at most MaxBytes+1 bytes.
func TestOversizedStopsReading(t *testing.T) {
	r := &countingReader{}
	_, err := sbom.Parse(r, sbom.Limits{MaxBytes: 1000})
	if !errs.Is(err, errs.TooLarge) {
		t.Fatalf("err = %v, want too_large", err)
	}
	if r.n > 1001+512 { // io.ReadAll reads in chunks; allow one chunk of slack
		t.Errorf("read %d bytes", r.n)
	}
}

type countingReader struct{ n int }

func (r *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	r.n += len(p)
	return len(p), nil
}
