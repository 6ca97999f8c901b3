package benchmarks

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/lifeline-iot/lifeline/internal/advisory"
	"github.com/lifeline-iot/lifeline/internal/store"
	"github.com/lifeline-iot/lifeline/internal/vulnmatch"
)

// Synthetic, deterministic vulnerability data for BenchmarkFullRematch and
// BenchmarkNewAdvisory: a portfolio of firmware releases and a store of
// advisories shaped like the real feeds (see docs/benchmarks.md,
// "Vulnerability matching", for what is generated and why).

// upstream is one upstream project, packaged by every firmware flavour.
type upstream struct {
	name    string // package name (Debian, Alpine, Yocto, Buildroot)
	vendor  string // NVD vendor
	product string // NVD product
	maj     int
	pypi    bool // a Python package (pkg:pypi), not a system package
}

// version returns the project's k-th version. k may be negative (versions
// older than any in the portfolio); versions grow with k in every order
// the matcher uses.
func (u upstream) version(k int) string {
	kk := k + 80
	return fmt.Sprintf("%d.%d.%d", u.maj, kk/4, kk%4)
}

// realUpstreams are common embedded and distribution packages with their
// NVD vendor and product ("name vendor [product]").
var realUpstreams = strings.Split(`busybox busybox
openssl openssl
zlib zlib
curl haxx
libxml2 xmlsoft
expat libexpat_project libexpat
sqlite sqlite
dnsmasq thekelleys
openssh openbsd
wpa_supplicant w1.fi
hostapd w1.fi
glibc gnu
bash gnu
ncurses gnu
readline gnu
util-linux kernel util-linux
e2fsprogs e2fsprogs_project
lighttpd lighttpd
nginx f5
mosquitto eclipse
libpng libpng
libjpeg-turbo libjpeg-turbo
freetype freetype
pcre2 pcre
systemd systemd_project
dbus freedesktop
avahi avahi
bluez bluez
iptables netfilter
nftables netfilter
openvpn openvpn
gnutls gnu
mbedtls arm
wolfssl wolfssl
ntp ntp
tcpdump tcpdump
libpcap tcpdump
jq jqlang
json-c json-c_project
libuv libuv
python3 python python
perl perl
lua lua
sudo sudo_project
linux-pam linux-pam
libarchive libarchive
xz tukaani
bzip2 bzip
zstd facebook zstandard
lz4 lz4_project
gzip gnu
tar gnu
coreutils gnu
grep gnu
less gnu
vim vim
nano gnu
libssh2 libssh2
libssh libssh
u-boot denx
openldap openldap
cyrus-sasl cmu cyrus-sasl
krb5 mit kerberos_5
libgcrypt gnupg
gnupg gnupg
libtasn1 gnu
libidn2 gnu
nettle nettle_project
gmp gmplib
libffi libffi_project
libyaml pyyaml
protobuf google
grpc grpc
c-ares c-ares
nghttp2 nghttp2
libevent libevent_project
libusb libusb
samba samba
ppp point-to-point_protocol_project
strongswan strongswan
haproxy haproxy
squashfs-tools squashfs-tools_project
kmod kernel
procps procps-ng_project procps-ng
htop htop
rsync samba
socat dest-unreach
iperf3 es.net
libwebsockets libwebsockets
zeromq zeromq libzmq
redis redis
ffmpeg ffmpeg
gstreamer gstreamer_project
alsa-lib alsa-project
libtiff libtiff
giflib giflib_project
libwebp webmproject
harfbuzz harfbuzz_project
fontconfig fontconfig_project
cairo cairographics
glib gnome
libsoup gnome
qtbase qt qt
mesa mesa3d
requests python requests pypi
urllib3 python urllib3 pypi
flask palletsprojects pypi
jinja2 palletsprojects pypi
pyyaml pyyaml pypi
cryptography cryptography.io pypi
paho-mqtt eclipse pypi
pyserial pyserial_project pypi
aiohttp aiohttp pypi
certifi certifi pypi`, "\n")

