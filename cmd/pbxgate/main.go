// Command pbxgate is the security gateway of a VoIP platform. See
// `pbxgate --help`.
package main

import (
	"os"

	"github.com/pbxgate/pbxgate/internal/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }
