package webui

import (
	"net/http/httptest"
	"testing"

	"github.com/lifeline-iot/lifeline/internal/errs"
)

func TestSafeNext(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"empty", "", "/ui/"},
		{"local_page", "/ui/products", "/ui/products"},
		{"local_with_query", "/ui/devices?product=plug&cursor=abc", "/ui/devices?product=plug&cursor=abc"},
		{"protocol_relative", "//evil.example/", "/ui/"},
		{"backslash", `/\evil.example`, "/ui/"},
		{"backslash_later", `/ui/\\evil`, "/ui/"},
		{"absolute_https", "https://evil.example/ui/", "/ui/"},
		{"javascript", "javascript:alert(1)", "/ui/"},
		{"relative", "ui/products", "/ui/"},
		{"tab_trick", "/\t/evil.example", "/ui/"},
		{"newline", "/ui/\nx", "/ui/"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := safeNext(tc.in); got != tc.want {
				t.Errorf("safeNext(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestSessionCSRFToken(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	tok := sessionCSRFToken(key)
	if len(tok) != 43 {
		t.Fatalf("token %q is not 43 base64url characters", tok)
	}
	cases := []struct {
		name string
		key  []byte
		got  string
		want bool
	}{
		{"right", key, tok, true},
		{"empty", key, "", false},
		{"other_key", []byte("another key entirely, 32 bytes!!"), tok, false},
		{"no_key", nil, sessionCSRFToken(nil), false},
		{"truncated", key, tok[:42], false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := validSessionCSRF(tc.key, tc.got); got != tc.want {
				t.Errorf("validSessionCSRF = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestFormFail(t *testing.T) {
	cases := []struct {
		name        string
		err         error
		wantShown   bool
		wantStatus  int
		wantErrors  map[string]string
		wantProblem string
	}{
		{"renamed_field", errs.Invalidf("end", "is required"), true, 400, map[string]string{"end_day": "is required"}, "Please correct the fields marked below."},
		{"stray_field", errs.Invalidf("published", "declare it first"), true, 400, map[string]string{}, "Please correct the following: published: declare it first."},
		{"conflict", errs.E(errs.Conflict, "already exists"), true, 409, map[string]string{}, "Already exists"},
		{"forbidden_is_a_page", errs.E(errs.PermissionDenied, "no"), false, 403, map[string]string{}, ""},
		{"internal_is_a_page", errs.E(errs.Internal, "boom"), false, 500, map[string]string{}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newForm("f", nil, "end_day", "reason")
			status, shown := f.fail(tc.err, map[string]string{"end": "end_day"})
			if status != tc.wantStatus || shown != tc.wantShown || f.Problem != tc.wantProblem || len(f.Errors) != len(tc.wantErrors) {
				t.Fatalf("fail = %d %v, problem %q, errors %v", status, shown, f.Problem, f.Errors)
			}
			for k, v := range tc.wantErrors {
				if f.Errors[k] != v {
					t.Errorf("error for %s = %q, want %q", k, f.Errors[k], v)
				}
			}
		})
	}
}

func TestPager(t *testing.T) {
	cases := []struct{ name, url, next, wantNext, wantFirst string }{
		{"first_page", "/ui/products?q=a&done=x", "c2", "/ui/products?cursor=c2&q=a", ""},
		{"middle_page", "/ui/products?q=a&cursor=c1", "c2", "/ui/products?cursor=c2&q=a", "/ui/products?q=a"},
		{"last_page", "/ui/devices?cursor=c1", "", "", "/ui/devices"},
		{"only_page", "/ui/devices", "", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := newPager(httptest.NewRequest("GET", tc.url, nil), tc.next)
			if p.Next != tc.wantNext || p.First != tc.wantFirst {
				t.Errorf("newPager = %+v, want next %q first %q", p, tc.wantNext, tc.wantFirst)
			}
		})
	}
}

func TestContactURL(t *testing.T) {
	cases := map[string]string{
		"security@acme.example":         "mailto:security@acme.example",
		"https://acme.example/security": "https://acme.example/security",
		"mailto:psirt@acme.example":     "mailto:psirt@acme.example",
		"call +44 20 7946 0000":         "",
		"javascript:alert(1)":           "",
		"a@b@c":                         "",
	}
	for in, want := range cases {
		if got := contactURL(in); got != want {
			t.Errorf("contactURL(%q) = %q, want %q", in, got, want)
		}
	}
}