// syllables builds names: every syllable is three letters, so names made of
// them decode one way and never collide.
var syllables = func() []string {
	var out []string
	for _, c1 := range "bdfgklmnprstvz" {
		for _, v := range "aeiou" {
			for _, c2 := range "bdfgklmnprstvz" {
				out = append(out, string(c1)+string(v)+string(c2))
			}
		}
	}
	return out
}()

// synthName returns the i-th synthetic name (two or more syllables).
func synthName(i int) string {
	n := len(syllables)
	s := syllables[i%n]
	i /= n
	s = syllables[i%n] + s
	for i /= n; i > 0; i /= n {
		s = syllables[i%n] + s
	}
	return s
}

// Portfolio sizes.
const (
	vulnProducts         = 20
	vulnReleasesPerProd  = 50
	vulnComponentsPerRel = 500
	vulnDevicesPerProd   = 1000
	vulnAdvisories       = 300_000
	vulnOSVShare         = 0.8
	vulnPackageNames     = 50_000 // background OSV package names
	vulnCPEPairs         = 20_000 // background NVD vendor:product pairs
)

// Firmware flavours; product i has flavour i%4.
const (
	flavourBuildroot = iota // CPE-only components with concrete versions
	flavourDebian           // pkg:deb purls (some with upstream=)
	flavourAlpine           // pkg:apk purls (some with upstream=)
	flavourYocto            // pkg:yocto purls and CPEs, half without a vendor
	flavours
)

var flavourNames = [flavours]string{"buildroot", "debian", "alpine", "yocto"}

// vulnData is the generated portfolio: per flavour a pool of upstream
// projects, per product and release the version index of each.
type vulnData struct {
	rng       *rand.Rand
	upstreams []upstream // real ones first, then synthetic
	pools     [flavours][]int
	// state[product][release][j] is the version index of pools[flavour][j];
	// the last entry is the kernel's patch level.
	state [][][]int
	// pkgVulns are the portfolio's vulnerabilities: upstream index → fix indices.
	pkgVulns map[int][]int
}

// kernel patch levels at version index 0, per flavour.
var kernelBranch = [flavours]struct {
	branch string
	base   int
}{{"5.15", 100}, {"6.1", 60}, {"6.6", 20}, {"6.1", 40}}

func newVulnData() *vulnData {
	d := &vulnData{rng: rand.New(rand.NewPCG(2026, 11)), pkgVulns: map[int][]int{}}
	for _, line := range realUpstreams {
		f := strings.Fields(line)
		u := upstream{name: f[0], vendor: f[1], product: strings.ReplaceAll(f[0], "-", "_"), maj: 1 + d.rng.IntN(3)}
		if len(f) > 2 && f[2] != "pypi" {
			u.product = f[2]
		}
		u.pypi = f[len(f)-1] == "pypi"
		d.upstreams = append(d.upstreams, u)
	}
	real := len(d.upstreams)
	perFlavour := vulnComponentsPerRel - 1 - real
	for fl := range flavours {
		for j := range real {
			if d.upstreams[j].pypi && (fl == flavourBuildroot || fl == flavourAlpine) {
				continue // no Python apps there
			}
			d.pools[fl] = append(d.pools[fl], j)
		}
		for len(d.pools[fl]) < vulnComponentsPerRel-1 {
			i := len(d.upstreams)
			name := synthName(1000 + fl*perFlavour + len(d.pools[fl]))
			vendor := name
			if d.rng.IntN(10) < 3 {
				vendor = name + "_project" // Buildroot's default vendor
			}
			d.upstreams = append(d.upstreams, upstream{name: name, vendor: vendor, product: name, maj: 1 + d.rng.IntN(4)})
			d.pools[fl] = append(d.pools[fl], i)
		}
	}
	// Release histories: consecutive releases share most components, a few
	// percent of them bumped each time; the kernel takes stable updates.
	for p := range vulnProducts {
		fl := p % flavours
		pool := d.pools[fl]
		cur := make([]int, len(pool)+1)
		for j := range pool {
			cur[j] = d.rng.IntN(25)
		}
		cur[len(pool)] = d.rng.IntN(30)
		var rels [][]int
		for range vulnReleasesPerProd {
			for j := range pool {
				if d.rng.IntN(100) < 3 {
					cur[j] += 1 + d.rng.IntN(2)
				}
			}
			if d.rng.IntN(10) < 3 {
				cur[len(pool)] += 1 + d.rng.IntN(3)
			}
			rels = append(rels, append([]int(nil), cur...))
		}
		d.state = append(d.state, rels)
	}
	// About one project in ten has known vulnerabilities, mostly fixed in
	// versions older than the portfolio's.
	for i := range d.upstreams {
		if d.rng.IntN(10) == 0 {
			for range 1 + d.rng.IntN(3) {
				d.pkgVulns[i] = append(d.pkgVulns[i], d.rng.IntN(120)-60)
			}
		}
	}
	return d
}

