package provision_test

import (
	"strings"
	"testing"

	"github.com/pbxgate/pbxgate/internal/provision/ident"
	"github.com/pbxgate/pbxgate/internal/provision/model"
	"github.com/pbxgate/pbxgate/internal/provision/vendors"

	_ "github.com/pbxgate/pbxgate/internal/provision/vendors/cisco"
	_ "github.com/pbxgate/pbxgate/internal/provision/vendors/ciscospa"
	_ "github.com/pbxgate/pbxgate/internal/provision/vendors/grandstream"
	_ "github.com/pbxgate/pbxgate/internal/provision/vendors/polycom"
	_ "github.com/pbxgate/pbxgate/internal/provision/vendors/snom"
	_ "github.com/pbxgate/pbxgate/internal/provision/vendors/yealink"
)

// TestEveryVendorFileName checks the file names of every model of every
// vendor against the server's rules: a device file must name its MAC in a
// form the file-name parser finds (else the server would answer 404 to the
// phone), a common file must not (else it would be taken for a device's),
// and no common file name may be claimed by two vendors.
func TestEveryVendorFileName(t *testing.T) {
	macs := []model.MAC{"001565a1b2c3", "0004f2abcdef", "c074ad0000ff", "805ec0123456"}
	owner := map[string]string{}
	n := 0
	for _, v := range vendors.All() {
		if v.ID() == "testphone" {
			continue
		}
		for _, m := range v.Models() {
			for _, mac := range macs {
				for _, f := range v.Files(m.ID, mac) {
					n++
					fn, err := ident.ParseFileName(f.Name)
					if err != nil {
						t.Errorf("%s/%s: %s does not parse: %v", v.ID(), m.ID, f.Name, err)
						continue
					}
					switch {
					case f.Device && (!fn.HasMAC || fn.MAC != mac):
						t.Errorf("%s/%s: device file %s: parser finds MAC %q (found %v), want %s", v.ID(), m.ID, f.Name, fn.MAC, fn.HasMAC, mac)
					case !f.Device && fn.HasMAC:
						t.Errorf("%s/%s: common file %s looks like a device file (MAC %s)", v.ID(), m.ID, f.Name, fn.MAC)
					case !f.Device:
						k := strings.ToLower(f.Name)
						if o, ok := owner[k]; ok && o != v.ID() {
							t.Errorf("common file %s claimed by %s and %s", f.Name, o, v.ID())
						}
						owner[k] = v.ID()
					}
				}
			}
		}
	}
	if len(vendors.All()) < 7 || n == 0 {
		t.Fatalf("only %d vendors registered, %d files checked", len(vendors.All()), n)
	}
}
