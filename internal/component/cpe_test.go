package component

import (
	"strings"
	"testing"

	"github.com/lifeline-iot/lifeline/internal/errs"
)

// wfnAll is the WFN of a name whose attributes after the ones given are ANY.
func wfnAll(attrs ...string) string {
	rest := attrNames[len(attrs):]
	for _, a := range rest {
		attrs = append(attrs, a+"=ANY")
	}
	return "wfn:[" + strings.Join(attrs, ",") + "]"
}

// Valid names and the WFN each unbinds to. The 7695 cases follow the
// examples of the unbinding sections; the rest are real firmware CPEs and
// escaping edge cases.
var parseTests = []struct {
	name, in, wfn string
}{
	// NISTIR 7695 §6.2.3 (unbinding a formatted string).
	{"7695 fs: plain", "cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*",
		wfnAll(`part="a"`, `vendor="microsoft"`, `product="internet_explorer"`, `version="8\.0\.6001"`, `update="beta"`)},
	{"7695 fs: wildcards", "cpe:2.3:a:microsoft:internet_explorer:8.*:sp?:*:*:*:*:*:*",
		wfnAll(`part="a"`, `vendor="microsoft"`, `product="internet_explorer"`, `version="8\.*"`, `update="sp?"`)},
	{"7695 fs: NA and extended attributes", "cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:online:win2003:x64:*",
		wfnAll(`part="a"`, `vendor="hp"`, `product="insight_diagnostics"`, `version="7\.4\.0\.1570"`, `update=NA`, `edition=ANY`, `language=ANY`, `sw_edition="online"`, `target_sw="win2003"`, `target_hw="x64"`)},
	{"7695 fs: target_sw only", "cpe:2.3:a:hp:openview_network_manager:7.51:*:*:*:*:linux:*:*",
		wfnAll(`part="a"`, `vendor="hp"`, `product="openview_network_manager"`, `version="7\.51"`, `update=ANY`, `edition=ANY`, `language=ANY`, `sw_edition=ANY`, `target_sw="linux"`)},
	{"7695 fs: quoted backslash and dollar", `cpe:2.3:a:foo\\bar:big\$money_2010:*:*:*:*:special:ipod_touch:80gb:*`,
		wfnAll(`part="a"`, `vendor="foo\\bar"`, `product="big\$money_2010"`, `version=ANY`, `update=ANY`, `edition=ANY`, `language=ANY`, `sw_edition="special"`, `target_sw="ipod_touch"`, `target_hw="80gb"`)},

	// NISTIR 7695 §6.1.3 (unbinding a URI).
	{"7695 uri: plain, trailing components omitted", "cpe:/a:microsoft:internet_explorer:8.0.6001:beta",
		wfnAll(`part="a"`, `vendor="microsoft"`, `product="internet_explorer"`, `version="8\.0\.6001"`, `update="beta"`)},
	{"7695 uri: encoded literal * and ?", "cpe:/a:microsoft:internet_explorer:8.%2a:sp%3f",
		wfnAll(`part="a"`, `vendor="microsoft"`, `product="internet_explorer"`, `version="8\.\*"`, `update="sp\?"`)},
	{"7695 uri: %02 and %01 wildcards", "cpe:/a:microsoft:internet_explorer:8.%02:sp%01",
		wfnAll(`part="a"`, `vendor="microsoft"`, `product="internet_explorer"`, `version="8\.*"`, `update="sp?"`)},
	{"7695 uri: packed edition", "cpe:/a:hp:insight_diagnostics:7.4.0.1570::~~online~win2003~x64~",
		wfnAll(`part="a"`, `vendor="hp"`, `product="insight_diagnostics"`, `version="7\.4\.0\.1570"`, `update=ANY`, `edition=ANY`, `language=ANY`, `sw_edition="online"`, `target_sw="win2003"`, `target_hw="x64"`)},
	{"7695 uri: NA update, packed target_sw", "cpe:/a:hp:openview_network_manager:7.51:-:~~~linux~~",
		wfnAll(`part="a"`, `vendor="hp"`, `product="openview_network_manager"`, `version="7\.51"`, `update=NA`, `edition=ANY`, `language=ANY`, `sw_edition=ANY`, `target_sw="linux"`)},
	{"7695 uri: raw tilde is a literal outside the edition", "cpe:/a:foo~bar:big%7emoney_2010",
		wfnAll(`part="a"`, `vendor="foo\~bar"`, `product="big\~money_2010"`)},
	{"7695 uri: empty name", "cpe:/", wfnAll()},

	// Real firmware CPEs.
	{"busybox (NVD)", "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*",
		wfnAll(`part="a"`, `vendor="busybox"`, `product="busybox"`, `version="1\.36\.1"`)},
	{"kernel (Syft, Yocto, OpenWrt)", "cpe:2.3:o:linux:linux_kernel:5.15.137:*:*:*:*:*:*:*",
		wfnAll(`part="o"`, `vendor="linux"`, `product="linux_kernel"`, `version="5\.15\.137"`)},
	{"Yocto: vendor * when CVE_PRODUCT has none", "cpe:2.3:a:*:openssl:3.0.13:*:*:*:*:*:*:*",
		wfnAll(`part="a"`, `vendor=ANY`, `product="openssl"`, `version="3\.0\.13"`)},
	{"Yocto: part * too", "cpe:2.3:*:*:busybox:1.36.1:*:*:*:*:*:*:*",
		wfnAll(`part=ANY`, `vendor=ANY`, `product="busybox"`, `version="1\.36\.1"`)},
	{"Buildroot: <pkg>_project vendor", "cpe:2.3:a:dnsmasq_project:dnsmasq:2.89:*:*:*:*:*:*:*",
		wfnAll(`part="a"`, `vendor="dnsmasq_project"`, `product="dnsmasq"`, `version="2\.89"`)},
	{"NVD: version -", "cpe:2.3:a:haxx:curl:-:*:*:*:*:*:*:*",
		wfnAll(`part="a"`, `vendor="haxx"`, `product="curl"`, `version=NA`)},
	{"OpenWrt PKG_CPE_ID (URI binding)", "cpe:/o:linux:linux_kernel:5.15.137",
		wfnAll(`part="o"`, `vendor="linux"`, `product="linux_kernel"`, `version="5\.15\.137"`)},
	{"NVD: language tag", "cpe:2.3:a:mozilla:firefox:115.0:*:*:en-us:*:*:*:*",
		wfnAll(`part="a"`, `vendor="mozilla"`, `product="firefox"`, `version="115\.0"`, `update=ANY`, `edition=ANY`, `language="en\-us"`)},

	// Escaping edge cases (7695 §5.3.2 and §6.2.2.2).
	{"quoted colon does not split", `cpe:2.3:a:vendor:prod\:uct:1.0:*:*:*:*:*:*:*`,
		wfnAll(`part="a"`, `vendor="vendor"`, `product="prod\:uct"`, `version="1\.0"`)},
	{"quoted + (Yocto after its escaping fix)", `cpe:2.3:*:*:sdbus-c\+\+:2.2.1:*:*:*:*:*:*:*`,
		wfnAll(`part=ANY`, `vendor=ANY`, `product="sdbus\-c\+\+"`, `version="2\.2\.1"`)},
	{"unquoted + accepted (Yocto before the fix)", `cpe:2.3:*:*:sdbus-c++:2.2.1:*:*:*:*:*:*:*`,
		wfnAll(`part=ANY`, `vendor=ANY`, `product="sdbus\-c\+\+"`, `version="2\.2\.1"`)},
	{"quoted * and ? are literals", `cpe:2.3:a:v:p:1.0\*:\?beta:*:*:*:*:*:*`,
		wfnAll(`part="a"`, `vendor="v"`, `product="p"`, `version="1\.0\*"`, `update="\?beta"`)},
	{"quoted * alone is a literal, not ANY", `cpe:2.3:a:v:p:\*:*:*:*:*:*:*:*`,
		wfnAll(`part="a"`, `vendor="v"`, `product="p"`, `version="\*"`)},
	{"quoted hyphen inside a value", `cpe:2.3:a:v:p:1\-2:*:*:*:*:*:*:*`,
		wfnAll(`part="a"`, `vendor="v"`, `product="p"`, `version="1\-2"`)},
	{"leading * and trailing ??", `cpe:2.3:a:v:*soft:1.??:*:*:*:*:*:*:*`,
		wfnAll(`part="a"`, `vendor="v"`, `product="*soft"`, `version="1\.??"`)},
	{"? alone is a value", `cpe:2.3:a:v:p:?:*:*:*:*:*:*:*`,
		wfnAll(`part="a"`, `vendor="v"`, `product="p"`, `version="?"`)},
	{"uppercase is lowercased", `CPE:2.3:A:Microsoft:Internet_Explorer:8.0:SP1:*:*:*:*:*:*`,
		wfnAll(`part="a"`, `vendor="microsoft"`, `product="internet_explorer"`, `version="8\.0"`, `update="sp1"`)},
	{"quoted backslash before separator", `cpe:2.3:a:v:p\\:1:*:*:*:*:*:*:*`,
		wfnAll(`part="a"`, `vendor="v"`, `product="p\\"`, `version="1"`)},
	{"URI: uppercase percent-encoding", "cpe:/a:foo%5Cbar:p%7E",
		wfnAll(`part="a"`, `vendor="foo\\bar"`, `product="p\~"`)},
	{"surrounding white space", "  cpe:2.3:a:v:p:1:*:*:*:*:*:*:*\n",
		wfnAll(`part="a"`, `vendor="v"`, `product="p"`, `version="1"`)},
}