// component returns the stored component for pool entry j (len(pool) for
// the kernel) of flavour fl at version index k.
func (d *vulnData) component(fl, j, k int) store.ReleaseComponent {
	pool := d.pools[fl]
	if j == len(pool) {
		kb := kernelBranch[fl]
		v := fmt.Sprintf("%s.%d", kb.branch, kb.base+k)
		switch fl {
		case flavourBuildroot:
			return store.ReleaseComponent{Name: "linux", Version: v, CPEs: []string{"cpe:2.3:o:linux:linux_kernel:" + v + ":*:*:*:*:*:*:*"}}
		case flavourDebian:
			return store.ReleaseComponent{Name: "linux-image-" + kb.branch + "-arm64", Version: v + "-1",
				PURL: "pkg:deb/debian/linux-image-" + kb.branch + "-arm64@" + v + "-1?arch=arm64&distro=debian-12&upstream=linux"}
		case flavourAlpine:
			return store.ReleaseComponent{Name: "linux-lts", Version: v + "-r0", PURL: "pkg:apk/alpine/linux-lts@" + v + "-r0?arch=aarch64&distro=alpine-3.20.3"}
		default:
			return store.ReleaseComponent{Name: "linux-yocto", Version: v, PURL: "pkg:yocto/core/linux-yocto@" + v,
				CPEs: []string{"cpe:2.3:*:*:linux_kernel:" + v + ":*:*:*:*:*:*:*"}}
		}
	}
	u := d.upstreams[pool[j]]
	v := u.version(k)
	if u.pypi {
		return store.ReleaseComponent{Name: u.name, Version: v, PURL: "pkg:pypi/" + u.name + "@" + v}
	}
	// Binary packages named after a library of their source package.
	bin, up := u.name, ""
	if j%5 == 1 {
		bin, up = "lib"+strings.TrimPrefix(u.name, "lib")+"1", u.name
	}
	switch fl {
	case flavourBuildroot:
		return store.ReleaseComponent{Name: u.name, Version: v, CPEs: []string{"cpe:2.3:a:" + u.vendor + ":" + u.product + ":" + v + ":*:*:*:*:*:*:*"}}
	case flavourDebian:
		q := "?arch=arm64&distro=debian-12"
		if up != "" {
			q += "&upstream=" + up
		}
		return store.ReleaseComponent{Name: bin, Version: v + "-1", PURL: "pkg:deb/debian/" + bin + "@" + v + "-1" + q}
	case flavourAlpine:
		q := "?arch=aarch64&distro=alpine-3.20.3"
		if up != "" {
			q += "&upstream=" + up
		}
		return store.ReleaseComponent{Name: bin, Version: v + "-r0", PURL: "pkg:apk/alpine/" + bin + "@" + v + "-r0" + q}
	default:
		vendor := u.vendor
		if j%2 == 0 {
			vendor = "*" // CVE_PRODUCT without a vendor
		}
		return store.ReleaseComponent{Name: u.name, Version: v, PURL: "pkg:yocto/core/" + u.name + "@" + v,
			CPEs: []string{"cpe:2.3:*:" + vendor + ":" + u.product + ":" + v + ":*:*:*:*:*:*:*"}}
	}
}

