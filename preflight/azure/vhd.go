package azure

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/secret"
)

// VHD disk types, as a footer gives them.
const (
	diskFixed        = 2
	diskDynamic      = 3
	diskDifferencing = 4
)

// footer is what a VHD footer says (Virtual Hard Disk Image Format
// Specification: a 512-byte big-endian structure).
type footer struct {
	// cookie reports whether the footer starts with "conectix".
	cookie bool
	// diskType is 2 (fixed), 3 (dynamic) or 4 (differencing).
	diskType uint32
	// currentSize is the disk's size in bytes.
	currentSize uint64
	// checksumOK reports whether the stored checksum (the one's complement
	// of the sum of the other bytes) matches.
	checksumOK bool
}

// parseFooter reads a VHD footer from the last 512 bytes of a blob; b
// shorter than that has no footer.
func parseFooter(b []byte) footer {
	if len(b) < FooterSize {
		return footer{}
	}
	b = b[len(b)-FooterSize:]
	f := footer{cookie: string(b[:8]) == "conectix"}
	if !f.cookie {
		return f
	}
	f.currentSize = binary.BigEndian.Uint64(b[48:56])
	f.diskType = binary.BigEndian.Uint32(b[60:64])
	var sum uint32
	for i, c := range b {
		if i < 64 || i >= 68 {
			sum += uint32(c)
		}
	}
	f.checksumOK = ^sum == binary.BigEndian.Uint32(b[64:68])
	return f
}

// footerFindings judges the footer b of a blob of the given size; kind
// describes the VHD for the Checked text.
func footerFindings(k *check, b []byte, size int64) (kind string, fs finding.List) {
	f := parseFooter(b)
	convert := "Convert the disk to a fixed VHD (`qemu-img convert -f raw -O vpc -o subformat=fixed,force_size disk.raw disk.vhd`) and upload it again as a page blob (`azcopy copy disk.vhd '" + k.plainURL() + "' --blob-type PageBlob`)."
	switch {
	case !f.cookie:
		return "no VHD footer", finding.List{k.finding(finding.Warning, finding.CodeVerifyAzureVHDFooter,
			fmt.Sprintf("the last 512 bytes of the VHD blob %s are not a VHD footer (they do not start with the cookie \"conectix\"): the blob is probably a raw disk image, not a fixed VHD.", k.ref),
			convert)}
	case f.diskType == diskDynamic || f.diskType == diskDifferencing:
		what := "dynamically expanding"
		if f.diskType == diskDifferencing {
			what = "differencing"
		}
		return what + " VHD", finding.List{k.finding(finding.Error, finding.CodeVerifyAzureVHDNotFixed,
			fmt.Sprintf("the footer of the VHD blob %s says it is a %s VHD; Azure creates disks only from fixed-size VHDs.", k.ref, what),
			"Convert it to a fixed VHD (`qemu-img convert -f vpc -O vpc -o subformat=fixed,force_size IN.vhd OUT.vhd`, or `Convert-VHD -VHDType Fixed`) and upload the result as a page blob (`azcopy copy OUT.vhd '"+k.plainURL()+"' --blob-type PageBlob`).")}
	case f.diskType != diskFixed:
		return "VHD of unknown type", finding.List{k.finding(finding.Warning, finding.CodeVerifyAzureVHDFooter,
			fmt.Sprintf("the footer of the VHD blob %s gives the disk type %d, which is none of fixed (2), dynamic (3) or differencing (4).", k.ref, f.diskType),
			convert)}
	}
	kind = "fixed VHD"
	if !f.checksumOK {
		fs = append(fs, k.finding(finding.Warning, finding.CodeVerifyAzureVHDFooter,
			fmt.Sprintf("the checksum of the VHD footer of the blob %s is wrong: the footer was edited or damaged.", k.ref), convert))
	}
	if disk := size - FooterSize; f.currentSize != uint64(disk) {
		fs = append(fs, k.finding(finding.Warning, finding.CodeVerifyAzureVHDFooter,
			fmt.Sprintf("the VHD footer of the blob %s says the disk is %d bytes, but the blob holds %d bytes before its footer: the blob was resized without its footer being rewritten.", k.ref, f.currentSize, disk),
			"Resize VHDs with a tool that rewrites the footer (`qemu-img resize`, `az disk update --size-gb` on a managed disk), then upload the VHD again as a page blob."))
	}
	return kind, fs
}

