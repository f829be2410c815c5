package azure

import (
	"encoding/binary"
	"testing"
)

// fixedFooter is a valid fixed VHD footer for a disk of the given size.
func fixedFooter(disk uint64) []byte {
	b := make([]byte, FooterSize)
	copy(b, "conectix")
	binary.BigEndian.PutUint32(b[12:], 0x00010000)
	binary.BigEndian.PutUint64(b[48:], disk)
	binary.BigEndian.PutUint32(b[60:], diskFixed)
	var sum uint32
	for _, c := range b {
		sum += uint32(c)
	}
	binary.BigEndian.PutUint32(b[64:], ^sum)
	return b
}

func TestParseFooterReadsTheCookieTypeSizeAndChecksum(t *testing.T) {
	good := fixedFooter(2 * MiB)
	dynamic := fixedFooter(2 * MiB)
	binary.BigEndian.PutUint32(dynamic[60:], diskDynamic) // the checksum no longer matches
	longer := append(make([]byte, 100), good...)
	tests := []struct {
		name string
		b    []byte
		want footer
	}{
		{"a fixed footer is read whole", good, footer{cookie: true, diskType: diskFixed, currentSize: 2 * MiB, checksumOK: true}},
		{"the footer is the last 512 bytes of a longer read", longer, footer{cookie: true, diskType: diskFixed, currentSize: 2 * MiB, checksumOK: true}},
		{"a changed byte breaks the checksum", dynamic, footer{cookie: true, diskType: diskDynamic, currentSize: 2 * MiB}},
		{"bytes without the cookie are no footer", make([]byte, FooterSize), footer{}},
		{"fewer than 512 bytes are no footer", good[:511], footer{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := parseFooter(tc.b); got != tc.want {
				t.Errorf("parseFooter = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestMiBTextWordsSizesAroundWholeMiB(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{2 * MiB, "2 MiB"},
		{2*MiB + 512, "2 MiB + 512 bytes"},
		{2*MiB - 512, "2 MiB minus 512 bytes"},
		{30 * 1024 * MiB, "30 GiB"},
		{30*1024*MiB + 512, "30 GiB + 512 bytes"},
		{3 * MiB / 2, "about 1.50 MiB"},
		{512, "about 0.00 MiB"},
	}
	for _, tc := range tests {
		if got := mibText(tc.n); got != tc.want {
			t.Errorf("mibText(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

// FuzzParseFooter: any bytes parse without a panic, and a footer read is
// the same whatever precedes the last 512 bytes.
func FuzzParseFooter(f *testing.F) {
	f.Add(fixedFooter(2 * MiB))
	f.Add(make([]byte, FooterSize))
	f.Add([]byte("conectix"))
	f.Fuzz(func(t *testing.T, b []byte) {
		got := parseFooter(b)
		if len(b) < FooterSize {
			if got != (footer{}) {
				t.Fatalf("%d bytes gave %+v", len(b), got)
			}
			return
		}
		if again := parseFooter(append([]byte("prefix"), b...)); again != got {
			t.Fatalf("a prefix changed the footer: %+v, then %+v", got, again)
		}
		if got.cookie != (string(b[len(b)-FooterSize:][:8]) == "conectix") {
			t.Fatalf("cookie %v for %q", got.cookie, b[len(b)-FooterSize:][:8])
		}
	})
}