// identity mirrors the service's component identity: versionless purl,
// else CPE vendor and product, else name.
func identity(c store.ReleaseComponent) string {
	if c.PURL != "" {
		p, _, _ := strings.Cut(c.PURL, "@")
		return p
	}
	if len(c.CPEs) > 0 {
		f := strings.Split(c.CPEs[0], ":")
		if f[3] != "*" {
			return "cpe:" + f[3] + ":" + f[4]
		}
	}
	return "name:" + c.Name
}

// releaseComponents returns the components of one release, with keys.
// keyCache holds the keys by flavour and pool entry: keys do not depend on
// the version.
func (d *vulnData) releaseComponents(product, release int, keyCache map[[2]int][]string) []store.ReleaseComponent {
	fl := product % flavours
	st := d.state[product][release]
	out := make([]store.ReleaseComponent, 0, len(st))
	for j, k := range st {
		c := d.component(fl, j, k)
		c.Index, c.Ref = j, fmt.Sprintf("ref-%d", j)
		c.Identity = identity(c)
		ck := [2]int{fl, j}
		keys, ok := keyCache[ck]
		if !ok {
			keys = vulnmatch.ComponentKeys(vulnmatch.Component{Name: c.Name, Version: c.Version, PURL: c.PURL, CPEs: c.CPEs})
			keyCache[ck] = keys
		}
		c.Keys = keys
		out = append(out, c)
	}
	return out
}

// advisoryGen emits advisory records.
type advisoryGen struct {
	d        *vulnData
	rng      *rand.Rand
	modified time.Time
	cve      int
	ghsa     int
}

func (g *advisoryGen) nextCVE() string {
	g.cve++
	return fmt.Sprintf("CVE-%d-%d", 2015+g.cve%11, 10000+g.cve)
}

