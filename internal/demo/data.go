package demo

import (
	"fmt"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
)

type orgSeed struct {
	slug, name, website, contact string
	kind                         access.OrgKind
	users                        []userSeed
	products                     []productSeed
}

type userSeed struct {
	email, name string
	role        access.Role
}

type productSeed struct {
	name, model, category, description string
	revisions                          []string
	releases                           []releaseSeed // newest first
	// fleet, when set, is the hardware revision of simulated devices that
	// take part in a rollout of the newest release.
	fleet        string
	support      []string // end dates, in the order they were declared
	reasons      []string
	forced       bool // the last change is a forced shortening
	publish      bool
	devices      int
	serialPrefix string
	// style, sbomOffset and kernel shape the SBOM attached to each
	// release (see sboms.go): the build system's conventions, how many
	// generations of components the firmware lags behind, and the kernel
	// of the newest release when it differs from the generation's.
	style      string
	sbomOffset int
	kernel     string
}

type releaseSeed struct {
	version string
	at      time.Time
	notes   string
}

// month returns "YYYY-MM" for the month n months after now.
func month(now time.Time, n int) string {
	t := time.Date(now.Year(), now.Month()+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	return fmt.Sprintf("%04d-%02d", t.Year(), int(t.Month()))
}

func releases(now time.Time, versions ...string) []releaseSeed {
	out := make([]releaseSeed, len(versions))
	for i, v := range versions {
		at := now.AddDate(0, -4*i-1, -3*i)
		out[i] = releaseSeed{version: v, at: time.Date(at.Year(), at.Month(), at.Day(), 10, 0, 0, 0, time.UTC), notes: "Security and stability fixes."}
	}
	out[0].notes = "Fixes a DNS resolver buffer overflow and updates the TLS library."
	return out
}

// organisations is the demo: statuses are relative to now so the demo keeps
// every state whenever it is started.
func organisations(now time.Time) []orgSeed {
	return []orgSeed{
		{
			slug: "brightwave", name: "Brightwave Home", kind: access.Manufacturer,
			website: "https://brightwave.example", contact: "https://brightwave.example/security (security@brightwave.example)",
			users: []userSeed{
				{"owner@brightwave.example", "Priya Shah", access.Owner},
				{"engineer@brightwave.example", "Tom Okafor", access.Maintainer},
				{"support@brightwave.example", "Lena Fischer", access.Viewer},
			},
			products: []productSeed{
				{name: "Brightwave Smart Plug Mini", model: "BW-SP200", category: "Smart plug", description: "Wi-Fi smart plug with energy monitoring.",
					revisions: []string{"rev-A", "rev-B"}, releases: releases(now, "2.4.1", "2.4.0", "2.3.2", "2.2.0"),
					support: []string{month(now, 60)}, reasons: []string{"Initial declaration at launch."}, publish: true, devices: 120, serialPrefix: "BWSP", style: styleBuildroot},
				{name: "Brightwave Colour Bulb E27", model: "BW-CB110", category: "Smart lighting", description: "Colour LED bulb with Zigbee and Wi-Fi.",
					revisions: []string{"v1"}, releases: releases(now, "1.9.0", "1.8.3", "1.8.0"),
					support: []string{month(now, 14), month(now, 38)}, reasons: []string{"Initial declaration.", "Extended after moving to a supported chipset SDK."}, publish: true, devices: 90, serialPrefix: "BWCB", style: styleYocto, kernel: "6.1.80"},
				{name: "Brightwave Home Hub", model: "BW-HUB1", category: "Home hub", description: "Zigbee and Thread hub.",
					revisions: []string{"rev-1", "rev-2"}, releases: releases(now, "3.1.0", "3.0.4", "3.0.0"),
					support: []string{month(now, 7)}, reasons: []string{"Initial declaration."}, publish: true, devices: 60, serialPrefix: "BWHB", fleet: "rev-1", style: styleOpenWrt, sbomOffset: 1},
				{name: "Brightwave Indoor Camera", model: "BW-IC300", category: "Camera", description: "1080p indoor camera. Discontinued.",
					revisions: []string{"rev-A"}, releases: releases(now, "1.2.7", "1.2.5"),
					support: []string{month(now, -8)}, reasons: []string{"Support period as sold."}, publish: true, devices: 40, serialPrefix: "BWIC", style: styleBuildroot, sbomOffset: 2},
			},
		},
		{
			slug: "northgate", name: "Northgate Security", kind: access.Manufacturer,
			website: "https://northgate.example", contact: "security@northgate.example",
			users: []userSeed{
				{"owner@northgate.example", "Sam Adeyemi", access.Owner},
				{"firmware@northgate.example", "Mei Lin", access.Maintainer},
			},
			products: []productSeed{
				{name: "Northgate Video Doorbell 2", model: "NG-VD2", category: "Doorbell", description: "Battery video doorbell with two-way audio.",
					revisions: []string{"EU", "UK"}, releases: releases(now, "5.0.2", "5.0.0", "4.8.1"),
					support: []string{month(now, 48) + "-15"}, reasons: []string{"Initial declaration."}, publish: true, devices: 110, serialPrefix: "NGVD", style: styleYocto, kernel: "6.1.80"},
				{name: "Northgate Smart Lock", model: "NG-SL1", category: "Door lock", description: "Bluetooth and Wi-Fi smart lock.",
					revisions: []string{"rev-C"}, releases: releases(now, "2.2.0", "2.1.9"),
					support: []string{month(now, 20), month(now, 9)}, reasons: []string{"Initial declaration.", "The lock's radio module reaches end of life earlier than its vendor promised; we can no longer build secure firmware for it."},
					forced: true, publish: true, devices: 45, serialPrefix: "NGSL", style: styleOpenWrt, sbomOffset: 1},
				{name: "Northgate Outdoor Camera Pro", model: "NG-OC4", category: "Camera", description: "4K outdoor camera with local storage.",
					revisions: []string{"rev-A", "rev-B"}, releases: releases(now, "1.0.3", "1.0.0"),
					support: []string{month(now, 72)}, reasons: []string{"Initial declaration."}, publish: true, devices: 35, serialPrefix: "NGOC", style: styleBuildroot},
				{name: "Northgate Baby Monitor", model: "NG-BM1", category: "Baby monitor", description: "In development; not yet on sale.",
					revisions: []string{"proto"}, releases: releases(now, "0.9.0"),
					support: []string{month(now, 66)}, reasons: []string{"Planned support period."}, publish: false, devices: 0, style: styleYocto},
			},
		},
		{
			slug: "ncsa-demo", name: "National Cyber Security Agency (demo)", kind: access.Agency,
			website: "https://agency.example", contact: "report@agency.example",
			users: []userSeed{{"analyst@agency.example", "Jordan Reyes", access.Owner}},
		},
	}
}
