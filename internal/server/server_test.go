package server

import (
	"net/http/httptest"
	"testing"
)

func TestWantsJSON(t *testing.T) {
	cases := map[string]bool{
		"":                 false,
		"application/json": true,
		"text/html":        false,
		"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8": false,
		"application/json, text/html;q=0.5":                               true,
		"text/html, application/json;q=0.5":                               false,
		"application/json;q=0":                                            false,
		"APPLICATION/JSON":                                                true,
		"*/*":                                                             false,
	}
	for accept, want := range cases {
		r := httptest.NewRequest("GET", "/public/products", nil)
		r.Header.Set("Accept", accept)
		if got := wantsJSON(r); got != want {
			t.Errorf("wantsJSON(%q) = %v, want %v", accept, got, want)
		}
	}
	if !wantsJSON(httptest.NewRequest("GET", "/public/products?format=json", nil)) {
		t.Error("?format=json is not JSON")
	}
}

func FuzzWantsJSON(f *testing.F) {
	f.Add("application/json;q=0.5, text/html;q=0.4")
	f.Add(";;;q=,")
	f.Fuzz(func(t *testing.T, accept string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept", accept)
		wantsJSON(r)
	})
}
