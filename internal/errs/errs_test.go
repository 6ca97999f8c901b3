package errs_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/lifeline-iot/lifeline/internal/errs"
)

func TestPublicHidesInternalDetail(t *testing.T) {
	internal := fmt.Errorf("query failed: %w", errors.New("password=hunter2 connection refused"))
	pub := errs.Public(internal)
	if pub.Kind != errs.Internal || pub.Message != "internal error" || pub.Err != nil {
		t.Fatalf("Public(internal) = %+v", pub)
	}
	wrapped := fmt.Errorf("context: %w", errs.Wrap(errs.NotFound, internal, "product %q not found", "cam").WithCode("product_not_found"))
	pub = errs.Public(wrapped)
	if pub.Kind != errs.NotFound || pub.PublicCode() != "product_not_found" || pub.Message != `product "cam" not found` {
		t.Fatalf("Public(wrapped) = %+v", pub)
	}
	if !errs.Is(wrapped, errs.NotFound) || errs.KindOf(wrapped) != errs.NotFound || !errors.Is(wrapped, internal) {
		t.Fatal("kind or cause lost through wrapping")
	}
}

func TestFields(t *testing.T) {
	var f errs.Fields
	if f.Err() != nil {
		t.Fatal("no fields, yet an error")
	}
	f.Check(false, "name", "is required")
	f.Check(true, "slug", "never")
	f.Add("email", "must be %s", "an email address")
	e := errs.Public(f.Err())
	if e.Kind != errs.Invalid || e.PublicCode() != "validation_failed" || len(e.Fields) != 2 || e.Fields[1].Message != "must be an email address" {
		t.Fatalf("%+v", e)
	}
	if one := errs.Public(errs.Invalidf("end", "is wrong")); one.Message != "invalid end: is wrong" {
		t.Fatalf("single-field message %q", one.Message)
	}
}