func TestParseCPE(t *testing.T) {
	for _, tt := range parseTests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseCPE(tt.in)
			if err != nil {
				t.Fatalf("ParseCPE(%q): %v", tt.in, err)
			}
			if got := c.WFN(); got != tt.wfn {
				t.Errorf("ParseCPE(%q).WFN()\n got %s\nwant %s", tt.in, got, tt.wfn)
			}
		})
	}
}

// TestCPERoundTrip: parse → String → parse and parse → URI → parse give
// the same WFN, and String is a fixed point.
func TestCPERoundTrip(t *testing.T) {
	for _, tt := range parseTests {
		c := MustParseCPE(tt.in)
		fs := c.String()
		c2, err := ParseCPE(fs)
		if err != nil || c2 != c {
			t.Errorf("%s: String() = %q parses to %v, %v; want %s", tt.name, fs, c2.WFN(), err, c.WFN())
		}
		if c2.String() != fs {
			t.Errorf("%s: String() not stable: %q then %q", tt.name, fs, c2.String())
		}
		uri := c.URI()
		c3, err := ParseCPE(uri)
		if err != nil || c3 != c {
			t.Errorf("%s: URI() = %q parses to %v, %v; want %s", tt.name, uri, c3.WFN(), err, c.WFN())
		}
	}
}

