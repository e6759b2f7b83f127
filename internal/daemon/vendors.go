package daemon

// The phone vendors register themselves with the provisioning server.
import (
	_ "github.com/pbxgate/pbxgate/internal/provision/vendors/cisco"
	_ "github.com/pbxgate/pbxgate/internal/provision/vendors/ciscospa"
	_ "github.com/pbxgate/pbxgate/internal/provision/vendors/grandstream"
	_ "github.com/pbxgate/pbxgate/internal/provision/vendors/polycom"
	_ "github.com/pbxgate/pbxgate/internal/provision/vendors/snom"
	_ "github.com/pbxgate/pbxgate/internal/provision/vendors/yealink"
)