var vectors = []struct {
	vec   string
	score float64
}{
	{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8},
	{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5},
	{"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1},
	{"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8},
	{"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:L", 3.7},
	{"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H", 5.5},
}

// base fills in what every record has: text, dates, a rating, references.
func (g *advisoryGen) base(id string, src advisory.Source, what string, aliases ...string) *advisory.Advisory {
	v := vectors[g.rng.IntN(len(vectors))]
	g.modified = g.modified.Add(time.Second)
	return &advisory.Advisory{ID: id, Source: src, Aliases: aliases,
		Summary:   "Buffer overflow in " + what + " allows remote attackers to cause a denial of service",
		Details:   "A crafted request processed by " + what + " can write past the end of a heap buffer, which may crash the process or allow code execution. Synthetic record generated for a benchmark.",
		Published: g.modified.Add(-30 * 24 * time.Hour), Modified: g.modified,
		Severity:   []advisory.Severity{{Type: "CVSS_V3", Vector: v.vec, Score: v.score, Source: "nvd@nist.gov"}},
		References: []string{"https://example.org/security/" + strings.ToLower(id), "https://bugs.example.org/" + fmt.Sprint(g.rng.IntN(1e6))}}
}

func osvRange(fixed string) []advisory.Range {
	return []advisory.Range{{Type: advisory.RangeEcosystem, Events: []advisory.Event{{Introduced: "0"}, {Fixed: fixed}}}}
}

// record turns an advisory into a stored record as service.advisoryRecord does.
func record(a *advisory.Advisory) store.AdvisoryRecord {
	a.NormaliseAliases()
	doc, err := json.Marshal(a)
	if err != nil {
		panic(err)
	}
	var keys []string
	for _, af := range a.Affected {
		keys = append(keys, vulnmatch.AffectedKeys(af)...)
	}
	vuln := a.ID
	for _, id := range a.Aliases {
		if strings.HasPrefix(id, "CVE-") {
			vuln = id
		}
	}
	return store.AdvisoryRecord{Source: string(a.Source), ID: a.ID, VulnID: vuln, IDs: a.IDs(), Keys: keys, Modified: a.Modified,
		Score: a.MaxScore(), Exploited: a.Exploited != nil, Summary: a.Summary, Document: doc}
}

// cpeRecord is an NVD record with one criterion per bound.
func (g *advisoryGen) cpeRecord(id, what string, criteria ...advisory.CPECriteria) *advisory.Advisory {
	a := g.base(id, advisory.SourceNVD, what)
	for i := range criteria {
		a.Affected = append(a.Affected, advisory.Affected{CPE: &criteria[i]})
	}
	return a
}

// advisories calls emit with every record: first those about the
// portfolio's projects and kernels, then background records, OSV and NVD
// in the proportion of the real feeds, until there are n.
func (d *vulnData) advisories(n int, emit func(*advisory.Advisory) error) (portfolioRecords int, err error) {
	g := &advisoryGen{d: d, rng: rand.New(rand.NewPCG(7, 7)), modified: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	count := 0
	out := func(a *advisory.Advisory) error {
		count++
		return emit(a)
	}
	inFlavour := func(fl, u int) bool {
		for _, j := range d.pools[fl] {
			if j == u {
				return true
			}
		}
		return false
	}
	for u := range d.upstreams {
		fixes := d.pkgVulns[u]
		up := d.upstreams[u]
		for _, fix := range fixes {
			cve := g.nextCVE()
			fv := up.version(fix)
			if up.pypi {
				g.ghsa++
				a := g.base(fmt.Sprintf("GHSA-%04x-%04x-bnch", g.ghsa, u), advisory.SourceOSV, up.name, cve)
				a.Affected = []advisory.Affected{{Package: &advisory.Package{Ecosystem: "PyPI", Name: up.name, PURL: "pkg:pypi/" + up.name}, Ranges: osvRange(fv)}}
				if err := out(a); err != nil {
					return 0, err
				}
			}
			if !up.pypi {
				a := g.cpeRecord(cve, up.name, advisory.CPECriteria{Criteria: "cpe:2.3:a:" + up.vendor + ":" + up.product + ":*:*:*:*:*:*:*:*",
					VersionStartIncluding: up.version(-80), VersionEndExcluding: fv})
				if g.rng.IntN(50) == 0 {
					a.Exploited = &advisory.Exploitation{DateAdded: a.Modified}
				}
				if err := out(a); err != nil {
					return 0, err
				}
			}
			if inFlavour(flavourDebian, u) && !up.pypi {
				for _, rel := range []string{"Debian:12", "Debian:11"} {
					a := g.base("DEBIAN-"+cve+"-"+rel[7:], advisory.SourceOSV, up.name, cve)
					a.Affected = []advisory.Affected{{Package: &advisory.Package{Ecosystem: rel, Name: up.name, PURL: "pkg:deb/debian/" + up.name}, Ranges: osvRange(fv + "-1")}}
					if err := out(a); err != nil {
						return 0, err
					}
				}
			}
			if inFlavour(flavourAlpine, u) && !up.pypi {
				a := g.base("ALPINE-"+cve, advisory.SourceOSV, up.name, cve)
				a.Affected = []advisory.Affected{{Package: &advisory.Package{Ecosystem: "Alpine:v3.20", Name: up.name, PURL: "pkg:apk/alpine/" + up.name}, Ranges: osvRange(fv + "-r0")}}
				if err := out(a); err != nil {
					return 0, err
				}
			}
		}
	}
	// Kernel CVEs: stable-branch bounds, most on branches or patch levels
	// the portfolio does not run.
	branches := []struct {
		branch string
		top    int
	}{{"4.14", 330}, {"4.19", 320}, {"5.4", 290}, {"5.10", 230}, {"5.15", 140}, {"6.1", 100}, {"6.6", 50}}
	for range 1500 {
		cve := g.nextCVE()
		var cs []advisory.CPECriteria
		for i, b := range branches {
			if g.rng.IntN(6) != 0 && !(i == len(branches)-1 && len(cs) == 0) {
				continue
			}
			cs = append(cs, advisory.CPECriteria{Criteria: "cpe:2.3:o:linux:linux_kernel:*:*:*:*:*:*:*:*",
				VersionStartIncluding: b.branch, VersionEndExcluding: fmt.Sprintf("%s.%d", b.branch, 1+g.rng.IntN(b.top))})
		}
		if err := out(g.cpeRecord(cve, "the Linux kernel", cs...)); err != nil {
			return 0, err
		}
	}
	portfolioRecords = count

	// Background: OSV package records over many names in many ecosystems,
	// and NVD records over many vendors and products. A few distribution
	// records name portfolio projects for releases the portfolio does not
	// run (Debian 11, Alpine 3.18), as real feeds do.
	ecos := []struct {
		eco  string
		purl string
		w    int
	}{{"Debian:12", "deb/debian", 15}, {"Debian:11", "deb/debian", 15}, {"Ubuntu:22.04:LTS", "deb/ubuntu", 10}, {"Alpine:v3.19", "apk/alpine", 8},
		{"Alpine:v3.18", "apk/alpine", 7}, {"PyPI", "pypi", 15}, {"npm", "npm", 15}, {"Maven", "maven", 5}, {"Go", "golang", 5}, {"crates.io", "cargo", 5}}
	totalW := 0
	for _, e := range ecos {
		totalW += e.w
	}
	for count < n {
		if g.rng.Float64() < vulnOSVShare {
			w := g.rng.IntN(totalW)
			e := ecos[0]
			for _, x := range ecos {
				if w < x.w {
					e = x
					break
				}
				w -= x.w
			}
			ni := g.rng.IntN(vulnPackageNames)
			name := synthName(20_000 + ni)
			if g.rng.IntN(40) == 0 && (e.eco == "Debian:11" || e.eco == "Alpine:v3.18") {
				name = d.upstreams[g.rng.IntN(len(realUpstreams))].name
			}
			purlName := name
			switch e.eco {
			case "Maven":
				group := "org." + synthName(20_000+ni/7)
				name, purlName = group+":"+name, group+"/"+name
			case "Go":
				name = "github.com/" + synthName(20_000+ni/5) + "/" + name
				purlName = name
			}
			cve := g.nextCVE()
			var id string
			switch {
			case strings.HasPrefix(e.eco, "Debian"):
				id = "DEBIAN-" + cve + "-" + e.eco[7:]
			case strings.HasPrefix(e.eco, "Ubuntu"):
				id = "UBUNTU-" + cve
			case strings.HasPrefix(e.eco, "Alpine"):
				id = "ALPINE-" + cve + "-" + e.eco[8:]
			default:
				g.ghsa++
				id = fmt.Sprintf("GHSA-%04x-%04x-%04x", g.ghsa&0xffff, g.ghsa>>16, ni&0xffff)
			}
			a := g.base(id, advisory.SourceOSV, name, cve)
			fix := fmt.Sprintf("%d.%d.%d", g.rng.IntN(5), g.rng.IntN(30), g.rng.IntN(10))
			switch {
			case strings.HasPrefix(e.eco, "Debian"), strings.HasPrefix(e.eco, "Ubuntu"):
				fix += "-1"
			case strings.HasPrefix(e.eco, "Alpine"):
				fix += "-r0"
			}
			a.Affected = []advisory.Affected{{Package: &advisory.Package{Ecosystem: e.eco, Name: name, PURL: "pkg:" + e.purl + "/" + purlName}, Ranges: osvRange(fix)}}
			if err := out(a); err != nil {
				return 0, err
			}
			continue
		}
		pi := g.rng.IntN(vulnCPEPairs)
		vendor, product := synthName(80_000+pi/3), synthName(120_000+pi)
		part := "a"
		switch g.rng.IntN(20) {
		case 0:
			part = "h"
		case 1, 2, 3:
			part = "o"
		}
		var cs []advisory.CPECriteria
		for range 1 + g.rng.IntN(3) {
			lo := g.rng.IntN(8)
			cs = append(cs, advisory.CPECriteria{Criteria: "cpe:2.3:" + part + ":" + vendor + ":" + product + ":*:*:*:*:*:*:*:*",
				VersionStartIncluding: fmt.Sprintf("%d.0", lo), VersionEndExcluding: fmt.Sprintf("%d.%d.%d", lo, 1+g.rng.IntN(20), g.rng.IntN(10))})
		}
		if err := out(g.cpeRecord(g.nextCVE(), product, cs...)); err != nil {
			return 0, err
		}
	}
	return portfolioRecords, nil
}