// TestCPEBindings converts between the bindings: the formatted strings and
// URIs of NISTIR 7695 §6.1.2 and §6.2.2 (binding a WFN) for the same WFNs,
// and the conversions of §7 (URI to formatted string and back).
func TestCPEBindings(t *testing.T) {
	tests := []struct{ fs, uri string }{
		{"cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*", "cpe:/a:microsoft:internet_explorer:8.0.6001:beta"},
		{"cpe:2.3:a:microsoft:internet_explorer:8.*:sp?:*:*:*:*:*:*", "cpe:/a:microsoft:internet_explorer:8.%02:sp%01"},
		{`cpe:2.3:a:microsoft:internet_explorer:8.\*:sp\?:*:*:*:*:*:*`, "cpe:/a:microsoft:internet_explorer:8.%2a:sp%3f"},
		{"cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:online:win2003:x64:*", "cpe:/a:hp:insight_diagnostics:7.4.0.1570:-:~~online~win2003~x64~"},
		{"cpe:2.3:a:hp:openview_network_manager:7.51:*:*:*:*:linux:*:*", "cpe:/a:hp:openview_network_manager:7.51::~~~linux~~"},
		{`cpe:2.3:a:foo\\bar:big\$money_2010:*:*:*:*:special:ipod_touch:80gb:*`, "cpe:/a:foo%5cbar:big%24money_2010:::~~special~ipod_touch~80gb~"},
		{`cpe:2.3:a:foo\~bar:big\~money_2010:*:*:*:*:*:*:*:*`, "cpe:/a:foo%7ebar:big%7emoney_2010"},
		{"cpe:2.3:o:linux:linux_kernel:5.15.137:*:*:*:*:*:*:*", "cpe:/o:linux:linux_kernel:5.15.137"},
		{"cpe:2.3:a:haxx:curl:-:*:*:*:*:*:*:*", "cpe:/a:haxx:curl:-"},
		{"cpe:2.3:a:*:openssl:3.0.13:*:*:*:*:*:*:*", "cpe:/a::openssl:3.0.13"},
		{"cpe:2.3:a:mozilla:firefox:115.0:*:*:en-us:*:*:*:*", "cpe:/a:mozilla:firefox:115.0:::en-us"},
		{"cpe:2.3:a:v:p:1:*:-:*:*:*:*:*", "cpe:/a:v:p:1::-"},
		{"cpe:2.3:a:v:p:1:*:*:*:*:*:*:-", "cpe:/a:v:p:1::~~~~~-"},
		{"cpe:2.3:*:*:*:*:*:*:*:*:*:*:*", "cpe:/"},
	}
	for _, tt := range tests {
		fromFS, err := ParseCPE(tt.fs)
		if err != nil {
			t.Fatalf("ParseCPE(%q): %v", tt.fs, err)
		}
		fromURI, err := ParseCPE(tt.uri)
		if err != nil {
			t.Fatalf("ParseCPE(%q): %v", tt.uri, err)
		}
		if fromFS != fromURI {
			t.Errorf("%q and %q differ:\n%s\n%s", tt.fs, tt.uri, fromFS.WFN(), fromURI.WFN())
		}
		if got := fromFS.URI(); got != tt.uri {
			t.Errorf("ParseCPE(%q).URI() = %q, want %q", tt.fs, got, tt.uri)
		}
		if got := fromURI.String(); got != tt.fs {
			t.Errorf("ParseCPE(%q).String() = %q, want %q", tt.uri, got, tt.fs)
		}
	}
}

