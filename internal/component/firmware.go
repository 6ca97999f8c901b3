package component

import "strings"

// VendorIsWildcard reports whether c names no specific vendor: the vendor
// is ANY, or a value with a wildcard. Yocto's create-spdx builds CPEs from
// CVE_PRODUCT and writes vendor "*" when CVE_PRODUCT gives only a product
// (busybox, and many other recipes): cpe:2.3:a:*:busybox:1.36.1:....
// Such a CPE names every product called busybox, whoever made it. By
// NISTIR 7696 it does not match an NVD pattern with a vendor (see
// [Matches]); a matcher that wants it to must decide so itself.
func (c CPE) VendorIsWildcard() bool {
	v := c.attrs[AttrVendor]
	return v.IsAny() || v.HasWildcards()
}

// VersionIsNA reports whether c's version is NA, written "-": NVD uses it
// for dictionary entries and match criteria that name the product without a
// version (cpe:2.3:a:haxx:curl:-:*:*:*:*:*:*:*), and SBOM tools copy such
// CPEs onto components. By NISTIR 7696 an NA version matches only an ANY or
// NA version, never a concrete one.
func (c CPE) VersionIsNA() bool {
	return c.attrs[AttrVersion].IsNA()
}

// IsLinuxKernel reports whether c names the Linux kernel: product
// linux_kernel, vendor linux or ANY (Yocto's kernel.bbclass lists both),
// part "o" or ANY.
func (c CPE) IsLinuxKernel() bool {
	part, vendor, product := c.attrs[AttrPart], c.attrs[AttrVendor], c.attrs[AttrProduct]
	return (part.IsAny() || part.lit == "o") &&
		(vendor.IsAny() || (vendor.lit == "linux" && !vendor.HasWildcards())) &&
		product.lit == "linux_kernel" && !product.HasWildcards()
}

// KernelCPEOnModule reports whether c is the Linux kernel's CPE stamped on
// an OpenWrt kernel-module package: componentName (the SBOM component's
// name, compared case-insensitively) starts with "kmod-" and c names the
// kernel ([CPE.IsLinuxKernel]). OpenWrt's kernel packages inherit the
// kernel's PKG_CPE_ID, so every kmod-* package in an OpenWrt SBOM carries
// cpe:/o:linux:linux_kernel:<version> and draws every kernel CVE once per
// module. It only identifies the case; whether to drop, merge or keep those
// findings is the matcher's policy.
func KernelCPEOnModule(componentName string, c CPE) bool {
	name := strings.TrimSpace(componentName)
	return len(name) > len("kmod-") && strings.EqualFold(name[:len("kmod-")], "kmod-") && c.IsLinuxKernel()
}
