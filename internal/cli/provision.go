package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pbxgate/pbxgate/internal/daemon"
	"github.com/pbxgate/pbxgate/internal/domains"
	"github.com/pbxgate/pbxgate/internal/provision"
	"github.com/pbxgate/pbxgate/internal/provision/model"
)

// The provisioning commands (extension, template, device, ipdns,
// provisioning) mirror the provisioning endpoints of the REST API: the
// same JSON with --json, and the same rule for secrets: a password is
// shown once, in the answer to the write that made it; reads show that it
// is set, never what it is.

// maxProvJSON bounds a JSON body read from a file, as the REST API bounds
// a request body.
const maxProvJSON = domains.MaxCertificatePEMLen + 64<<10

// provCmd holds what every provisioning sub-command shares.
type provCmd struct {
	state          stateFlags
	stdin          io.Reader
	stdout, stderr io.Writer
	json           bool
	// what names the entity in messages ("extension", "device").
	what string
}

func newProvCmd(stdin io.Reader, stdout, stderr io.Writer, what string) *provCmd {
	return &provCmd{stdin: stdin, stdout: stdout, stderr: stderr, what: what}
}

// with opens the provisioning model of the local state and runs fn on it.
func (c *provCmd) with(ctx context.Context, fn func(*provision.Service) error) error {
	cfg, err := c.state.load()
	if err != nil {
		fmt.Fprintln(c.stderr, err)
		return exitError(1)
	}
	svc, closer, err := daemon.OpenProvisioning(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer closer.Close()
	if err := fn(svc); err != nil {
		fmt.Fprintln(c.stderr, provMessage(err, c.what))
		return exitError(1)
	}
	return nil
}

// fail prints msg and returns the exit status of a command that could not
// start (bad arguments): 2, as domain set does.
func (c *provCmd) fail(format string, args ...any) error {
	fmt.Fprintf(c.stderr, format+"\n", args...)
	return exitError(2)
}

// provMessage says what went wrong in the words of the provisioning rules:
// bad input one "field: message" a line.
func provMessage(err error, what string) string {
	var fes provision.FieldErrors
	var fe *provision.FieldError
	switch {
	case errors.As(err, &fes):
		lines := make([]string, len(fes))
		for i, e := range fes {
			lines[i] = e.Field + ": " + e.Msg
		}
		return strings.Join(lines, "\n")
	case errors.As(err, &fe):
		return fe.Field + ": " + fe.Msg
	case errors.Is(err, provision.ErrNotFound):
		return "no such " + what
	case errors.Is(err, provision.ErrExists):
		return "the " + what + " exists"
	case errors.Is(err, provision.ErrConflict):
		return "the " + what + " changed concurrently; retry"
	}
	return err.Error()
}

// readJSON decodes one JSON value from a file ("-" is standard input) as
// strictly as the REST API decodes a request body: unknown fields and
// trailing values are refused.
func (c *provCmd) readJSON(path string, v any) error {
	var r io.Reader
	if path == "-" {
		r = c.stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, maxProvJSON+1))
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if len(b) > maxProvJSON {
		return fmt.Errorf("%s: larger than %d bytes", path, maxProvJSON)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: invalid JSON: %w", path, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: invalid JSON: more than one value", path)
	}
	return nil
}

// load reads a JSON file into v, printing what is wrong with it.
func (c *provCmd) load(path string, v any) error {
	if err := c.readJSON(path, v); err != nil {
		fmt.Fprintln(c.stderr, err)
		return exitError(1)
	}
	return nil
}

// parseMAC reads a MAC argument, printing what is wrong with it.
func (c *provCmd) parseMAC(s string) (model.MAC, error) {
	mac, err := model.ParseMAC(s)
	if err != nil {
		fmt.Fprintf(c.stderr, "mac: %q is not a MAC address\n", s)
		return "", exitError(1)
	}
	return mac, nil
}

func (c *provCmd) jsonFlag(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&c.json, "json", false, "print JSON, as the REST API answers")
}

// stateCommands adds the state flags to commands that read the store.
func (c *provCmd) stateCommands(root *cobra.Command, subs ...*cobra.Command) {
	for _, sub := range subs {
		c.state.add(sub)
		root.AddCommand(sub)
	}
}

func (c *provCmd) writeJSON(v any) error {
	enc := json.NewEncoder(c.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// compactJSON is v on one line, for settings in text output.
func compactJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// timeText formats a time of the model for text output.
func timeText(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// hidden tells that a secret is set without showing it.
func hidden(secret string) string {
	if secret == "" {
		return "-"
	}
	return "(set)"
}
