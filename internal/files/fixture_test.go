package files

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pbxgate/pbxgate/internal/event"
)

// secretMarker is written in files outside the served root; no answer may
// ever contain it.
const secretMarker = "PBXGATE-SECRET-MARKER-7f3a91"

// fixedTime is the modification time of every fixture file.
var fixedTime = time.Date(2024, 3, 1, 12, 30, 45, 0, time.UTC)

// eventTime is what the injected clock returns.
var eventTime = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// recorder is an event.Sink that keeps what it receives.
type recorder struct {
	mu     sync.Mutex
	events []event.Event
}

func (r *recorder) Emit(e event.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) take() []event.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.events
	r.events = nil
	return out
}

// fixture is a served root inside a temporary base directory:
//
//	base/secret.txt, base/etc/passwd, base/outside/secret.txt  (marker)
//	base/voicemail/                                              (the root)
//	  INBOX/msg0000.wav (1000 bytes), msg0000.txt, msg0001.WAV, notes.bin, .hidden
//	  INBOX/Old/
//	  greeting.mp3, .htpasswd
//	  link-in.wav  -> INBOX/msg0000.wav         (stays inside: served)
//	  link-out.txt -> ../secret.txt             (leaves: 404)
//	  linkdir-out  -> base/outside (absolute)   (leaves: 404)
type fixture struct {
	base, root string
	wav        []byte
	srv        *Server
	events     *recorder
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	base := t.TempDir()
	root := filepath.Join(base, "voicemail")
	fx := &fixture{base: base, root: root, wav: pattern(1000), events: &recorder{}}

	secret := []byte(secretMarker + "\n")
	writeFile(t, filepath.Join(base, "secret.txt"), secret)
	writeFile(t, filepath.Join(base, "etc", "passwd"), secret)
	writeFile(t, filepath.Join(base, "outside", "secret.txt"), secret)
	writeFile(t, filepath.Join(base, "outside", "dir", "secret.txt"), secret)

	writeFile(t, filepath.Join(root, "INBOX", "msg0000.wav"), fx.wav)
	writeFile(t, filepath.Join(root, "INBOX", "msg0000.txt"), []byte("[message]\ncallerid=\"Alice\" <1001>\n"))
	writeFile(t, filepath.Join(root, "INBOX", "msg0001.WAV"), []byte("RIFF-short"))
	writeFile(t, filepath.Join(root, "INBOX", "notes.bin"), []byte{0, 1, 2})
	writeFile(t, filepath.Join(root, "INBOX", ".hidden"), secret)
	mkdir(t, filepath.Join(root, "INBOX", "Old"))
	writeFile(t, filepath.Join(root, "greeting.mp3"), []byte("ID3-greeting"))
	writeFile(t, filepath.Join(root, ".htpasswd"), secret)
	symlink(t, filepath.Join("INBOX", "msg0000.wav"), filepath.Join(root, "link-in.wav"))
	symlink(t, filepath.Join("..", "secret.txt"), filepath.Join(root, "link-out.txt"))
	symlink(t, filepath.Join(base, "outside"), filepath.Join(root, "linkdir-out"))

	// Directory times move as entries are created: set every time last.
	for _, p := range []string{
		"INBOX/msg0000.wav", "INBOX/msg0000.txt", "INBOX/msg0001.WAV", "INBOX/notes.bin",
		"INBOX/.hidden", "INBOX/Old", "greeting.mp3", ".htpasswd", "INBOX", ".",
	} {
		if err := os.Chtimes(filepath.Join(root, p), fixedTime, fixedTime); err != nil {
			t.Fatal(err)
		}
	}

	srv, err := New(Config{
		Context: "voicemail",
		Root:    root,
		Prefix:  "/voicemail/",
		Events:  fx.events,
		Now:     func() time.Time { return eventTime },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	fx.srv = srv
	return fx
}

// pattern is n bytes that differ from one offset to the next.
func pattern(n int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		b.WriteByte(byte('A' + i%26))
		if i%26 == 25 {
			b.WriteByte(byte('0' + (i/26)%10))
		}
	}
	return b.Bytes()[:n]
}

func writeFile(t *testing.T, name string, data []byte) {
	t.Helper()
	mkdir(t, filepath.Dir(name))
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func mkdir(t *testing.T, name string) {
	t.Helper()
	if err := os.MkdirAll(name, 0o755); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, name string) {
	t.Helper()
	if err := os.Symlink(target, name); err != nil {
		t.Skipf("symbolic links unavailable: %v", err)
	}
}

// headerIs fails the test when h[key] is not want.
func headerIs(t *testing.T, h http.Header, key, want string) {
	t.Helper()
	if got := h.Get(key); got != want {
		t.Errorf("header %s = %q, want %q", key, got, want)
	}
}
