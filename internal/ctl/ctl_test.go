package ctl

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	s := NewServer(dir, map[string]Handler{
		"reload": func(_ context.Context, args []string) (string, error) {
			if len(args) > 0 {
				return "", errors.New("reload takes no argument")
			}
			return "generation 2 serving", nil
		},
	}, slog.New(slog.DiscardHandler))
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fi, err := os.Stat(filepath.Join(dir, SocketName))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("socket mode %v, want 0600", fi.Mode().Perm())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	tests := []struct {
		name    string
		cmd     []string
		wantOK  bool
		wantMsg string
	}{
		{"ok/reload", []string{"reload"}, true, "generation 2 serving"},
		{"fail/handler-error", []string{"reload", "now"}, false, "reload takes no argument"},
		{"fail/unknown-command", []string{"explode"}, false, `unknown command "explode"`},
		{"fail/empty", []string{""}, false, "unknown command"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := Call(ctx, dir, tc.cmd...)
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK != tc.wantOK || !strings.Contains(rep.Message+rep.Error, tc.wantMsg) {
				t.Errorf("reply %+v, want ok=%v with %q", rep, tc.wantOK, tc.wantMsg)
			}
		})
	}
}

func TestStartRefusesToClobber(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	t.Run("fail/regular-file", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, SocketName)
		if err := os.WriteFile(path, []byte("keep me"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := NewServer(dir, nil, log).Start(); err == nil {
			t.Fatal("Start replaced a regular file")
		}
		if b, _ := os.ReadFile(path); string(b) != "keep me" {
			t.Error("the regular file was changed")
		}
	})
	t.Run("fail/live-daemon", func(t *testing.T) {
		dir := t.TempDir()
		a := NewServer(dir, nil, log)
		if err := a.Start(); err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		if err := NewServer(dir, nil, log).Start(); err == nil || !strings.Contains(err.Error(), "another pbxgate") {
			t.Fatalf("second Start on a live socket: %v", err)
		}
	})
	t.Run("ok/stale-socket", func(t *testing.T) {
		dir := t.TempDir()
		l, err := net.Listen("unix", filepath.Join(dir, SocketName))
		if err != nil {
			t.Fatal(err)
		}
		l.(*net.UnixListener).SetUnlinkOnClose(false)
		l.Close()
		s := NewServer(dir, nil, log)
		if err := s.Start(); err != nil {
			t.Fatalf("stale socket not replaced: %v", err)
		}
		s.Close()
	})
}

func TestCallWithoutDaemon(t *testing.T) {
	_, err := Call(context.Background(), t.TempDir(), "reload")
	if err == nil || !strings.Contains(err.Error(), "no pbxgate running") {
		t.Errorf("Call without a daemon: %v", err)
	}
}

func TestAllowed(t *testing.T) {
	tests := []struct {
		name       string
		peer, self int
		ok         bool
	}{
		{"ok/root-peer", 0, 1000, true},
		{"ok/same-user", 1000, 1000, true},
		{"ok/root-daemon-root-peer", 0, 0, true},
		{"fail/other-user", 1001, 1000, false},
		{"fail/user-to-root-daemon", 1000, 0, false},
		{"fail/nobody", 65534, 1000, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := allowed(tc.peer, tc.self); (err == nil) != tc.ok {
				t.Errorf("allowed(%d, %d) = %v, want ok=%v", tc.peer, tc.self, err, tc.ok)
			}
		})
	}
}

// TestCloseDropsIdleClients: a client that connects and sends nothing does
// not hold up Close.
func TestCloseDropsIdleClients(t *testing.T) {
	dir := t.TempDir()
	s := NewServer(dir, nil, slog.New(slog.DiscardHandler))
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("unix", filepath.Join(dir, SocketName))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Make sure the server has accepted it.
	time.Sleep(50 * time.Millisecond)
	done := make(chan error, 1)
	go func() { done <- s.Close() }()
	select {
	case <-done:
	case <-time.After(4 * time.Second):
		t.Fatal("Close waited for an idle client")
	}
}
