package domains_test

import (
	"context"
	"fmt"

	"github.com/pbxgate/pbxgate/internal/domains"
)

// A domain added without a parent goes below its nearest DNS parent that is
// a domain, else below the master.
func Example_parentDefaulting() {
	ctx := context.Background()
	svc := domains.New(newMemStore(), "example.com") // any domains.Store
	if err := svc.EnsureMaster(ctx); err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range []domains.Domain{
		{Name: "pbx.example.com"},
		{Name: "A.B.PBX.Example.com."}, // normalised; b.pbx.example.com does not exist
		{Name: "customer.org"},         // no DNS parent in the tree
		{Name: "sip.customer.org"},
		{Name: "fax.customer.org", Parent: "pbx.example.com"}, // explicit
		{Name: "Bad_Name"},
	} {
		added, err := svc.Add(ctx, d)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%s → %s\n", added.Name, added.Parent)
	}
	// Output:
	// pbx.example.com → example.com
	// a.b.pbx.example.com → pbx.example.com
	// customer.org → example.com
	// sip.customer.org → customer.org
	// fax.customer.org → pbx.example.com
	// add domain: name: "Bad_Name" is not a DNS name: '_' is not a letter, digit, hyphen or dot
}
