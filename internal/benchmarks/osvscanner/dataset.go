package main

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// osvRecord is the part of the OSV schema the dataset uses.
type osvRecord struct {
	SchemaVersion string        `json:"schema_version"`
	ID            string        `json:"id"`
	Modified      string        `json:"modified"`
	Published     string        `json:"published"`
	Aliases       []string      `json:"aliases,omitempty"`
	Upstream      []string      `json:"upstream,omitempty"`
	Summary       string        `json:"summary,omitempty"`
	Details       string        `json:"details"`
	Affected      []osvAffected `json:"affected"`
	References    []osvRef      `json:"references"`
}

type osvAffected struct {
	Package  osvPackage `json:"package"`
	Ranges   []osvRange `json:"ranges,omitempty"`
	Versions []string   `json:"versions,omitempty"`
}

type osvPackage struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
	PURL      string `json:"purl,omitempty"`
}

type osvRange struct {
	Type   string           `json:"type"`
	Events []map[string]any `json:"events"`
}

type osvRef struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

// debPkg is one package of the generated Debian SBOM.
type debPkg struct {
	name, source, version string
}

// realDebian are Debian 12 binary packages (source in brackets when it
// differs) as in a small bookworm image. Versions are realistic, not
// necessarily the exact bookworm versions.
var realDebian = `adduser 3.134
apt 2.6.1
base-files 12.4+deb12u7
bash 5.2.15-2+b7
bsdutils[util-linux] 1:2.38.1-5+deb12u1
ca-certificates 20230311
coreutils 9.1-1
curl 7.88.1-10+deb12u7
dash 0.5.12-2
debconf 1.5.82
debianutils 5.7-0.5~deb12u1
diffutils 1:3.8-4
dpkg 1.21.22
e2fsprogs 1.47.0-2
findutils 4.9.0-4
gcc-12-base[gcc-12] 12.2.0-14
gpgv[gnupg2] 2.2.40-1.1
grep 3.8-5
gzip 1.12-1
hostname 3.23+nmu1
init-system-helpers 1.65.2
libacl1[acl] 2.3.1-3
libapt-pkg6.0[apt] 2.6.1
libattr1[attr] 1:2.5.1-4
libaudit1[audit] 1:3.0.9-1
libblkid1[util-linux] 2.38.1-5+deb12u1
libbz2-1.0[bzip2] 1.0.8-5+b1
libc-bin[glibc] 2.36-9+deb12u7
libc6[glibc] 2.36-9+deb12u7
libcap-ng0[libcap-ng] 0.8.3-1+b3
libcap2[libcap2] 1:2.66-4
libcom-err2[e2fsprogs] 1.47.0-2
libcrypt1[libxcrypt] 1:4.4.33-2
libcurl4[curl] 7.88.1-10+deb12u7
libdb5.3[db5.3] 5.3.28+dfsg2-1
libdebconfclient0[cdebconf] 0.270
libext2fs2[e2fsprogs] 1.47.0-2
libffi8[libffi] 3.4.4-1
libgcc-s1[gcc-12] 12.2.0-14
libgcrypt20 1.10.1-3
libgmp10[gmp] 2:6.2.1+dfsg1-1.1
libgnutls30[gnutls28] 3.7.9-2+deb12u3
libgpg-error0[libgpg-error] 1.46-1
libgssapi-krb5-2[krb5] 1.20.1-2+deb12u1
libhogweed6[nettle] 3.8.1-2
libidn2-0[libidn2] 2.3.3-1+b1
libk5crypto3[krb5] 1.20.1-2+deb12u1
libkrb5-3[krb5] 1.20.1-2+deb12u1
libldap-2.5-0[openldap] 2.5.13+dfsg-5
liblz4-1[lz4] 1.9.4-1
liblzma5[xz-utils] 5.4.1-0.2
libmd0[libmd] 1.0.4-2
libmount1[util-linux] 2.38.1-5+deb12u1
libncursesw6[ncurses] 6.4-4
libnettle8[nettle] 3.8.1-2
libnghttp2-14[nghttp2] 1.52.0-1+deb12u1
libp11-kit0[p11-kit] 0.24.1-2
libpam-modules[pam] 1.5.2-6+deb12u1
libpam0g[pam] 1.5.2-6+deb12u1
libpcre2-8-0[pcre2] 10.42-1
libpsl5[libpsl] 0.21.2-1
librtmp1[rtmpdump] 2.4+20151223.gitfa8646d.1-2+b2
libsasl2-2[cyrus-sasl2] 2.1.28+dfsg-10
libseccomp2[libseccomp] 2.5.4-1+b3
libselinux1[libselinux] 3.4-1+b6
libsemanage2[libsemanage] 3.4-1+b5
libsmartcols1[util-linux] 2.38.1-5+deb12u1
libsqlite3-0[sqlite3] 3.40.1-2
libssh2-1[libssh2] 1.10.0-3+b1
libssl3[openssl] 3.0.14-1~deb12u1
libstdc++6[gcc-12] 12.2.0-14
libsystemd0[systemd] 252.30-1~deb12u2
libtasn1-6 4.19.0-2
libtinfo6[ncurses] 6.4-4
libudev1[systemd] 252.30-1~deb12u2
libunistring2[libunistring] 1.0-2
libuuid1[util-linux] 2.38.1-5+deb12u1
libxml2 2.9.14+dfsg-1.3~deb12u1
libxxhash0[xxhash] 0.8.1-1
libzstd1[libzstd] 1.5.4+dfsg2-5
login[shadow] 1:4.13+dfsg1-1
mount[util-linux] 2.38.1-5+deb12u1
ncurses-base[ncurses] 6.4-4
openssl 3.0.14-1~deb12u1
passwd[shadow] 1:4.13+dfsg1-1
perl-base[perl] 5.36.0-7+deb12u1
sed 4.9-1
systemd 252.30-1~deb12u2
sysvinit-utils[sysvinit] 3.06-4
tar 1.34+dfsg-1.2+deb12u1
tzdata 2024a-0+deb12u1
util-linux 2.38.1-5+deb12u1
zlib1g[zlib] 1:1.2.13.dfsg-1`

