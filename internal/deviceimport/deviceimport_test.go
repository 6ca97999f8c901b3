package deviceimport_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/lifeline-iot/lifeline/internal/deviceimport"
	"github.com/lifeline-iot/lifeline/internal/errs"
)

func TestParse(t *testing.T) {
	cases := []struct {
		name     string
		format   deviceimport.Format
		in       string
		rows     int
		problems []string // "row:field" of each expected problem
		fatal    string   // substring of the whole-file error
	}{
		{"csv_minimal", deviceimport.CSV, "serial\nA1\nA2\n", 2, nil, ""},
		{"csv_all_columns_any_order", deviceimport.CSV, "last_seen,serial,installed_version,hardware_revision,first_seen\n2026-01-02,A1,1.0,rev-A,2025-12-01T10:00:00Z\n", 1, nil, ""},
		{"csv_bom_and_crlf", deviceimport.CSV, "\ufeffserial,installed_version\r\nA1,1.0\r\n", 1, nil, ""},
		{"csv_header_case_and_spaces", deviceimport.CSV, " Serial , Installed_Version \nA1,1.0\n", 1, nil, ""},
		{"csv_quoted_fields", deviceimport.CSV, "serial,installed_version\n\"A1\",\"1.0-rc,2\"\n", 1, nil, ""},
		{"csv_bad_rows_reported", deviceimport.CSV, "serial,first_seen,last_seen\nA 1,,\nA2,yesterday,\nA3,2026-02-01,2026-01-01\n,,\nA5,,,extra\n", 0,
			[]string{"1:serial", "2:first_seen", "3:last_seen", "4:serial", "5:"}, ""},
		{"csv_invalid_utf8", deviceimport.CSV, "serial\nA\xff1\n", 0, []string{"1:serial"}, ""},
		{"csv_empty", deviceimport.CSV, "", 0, nil, "empty"},
		{"csv_unknown_column", deviceimport.CSV, "serial,colour\nA1,red\n", 0, nil, `unknown CSV column "colour"`},
		{"csv_no_serial_column", deviceimport.CSV, "installed_version\n1.0\n", 0, nil, "no serial column"},
		{"csv_duplicate_column", deviceimport.CSV, "serial,serial\nA,B\n", 0, nil, "twice"},
		{"csv_bare_quote", deviceimport.CSV, "serial\nA\"1\n", 0, nil, "not valid CSV"},
		{"json_array", deviceimport.JSON, `[{"serial":"A1","installed_version":"1.0"},{"serial":"A2"}]`, 2, nil, ""},
		{"json_wrapped", deviceimport.JSON, `{"devices":[{"serial":"A1"}]}`, 1, nil, ""},
		{"json_empty_array", deviceimport.JSON, `[]`, 0, nil, ""},
		{"json_bad_rows", deviceimport.JSON, `[{"serial":""},{"serial":5},{"serial":"B","colour":"red"},{"serial":"C","last_seen":"soon"}]`, 0,
			[]string{"1:serial", "2:serial", "3:", "4:last_seen"}, ""},
		{"json_truncated", deviceimport.JSON, `[{"serial":"A1"}`, 0, nil, "not valid JSON"},
		{"json_not_array", deviceimport.JSON, `{"serial":"A1"}`, 0, nil, "array of devices"},
		{"json_trailing_data", deviceimport.JSON, `[] []`, 0, nil, "after the JSON"},
		{"json_extra_key", deviceimport.JSON, `{"devices":[],"more":1}`, 0, nil, `only the "devices" array`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rows, ps, err := deviceimport.Parse(strings.NewReader(tc.in), tc.format, 0)
			if tc.fatal != "" {
				if err == nil || !strings.Contains(err.Error(), tc.fatal) || errs.KindOf(err) != errs.Invalid {
					t.Fatalf("err = %v, want an Invalid error containing %q", err, tc.fatal)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != tc.rows {
				t.Errorf("%d rows, want %d", len(rows), tc.rows)
			}
			var got []string
			for _, p := range ps.List {
				got = append(got, strconv.Itoa(p.Row)+":"+p.Field)
			}
			if strings.Join(got, " ") != strings.Join(tc.problems, " ") || ps.Count != len(tc.problems) {
				t.Errorf("problems %v (%d), want %v: %+v", got, ps.Count, tc.problems, ps.List)
			}
		})
	}
}

func TestParseLimits(t *testing.T) {
	in := "serial\n" + strings.Repeat("A\n", 11)
	_, _, err := deviceimport.Parse(strings.NewReader(in), deviceimport.CSV, 10)
	if errs.KindOf(err) != errs.TooLarge {
		t.Fatalf("11 rows with a limit of 10: %v, want TooLarge", err)
	}
	_, _, err = deviceimport.Parse(strings.NewReader(`[`+strings.Repeat(`{"serial":"A"},`, 10)+`{"serial":"A"}]`), deviceimport.JSON, 10)
	if errs.KindOf(err) != errs.TooLarge {
		t.Fatalf("JSON over the limit: %v", err)
	}
	var ps deviceimport.Problems
	for i := 0; i < deviceimport.MaxProblemsListed+50; i++ {
		ps.Add(i+1, "serial", "bad")
	}
	if len(ps.List) != deviceimport.MaxProblemsListed || ps.Count != deviceimport.MaxProblemsListed+50 {
		t.Fatalf("problems listed %d counted %d", len(ps.List), ps.Count)
	}
}

func TestDetectFormat(t *testing.T) {
	cases := []struct {
		ct, name string
		want     deviceimport.Format
		ok       bool
	}{
		{"text/csv; charset=utf-8", "", deviceimport.CSV, true},
		{"application/json", "", deviceimport.JSON, true},
		{"application/octet-stream", "fleet.CSV", deviceimport.CSV, true},
		{"", "fleet.json", deviceimport.JSON, true},
		{"text/plain", "fleet.txt", "", false},
	}
	for _, tc := range cases {
		if got, ok := deviceimport.DetectFormat(tc.ct, tc.name); got != tc.want || ok != tc.ok {
			t.Errorf("DetectFormat(%q, %q) = %q %v", tc.ct, tc.name, got, ok)
		}
	}
}

// FuzzParseCSV and FuzzParseJSON check that no input makes the parser panic,
// that every returned row is a valid device, and that problems carry rows.
func FuzzParseCSV(f *testing.F) {
	f.Add("serial,hardware_revision,installed_version,first_seen,last_seen\nA1,rev,1.0,2026-01-01,2026-01-02T00:00:00Z\n")
	f.Add("serial\n\"A\"\"1\"\n")
	f.Add("\ufeffserial\r\nx\r\n")
	f.Fuzz(func(t *testing.T, in string) { checkParse(t, in, deviceimport.CSV) })
}

func FuzzParseJSON(f *testing.F) {
	f.Add(`[{"serial":"A1","installed_version":"1.0","last_seen":"2026-01-02"}]`)
	f.Add(`{"devices":[{"serial":"A"}]}`)
	f.Add(`[[[[[[[[[[`)
	f.Fuzz(func(t *testing.T, in string) { checkParse(t, in, deviceimport.JSON) })
}

func checkParse(t *testing.T, in string, format deviceimport.Format) {
	rows, ps, err := deviceimport.Parse(strings.NewReader(in), format, 1000)
	if err != nil {
		if k := errs.KindOf(err); k != errs.Invalid && k != errs.TooLarge {
			t.Fatalf("error of kind %v: %v", k, err)
		}
		return
	}
	for _, r := range rows {
		d := r.Device
		if err := d.Validate(); err != nil || r.Row < 1 {
			t.Fatalf("row %d is not a valid device: %+v %v", r.Row, d, err)
		}
	}
	if ps.Count < len(ps.List) {
		t.Fatalf("count %d < listed %d", ps.Count, len(ps.List))
	}
}
