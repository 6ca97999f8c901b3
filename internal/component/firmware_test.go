package component

import "testing"

// TestVendorIsWildcard: Yocto's create-spdx writes vendor "*" when
// CVE_PRODUCT names no vendor (busybox), and part "*" as well.
func TestVendorIsWildcard(t *testing.T) {
	tests := []struct {
		cpe  string
		want bool
	}{
		{"cpe:2.3:a:*:openssl:3.0.13:*:*:*:*:*:*:*", true},              // Yocto, CVE_PRODUCT = "openssl" only
		{"cpe:2.3:*:*:busybox:1.36.1:*:*:*:*:*:*:*", true},              // Yocto, BPN as product
		{"cpe:/a::openssl:3.0.13", true},                                // the same in the URI binding
		{"cpe:2.3:a:open*:openssl:3.0.13:*:*:*:*:*:*:*", true},          // a wildcard vendor value
		{"cpe:2.3:a:openssl:openssl:3.0.13:*:*:*:*:*:*:*", false},       // CVE_PRODUCT = "openssl:openssl"
		{"cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*", false},       // NVD
		{"cpe:2.3:a:-:busybox:1.36.1:*:*:*:*:*:*:*", false},             // NA is no wildcard
		{"cpe:2.3:a:dnsmasq_project:dnsmasq:2.89:*:*:*:*:*:*:*", false}, // Buildroot
	}
	for _, tt := range tests {
		if got := MustParseCPE(tt.cpe).VendorIsWildcard(); got != tt.want {
			t.Errorf("VendorIsWildcard(%s) = %v, want %v", tt.cpe, got, tt.want)
		}
	}
}

// TestVersionIsNA: NVD's version "-" for entries that name no version.
func TestVersionIsNA(t *testing.T) {
	tests := []struct {
		cpe  string
		want bool
	}{
		{"cpe:2.3:a:haxx:curl:-:*:*:*:*:*:*:*", true},
		{"cpe:/a:haxx:curl:-", true},
		{"cpe:2.3:a:haxx:curl:*:*:*:*:*:*:*:*", false},
		{"cpe:2.3:a:haxx:curl:8.5.0:*:*:*:*:*:*:*", false},
		{"cpe:2.3:a:haxx:curl:8.5.0:-:*:*:*:*:*:*", false}, // NA update, not version
	}
	for _, tt := range tests {
		if got := MustParseCPE(tt.cpe).VersionIsNA(); got != tt.want {
			t.Errorf("VersionIsNA(%s) = %v, want %v", tt.cpe, got, tt.want)
		}
	}
}

// TestKernelCPEOnModule: OpenWrt gives every kmod-* package the kernel's
// PKG_CPE_ID, cpe:/o:linux:linux_kernel.
func TestKernelCPEOnModule(t *testing.T) {
	kernelURI := "cpe:/o:linux:linux_kernel:5.15.137"
	tests := []struct {
		component, cpe string
		want           bool
	}{
		{"kmod-usb-core", kernelURI, true},
		{"kmod-nf-conntrack", "cpe:2.3:o:linux:linux_kernel:5.15.137:*:*:*:*:*:*:*", true},
		{"KMOD-Crypto-AES", kernelURI, true},                                    // names compared case-insensitively
		{"kmod-ath9k", "cpe:2.3:*:*:linux_kernel:5.15.137:*:*:*:*:*:*:*", true}, // Yocto-style kernel CPE
		{"kmod-ath9k", "cpe:/o:linux:linux_kernel", true},                       // no version
		{"kernel", kernelURI, false},                                            // the kernel itself
		{"linux", kernelURI, false},
		{"kmod-", kernelURI, false}, // no module name
		{"kmod-usb-core", "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*", false},
		{"kmod-usb-core", "cpe:2.3:a:linux:linux_kernel:5.15.137:*:*:*:*:*:*:*", false}, // part a is not the kernel
		{"kmod-usb-core", "cpe:2.3:o:linux:linux_kernel_x:5.15:*:*:*:*:*:*:*", false},
		{"kmod-usb-core", "cpe:2.3:o:linux:linux_*:5.15:*:*:*:*:*:*:*", false},
		{"kmod-usb-core", "cpe:2.3:o:lin*:linux_kernel:5.15:*:*:*:*:*:*:*", false},
		{"usb-kmod-core", kernelURI, false},
	}
	for _, tt := range tests {
		if got := KernelCPEOnModule(tt.component, MustParseCPE(tt.cpe)); got != tt.want {
			t.Errorf("KernelCPEOnModule(%q, %s) = %v, want %v", tt.component, tt.cpe, got, tt.want)
		}
	}
}