func debianPackages(rng *rand.Rand) []debPkg {
	var out []debPkg
	for _, line := range strings.Split(realDebian, "\n") {
		f := strings.Fields(line)
		name, src, _ := strings.Cut(f[0], "[")
		src = strings.TrimSuffix(src, "]")
		out = append(out, debPkg{name: name, source: src, version: f[1]})
	}
	// Synthetic packages up to 300, a third of them binary packages of
	// another source package.
	for i := 0; len(out) < 300; i++ {
		name := synth(i)
		p := debPkg{name: name, version: fmt.Sprintf("%d.%d.%d-%d", rng.IntN(4), rng.IntN(20), rng.IntN(10), 1+rng.IntN(3))}
		if i%3 == 0 {
			p.name, p.source = "lib"+name+"1", name
		}
		out = append(out, p)
	}
	return out
}

// synth returns a synthetic package name, unique per i.
func synth(i int) string {
	const c, v = "bdfgklmnprstvz", "aeiou"
	var b strings.Builder
	b.WriteString("x")
	for n := i + 14*5; n > 0; n /= 14 * 5 {
		b.WriteByte(c[n%14])
		b.WriteByte(v[(n/14)%5])
	}
	return b.String()
}

// bumpDeb returns a Debian version just after or just before v: a fix
// version that the SBOM's version is (after) or is not (before) affected by.
func bumpDeb(v string, after bool) string {
	if after {
		return v + "+deb12u9"
	}
	up, _, _ := strings.Cut(v, "-")
	return up + "~0"
}