// sizeFinding judges the blob's size: a fixed VHD is a disk of a whole
// number of MiB followed by its 512-byte footer.
func sizeFinding(k *check, size int64) *finding.Finding {
	if size < 0 {
		return nil
	}
	upload := fmt.Sprintf("upload it again as a page blob (`azcopy copy disk.vhd '%s' --blob-type PageBlob`)", k.plainURL())
	if size < FooterSize+MiB {
		f := k.finding(finding.Error, finding.CodeVerifyAzureSize,
			fmt.Sprintf("the VHD blob %s is %s, too small to hold a disk of at least 1 MiB and its 512-byte VHD footer; Azure takes fixed VHDs of N MiB + 512 bytes.", k.ref, describeSize(size)),
			"Convert the whole disk image to a fixed VHD (`qemu-img convert -f raw -O vpc -o subformat=fixed,force_size disk.raw disk.vhd`) and "+upload+".")
		return &f
	}
	disk := size - FooterSize
	if disk%MiB == 0 {
		return nil
	}
	down, up := disk/MiB*MiB, disk/MiB*MiB+MiB
	nearest := fmt.Sprintf("%s and %s", describeSize(down+FooterSize), describeSize(up+FooterSize))
	msg := fmt.Sprintf("the VHD blob %s is %s: a disk of %s followed by the 512-byte VHD footer; Azure takes only fixed VHDs whose disk is a whole number of MiB, so the blob must be N MiB + 512 bytes. The nearest valid sizes are %s.",
		k.ref, describeSize(size), describeSize(disk), nearest)
	hint := fmt.Sprintf("Grow the raw disk to %s (`qemu-img resize -f raw disk.raw %d`), convert it to a fixed VHD (`qemu-img convert -f raw -O vpc -o subformat=fixed,force_size disk.raw disk.vhd`, %d bytes) and %s.",
		mibText(up), up, up+FooterSize, upload)
	if size%MiB == 0 {
		msg += " A blob of a whole number of MiB is usually a raw disk uploaded without converting it to a VHD."
		hint = fmt.Sprintf("Convert the raw disk (%s) to a fixed VHD (`qemu-img convert -f raw -O vpc -o subformat=fixed,force_size disk.raw disk.vhd`, which adds the footer: %d bytes) and %s.",
			mibText(size), size+FooterSize, upload)
	}
	f := k.finding(finding.Error, finding.CodeVerifyAzureSize, msg, hint)
	return &f
}

// describeSize gives a size in bytes and in MiB: "2097664 bytes (2 MiB + 512 bytes)".
func describeSize(n int64) string {
	if n < 0 {
		return "an unknown size"
	}
	if n < MiB {
		return fmt.Sprintf("%d bytes", n)
	}
	return fmt.Sprintf("%d bytes (%s)", n, mibText(n))
}

// mibText words n in MiB (or GiB): "2 MiB", "30 GiB + 512 bytes",
// "2 MiB minus 512 bytes", "about 1.25 MiB".
func mibText(n int64) string {
	whole := func(m int64) string {
		if m >= 1024 && m%1024 == 0 {
			return fmt.Sprintf("%d GiB", m/1024)
		}
		return fmt.Sprintf("%d MiB", m)
	}
	m, r := n/MiB, n%MiB
	switch {
	case r == 0:
		return whole(m)
	case r == FooterSize && m > 0:
		return whole(m) + " + 512 bytes"
	case r == MiB-FooterSize:
		return whole(m+1) + " minus 512 bytes"
	}
	return "about " + strconv.FormatFloat(float64(n)/MiB, 'f', 2, 64) + " MiB"
}

// blobKind words an x-ms-blob-type.
func blobKind(t string) string {
	switch t {
	case "PageBlob":
		return "page blob"
	case "BlockBlob":
		return "block blob"
	case "AppendBlob":
		return "append blob"
	}
	return fmt.Sprintf("blob of type %q", t)
}

// quote quotes a URL a user gave for a message: credentials masked by
// secret.RedactURL, long values cut short.
func quote(s string) string {
	s = secret.RedactURL(s)
	const most = 200
	if len(s) > most {
		cut := most
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return strconv.Quote(s[:cut]) + "…"
	}
	return strconv.Quote(s)
}

// shellArg quotes s for a POSIX shell when it needs it.
func shellArg(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
