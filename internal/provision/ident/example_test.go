package ident_test

import (
	"fmt"

	"github.com/pbxgate/pbxgate/internal/provision/ident"
)

func ExampleParseUserAgent() {
	for _, ua := range []string{
		"Yealink SIP-T46S 66.86.0.15 00:15:65:a1:b2:c3",
		"FileTransport PolycomVVX-VVX_400-UA/4.1.4.7430 Type/Application",
		"Linksys/SPA-942-6.1.5(a) (88019FA42805)",
	} {
		a := ident.ParseUserAgent(ua)
		fmt.Printf("%s/%s %s mac=%q\n", a.Vendor, a.Model, a.Firmware, a.MAC)
	}
	// Output:
	// yealink/t46s 66.86.0.15 mac="001565a1b2c3"
	// polycom/vvx400 4.1.4.7430 mac=""
	// ciscospa/spa942 6.1.5(a) mac=""
}

func ExampleParseFileName() {
	for _, p := range []string{
		"Grandstream/cfg001565a1b2c3.xml",
		"y000000000066.cfg",
		"%2e%2e/etc/passwd",
	} {
		f, err := ident.ParseFileName(p)
		if err != nil {
			fmt.Printf("%s: %v (traversal: %v)\n", p, err, ident.IsTraversal(err))
			continue
		}
		fmt.Printf("%s: dir=%q base=%q mac=%q\n", p, f.Dir, f.Base, f.MAC)
	}
	// Output:
	// Grandstream/cfg001565a1b2c3.xml: dir="Grandstream" base="cfg001565a1b2c3.xml" mac="001565a1b2c3"
	// y000000000066.cfg: dir="" base="y000000000066.cfg" mac=""
	// %2e%2e/etc/passwd: bad file name: path traversal: percent-encoded ".." segment (traversal: true)
}