// realRecords are written by hand from public advisories (Alpine secdb
// openssl secfixes, Debian security tracker): ids, aliases, package names
// and fix versions as published; texts shortened. They are not byte copies
// of osv.dev's records.
func realRecords() []osvRecord {
	rec := func(id, cve, eco, name, purl, fixed, details string) osvRecord {
		return osvRecord{SchemaVersion: "1.6.0", ID: id, Modified: "2024-11-01T00:00:00Z", Published: "2024-10-16T17:15:18Z",
			Aliases: []string{cve}, Upstream: []string{cve}, Details: details,
			Affected: []osvAffected{{Package: osvPackage{Ecosystem: eco, Name: name, PURL: purl},
				Ranges: []osvRange{{Type: "ECOSYSTEM", Events: []map[string]any{{"introduced": "0"}, {"fixed": fixed}}}}}},
			References: []osvRef{{Type: "ADVISORY", URL: "https://security-tracker.debian.org/tracker/" + cve}}}
	}
	const t9143 = "Use of the low-level GF(2^m) elliptic curve APIs with untrusted explicit values for the field polynomial can lead to out-of-bounds memory reads or writes."
	const t6119 = "Applications performing certificate name checks (e.g., TLS clients checking server certificates) may attempt to read an invalid memory address resulting in abnormal termination of the application process."
	const t5535 = "Calling the OpenSSL API function SSL_select_next_proto with an empty supported client protocols buffer may cause a crash or memory contents to be sent to the peer."
	return []osvRecord{
		rec("ALPINE-CVE-2024-9143", "CVE-2024-9143", "Alpine:v3.20", "openssl", "pkg:apk/alpine/openssl?arch=source", "3.3.2-r1", t9143),
		rec("ALPINE-CVE-2024-6119", "CVE-2024-6119", "Alpine:v3.20", "openssl", "pkg:apk/alpine/openssl?arch=source", "3.3.2-r0", t6119),
		rec("ALPINE-CVE-2024-5535", "CVE-2024-5535", "Alpine:v3.20", "openssl", "pkg:apk/alpine/openssl?arch=source", "3.3.1-r1", t5535),
		rec("DEBIAN-CVE-2024-9143", "CVE-2024-9143", "Debian:12", "openssl", "pkg:deb/debian/openssl?arch=source", "3.0.15-1~deb12u1", t9143),
		rec("DEBIAN-CVE-2024-6119", "CVE-2024-6119", "Debian:12", "openssl", "pkg:deb/debian/openssl?arch=source", "3.0.14-1~deb12u2", t6119),
		rec("DEBIAN-CVE-2024-5535", "CVE-2024-5535", "Debian:12", "openssl", "pkg:deb/debian/openssl?arch=source", "3.0.15-1~deb12u1", t5535),
	}
}