func TestParseCPEErrors(t *testing.T) {
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"no scheme", "a:busybox:busybox:1.36.1"},
		{"CPE 2.2 style without slash", "cpe:a:busybox:busybox"},
		{"fs: too few components", "cpe:2.3:a:busybox:busybox:1.36.1"},
		{"fs: too many components", "cpe:2.3:a:v:p:1:*:*:*:*:*:*:*:*"},
		{"fs: empty component", "cpe:2.3:a:v::1:*:*:*:*:*:*:*"},
		{"fs: lone trailing backslash", `cpe:2.3:a:v:p:1:*:*:*:*:*:*:\`},
		{"7695 §5.3.2: embedded *", "cpe:2.3:a:foo:bar:12.*.1:*:*:*:*:*:*:*"},
		{"7695 §5.3.2: embedded ?", "cpe:2.3:a:foo:bar:1?2:*:*:*:*:*:*:*"},
		{"7695 §5.3.2: * then ? at the start", "cpe:2.3:a:foo:bar:*?1:*:*:*:*:*:*:*"},
		{"7695 §5.3.2: ? then * at the end", "cpe:2.3:a:foo:bar:1?*:*:*:*:*:*:*:*"},
		{"7695 §5.3.2: lone quoted hyphen", `cpe:2.3:a:foo:bar:\-:*:*:*:*:*:*:*`},
		{"fs: space in value", "cpe:2.3:a:foo:bar baz:1:*:*:*:*:*:*:*"},
		{"fs: non-ASCII", "cpe:2.3:a:foo:bär:1:*:*:*:*:*:*:*"},
		{"fs: bad part", "cpe:2.3:x:foo:bar:1:*:*:*:*:*:*:*"},
		{"fs: wildcard part", "cpe:2.3:a*:foo:bar:1:*:*:*:*:*:*:*"},
		{"7695 §6.1.3: %07 is not a CPE character", "cpe:/a:foo%5cbar:big%24money_2010%07:::~~special~ipod_touch~80gb~"},
		{"7695 §6.1.3: embedded %02", "cpe:/a:foo:bar:12.%02.1234"},
		{"uri: malformed percent", "cpe:/a:foo:bar%2"},
		{"uri: non-hex percent", "cpe:/a:foo:bar%zz"},
		{"uri: raw *", "cpe:/a:foo:bar:1.*"},
		{"uri: too many components", "cpe:/a:v:p:1:u:e:en:x"},
		{"uri: packed edition with 4 fields", "cpe:/a:v:p:1::~a~b~c~d"},
		{"uri: packed edition with 6 fields", "cpe:/a:v:p:1::~a~b~c~d~e~f"},
		{"uri: bad part", "cpe:/q:v:p"},
		{"uri: %2d is a lone hyphen value", "cpe:/a:v:%2d"},
		{"too long", "cpe:2.3:a:v:" + strings.Repeat("p", maxCPELen) + ":1:*:*:*:*:*:*:*"},
		{"values too long", "cpe:2.3:a:v:" + strings.Repeat("p", maxCPEChars) + ":1:*:*:*:*:*:*:*"},
	}
	for _, tt := range tests {
		c, err := ParseCPE(tt.in)
		if err == nil {
			t.Errorf("%s: ParseCPE(%q) = %s, want an error", tt.name, tt.in, c.WFN())
			continue
		}
		if !errs.Is(err, errs.Invalid) || errs.Public(err).PublicCode() != "invalid_cpe" {
			t.Errorf("%s: ParseCPE(%q) error %v is not invalid_cpe", tt.name, tt.in, err)
		}
	}
}

func TestValueAccessors(t *testing.T) {
	c := MustParseCPE(`cpe:2.3:a:*:openssl:3.0.*:-:*:*:*:*:*:*`)
	if c.Part() != "a" || !c.Vendor().IsAny() || c.Product().Literal() != "openssl" || c.Product().HasWildcards() {
		t.Errorf("part/vendor/product: %s", c.WFN())
	}
	if v := c.Version(); v.Literal() != "3.0." || !v.HasWildcards() || v.String() != "3.0.*" {
		t.Errorf("version = %q literal %q", v.String(), v.Literal())
	}
	if u := c.Get(AttrUpdate); !u.IsNA() || u.String() != "-" || u.Literal() != "" {
		t.Errorf("update = %q", u.String())
	}
	if v := c.Get(Attribute(99)); !v.IsAny() {
		t.Errorf("Get(99) = %q, want ANY", v.String())
	}
	if AttrTargetHW.String() != "target_hw" || Attribute(99).String() != "unknown" {
		t.Errorf("Attribute.String: %q %q", AttrTargetHW, Attribute(99))
	}
	var zero CPE
	if zero.String() != "cpe:2.3:*:*:*:*:*:*:*:*:*:*:*" || zero.URI() != "cpe:/" {
		t.Errorf("zero CPE = %q, %q", zero.String(), zero.URI())
	}
}

func TestMustParseCPEPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustParseCPE(bad) did not panic")
		}
	}()
	MustParseCPE("nope")
}

// TestCPELongestRoundTrips: the longest accepted name, with every character
// quoted, still renders to strings ParseCPE accepts (found by FuzzParseCPE:
// quoting doubled a long name past the input limit).
func TestCPELongestRoundTrips(t *testing.T) {
	in := "cpe:/a:" + strings.Repeat("%7b", maxCPEChars-1)
	c, err := ParseCPE(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{c.String(), c.URI()} {
		if c2, err := ParseCPE(s); err != nil || c2 != c {
			t.Errorf("rendering of %d bytes does not parse back: %v", len(s), err)
		}
	}
}
