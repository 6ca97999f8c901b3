package supportperiod_test

import (
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/supportperiod"
)

func TestParseEndDate(t *testing.T) {
	cases := []struct {
		in, want, human, lastDay string
		ok                       bool
	}{
		{"2030-06", "2030-06", "June 2030", "2030-06-30", true},
		{"2030-02", "2030-02", "February 2030", "2030-02-28", true},
		{"2028-02", "2028-02", "February 2028", "2028-02-29", true},
		{"2030-06-15", "2030-06-15", "15 June 2030", "2030-06-15", true},
		{"2030-12", "2030-12", "December 2030", "2030-12-31", true},
		{"2030-13", "", "", "", false},
		{"2030-02-30", "", "", "", false},
		{"2030-6", "", "", "", false},
		{"June 2030", "", "", "", false},
		{"1969-12", "", "", "", false},
		{"2201-01", "", "", "", false},
		{"", "", "", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			d, err := supportperiod.ParseEndDate(tc.in)
			if !tc.ok {
				if err == nil || errs.KindOf(err) != errs.Invalid {
					t.Fatalf("ParseEndDate(%q) = %v, %v; want an Invalid error", tc.in, d, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.String() != tc.want || d.Human() != tc.human || d.LastDay().Format("2006-01-02") != tc.lastDay {
				t.Fatalf("got %s / %s / %s", d, d.Human(), d.LastDay().Format("2006-01-02"))
			}
		})
	}
}

func TestStatusAt(t *testing.T) {
	end := supportperiod.MustParseEndDate("2030-06")
	cases := []struct {
		now  string
		want supportperiod.Status
	}{
		{"2029-06-29T23:59:59Z", supportperiod.Supported},
		{"2029-07-01T00:00:00Z", supportperiod.EndingSoon},
		{"2030-06-30T23:59:59Z", supportperiod.EndingSoon},
		{"2030-07-01T00:00:00Z", supportperiod.Ended},
		{"2035-01-01T00:00:00Z", supportperiod.Ended},
	}
	for _, tc := range cases {
		now, _ := time.Parse(time.RFC3339, tc.now)
		if got := supportperiod.StatusAt(&end, now); got != tc.want {
			t.Errorf("StatusAt(2030-06, %s) = %s, want %s", tc.now, got, tc.want)
		}
	}
	if got := supportperiod.StatusAt(nil, time.Now()); got != supportperiod.NotDeclared {
		t.Errorf("StatusAt(nil) = %s", got)
	}
	for _, s := range []supportperiod.Status{supportperiod.Supported, supportperiod.EndingSoon, supportperiod.Ended, supportperiod.NotDeclared} {
		if s.Label() == "" || supportperiod.Explain(s, &end) == "" {
			t.Errorf("status %s has no words", s)
		}
	}
}

func TestPlan(t *testing.T) {
	d := supportperiod.MustParseEndDate
	ptr := func(s string) *supportperiod.EndDate { v := d(s); return &v }
	cases := []struct {
		name      string
		current   *supportperiod.EndDate
		published bool
		req       supportperiod.Request
		want      supportperiod.ChangeKind
		wantErr   errs.Kind
		wantCode  string
	}{
		{"first_declaration", nil, false, supportperiod.Request{End: d("2030-06")}, supportperiod.Declared, 0, ""},
		{"first_declaration_published", nil, true, supportperiod.Request{End: d("2030-06")}, supportperiod.Declared, 0, ""},
		{"extension", ptr("2030-06"), true, supportperiod.Request{End: d("2031-01")}, supportperiod.Extended, 0, ""},
		{"month_to_its_last_day_is_not_shorter", ptr("2030-06"), true, supportperiod.Request{End: d("2030-06-30")}, supportperiod.Extended, 0, ""},
		{"month_to_an_earlier_day_is_shorter", ptr("2030-06"), true, supportperiod.Request{End: d("2030-06-15")}, "", errs.Conflict, "support_period_shortening_refused"},
		{"shortening_refused", ptr("2030-06"), true, supportperiod.Request{End: d("2029-01")}, "", errs.Conflict, "support_period_shortening_refused"},
		{"forced_without_reason", ptr("2030-06"), true, supportperiod.Request{End: d("2029-01"), Force: true, Reason: "  "}, "", errs.Invalid, "validation_failed"},
		{"forced_shortening", ptr("2030-06"), true, supportperiod.Request{End: d("2029-01"), Force: true, Reason: "chip EOL"}, supportperiod.Shortened, 0, ""},
		{"unchanged", ptr("2030-06"), true, supportperiod.Request{End: d("2030-06")}, "", errs.Conflict, "support_period_unchanged"},
		{"correction_before_publication", ptr("2030-06"), false, supportperiod.Request{End: d("2029-01")}, supportperiod.Corrected, 0, ""},
		{"no_end", nil, false, supportperiod.Request{}, "", errs.Invalid, "validation_failed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := supportperiod.Plan(tc.current, tc.published, tc.req)
			if tc.wantErr != 0 || tc.wantCode != "" {
				pub := errs.Public(err)
				if err == nil || pub.Kind != tc.wantErr || pub.PublicCode() != tc.wantCode {
					t.Fatalf("Plan = %+v, %v; want %v %s", c, err, tc.wantErr, tc.wantCode)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Kind != tc.want || c.End != tc.req.End || c.Published != tc.published {
				t.Fatalf("Plan = %+v, want kind %s", c, tc.want)
			}
			if (tc.current == nil) != (c.PreviousEnd == nil) {
				t.Fatalf("PreviousEnd = %v", c.PreviousEnd)
			}
			if c.Forced != (c.Kind == supportperiod.Shortened) {
				t.Fatalf("Forced = %v for %s", c.Forced, c.Kind)
			}
		})
	}
}

func FuzzParseEndDate(f *testing.F) {
	for _, s := range []string{"2030-06", "2030-06-30", "2030-13", "0000-00", "2030-02-29", "9999-12-31"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := supportperiod.ParseEndDate(s)
		if err != nil {
			return
		}
		// Whatever parses round-trips and covers a real last day.
		back, err := supportperiod.ParseEndDate(d.String())
		if err != nil || back != d {
			t.Fatalf("%q parsed to %v, which does not round-trip: %v %v", s, d, back, err)
		}
		if d.LastDay().Year() != d.Year || d.Human() == "" {
			t.Fatalf("%q: bad last day %v", s, d.LastDay())
		}
	})
}