// gen writes the shared dataset and the SBOMs.
func gen(dir string) error {
	rng := rand.New(rand.NewPCG(2026, 12))
	debs := debianPackages(rng)
	cve := 0
	nextCVE := func() string {
		cve++
		return fmt.Sprintf("CVE-%d-%d", 2016+cve%9, 20000+cve)
	}
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	mk := func(prefix, eco, name, purlType string, events []map[string]any) osvRecord {
		c := nextCVE()
		day = day.Add(time.Minute)
		return osvRecord{SchemaVersion: "1.6.0", ID: prefix + c, Modified: day.Format(time.RFC3339), Published: day.Add(-24 * time.Hour).Format(time.RFC3339),
			Aliases: []string{c}, Upstream: []string{c}, Details: "Synthetic record: a flaw in " + name + " allows a remote attacker to cause a denial of service.",
			Affected: []osvAffected{{Package: osvPackage{Ecosystem: eco, Name: name, PURL: "pkg:" + purlType + "/" + name + "?arch=source"},
				Ranges: []osvRange{{Type: "ECOSYSTEM", Events: events}}}},
			References: []osvRef{{Type: "WEB", URL: "https://example.org/" + strings.ToLower(c)}}}
	}
	ev := func(kv ...string) []map[string]any {
		var out []map[string]any
		for i := 0; i < len(kv); i += 2 {
			out = append(out, map[string]any{kv[i]: kv[i+1]})
		}
		return out
	}
	var debian, alpine []osvRecord
	// Records about the Debian SBOM's source packages: fixed after its
	// version (affected), fixed before (not), not fixed at all (affected),
	// or for Debian 11 only (another release).
	seenSrc := map[string]string{}
	for _, p := range debs {
		src := p.name
		if p.source != "" {
			src = p.source
		}
		if _, ok := seenSrc[src]; ok {
			continue
		}
		seenSrc[src] = p.version
		if src == "openssl" {
			continue // real records below
		}
		for range rng.IntN(4) {
			switch rng.IntN(10) {
			case 0, 1, 2:
				debian = append(debian, mk("DEBIAN-", "Debian:12", src, "deb/debian", ev("introduced", "0", "fixed", bumpDeb(p.version, true))))
			case 3, 4, 5, 6:
				debian = append(debian, mk("DEBIAN-", "Debian:12", src, "deb/debian", ev("introduced", "0", "fixed", bumpDeb(p.version, false))))
			case 7:
				debian = append(debian, mk("DEBIAN-", "Debian:12", src, "deb/debian", ev("introduced", "0")))
			default:
				debian = append(debian, mk("DEBIAN-", "Debian:11", src, "deb/debian", ev("introduced", "0", "fixed", bumpDeb(p.version, true))))
			}
		}
	}
	// Records about the Alpine SBOM's origin packages.
	for _, a := range []struct{ name, version string }{{"busybox", "1.36.1-r29"}, {"musl", "1.2.5-r0"}, {"zlib", "1.3.1-r1"}} {
		alpine = append(alpine,
			mk("ALPINE-", "Alpine:v3.20", a.name, "apk/alpine", ev("introduced", "0", "fixed", a.version+"9")), // later revision: affected
			mk("ALPINE-", "Alpine:v3.20", a.name, "apk/alpine", ev("introduced", "0", "fixed", "1.0.0-r0")),    // long fixed
			mk("ALPINE-", "Alpine:v3.19", a.name, "apk/alpine", ev("introduced", "0", "fixed", a.version+"9"))) // another release
	}
	// Background: packages nobody here has.
	for i := range 40_000 {
		name := synth(100_000 + rng.IntN(12_000))
		fix := fmt.Sprintf("%d.%d.%d-%d", rng.IntN(4), rng.IntN(20), rng.IntN(10), 1+rng.IntN(3))
		eco := []string{"Debian:12", "Debian:11", "Debian:13"}[i%3]
		debian = append(debian, mk("DEBIAN-", eco, name, "deb/debian", ev("introduced", "0", "fixed", fix)))
	}
	for i := range 8_000 {
		name := synth(200_000 + rng.IntN(3_000))
		fix := fmt.Sprintf("%d.%d.%d-r%d", rng.IntN(4), rng.IntN(20), rng.IntN(10), rng.IntN(3))
		eco := []string{"Alpine:v3.20", "Alpine:v3.19", "Alpine:v3.18"}[i%3]
		alpine = append(alpine, mk("ALPINE-", eco, name, "apk/alpine", ev("introduced", "0", "fixed", fix)))
	}
	for _, r := range realRecords() {
		if strings.HasPrefix(r.ID, "ALPINE") {
			alpine = append(alpine, r)
		} else {
			debian = append(debian, r)
		}
	}
	for eco, recs := range map[string][]osvRecord{"Debian": debian, "Alpine": alpine} {
		if err := writeZip(filepath.Join(dir, "db", "osv-scalibr", eco, "all.zip"), recs); err != nil {
			return err
		}
		fmt.Printf("%s: %d records\n", eco, len(recs))
	}
	if err := os.MkdirAll(filepath.Join(dir, "sbom"), 0o755); err != nil {
		return err
	}
	if err := writeDebianSBOM(filepath.Join(dir, "sbom", "debian.cdx.json"), debs); err != nil {
		return err
	}
	return writeFirmwareSBOM(filepath.Join(dir, "sbom", "firmware.cdx.json"))
}

func writeZip(path string, recs []osvRecord) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	for _, r := range recs {
		w, err := zw.Create(r.ID + ".json")
		if err != nil {
			return err
		}
		if err := json.NewEncoder(w).Encode(r); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return f.Close()
}
