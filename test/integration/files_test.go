package integration

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fileServers makes a voicemail and a recording root beside a secret file
// outside both, and a symlink from each root to the secret.
func fileServers(t *testing.T) (yaml string, secret string, audio []byte) {
	t.Helper()
	dir := t.TempDir()
	secret = "PBXGATE-SECRET-MARKER-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if err := os.WriteFile(filepath.Join(dir, "secret.txt"), []byte(secret), 0o644); err != nil {
		t.Fatal(err)
	}
	audio = make([]byte, 4096)
	for i := range audio {
		audio[i] = byte(i * 7)
	}
	for _, name := range []string{"voicemail", "recording"} {
		root := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Join(root, "INBOX"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, "INBOX", "msg0000.wav"), audio, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(dir, "secret.txt"), filepath.Join(root, "INBOX", "link.wav")); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(dir, filepath.Join(root, "up")); err != nil {
			t.Fatal(err)
		}
	}
	yaml = fmt.Sprintf(`
contexts:
  voicemail: {enabled: true, root: %q, realm_auth: {enabled: false}}
  recording: {enabled: true, root: %q, realm_auth: {enabled: false}}
`, filepath.Join(dir, "voicemail"), filepath.Join(dir, "recording"))
	return yaml, secret, audio
}

// TestFileServersRange: curl -r 0-99 gets 206 and exactly the first 100
// bytes, on both file servers, over TLS and plain HTTP.
func TestFileServersRange(t *testing.T) {
	needCurl(t)
	yaml, _, audio := fileServers(t)
	g := start(t, yaml)
	for _, ctx := range []string{"voicemail", "recording"} {
		for _, base := range []string{g.https, g.http, g.https6} {
			url := base + "/" + ctx + "/INBOX/msg0000.wav"
			t.Run(ctx+"/"+base[:strings.Index(base, ":")], func(t *testing.T) {
				code, body := curl(t, "-r", "0-99", url)
				if code != 206 || body != string(audio[:100]) {
					t.Errorf("curl -r 0-99 %s = %d, %d bytes; want 206 and the first 100 bytes", url, code, len(body))
				}
				code, body = curl(t, "-r", "4000-", url)
				if code != 206 || body != string(audio[4000:]) {
					t.Errorf("curl -r 4000- = %d, %d bytes", code, len(body))
				}
				code, body = curl(t, "-g", base+"/"+ctx+"/INBOX/")
				if code != 200 || !strings.Contains(body, `"name": "msg0000.wav"`) && !strings.Contains(body, `"name":"msg0000.wav"`) {
					t.Errorf("listing = %d %s", code, body)
				}
			})
		}
	}
}

// TestFileServersTraversal replays the traversal corpus of internal/files
// against both file servers of the running daemon, as raw request lines over
// TLS and plain TCP: nothing outside a root is ever served.
func TestFileServersTraversal(t *testing.T) {
	yaml, secret, _ := fileServers(t)
	g := start(t, yaml)
	lines := corpus(t, "../../internal/files/testdata/traversal.txt")
	extra := []string{"/voicemail/INBOX/link.wav", "/voicemail/up/secret.txt", "/recording/up/secret.txt", "/voicemail/INBOX/../../secret.txt"}
	targets := map[string]bool{}
	for _, l := range append(lines, extra...) {
		targets[l] = true
		targets[strings.ReplaceAll(l, "/voicemail/", "/recording/")] = true
	}
	if len(targets) < 150 {
		t.Fatalf("corpus too small: %d targets", len(targets))
	}
	// Positive control: the raw client does reach files inside the roots,
	// so a silent transport failure cannot pass for a refusal.
	for _, tlsOn := range []bool{false, true} {
		if status, body := rawGet(t, g, "/recording/INBOX/msg0000.wav", tlsOn); status != 200 || len(body) != 4096 {
			t.Fatalf("control request (tls %v): %d, %d bytes", tlsOn, status, len(body))
		}
	}
	for target := range targets {
		for _, tlsOn := range []bool{false, true} {
			status, body := rawGet(t, g, target, tlsOn)
			if strings.Contains(body, secret) {
				t.Errorf("%q (tls %v): served the secret outside the root (status %d)", target, tlsOn, status)
			}
			if status == 200 || status == 206 {
				// A few corpus lines are harmless names inside the root
				// (e.g. a Unicode look-alike of "..") that simply do not
				// exist; any success must not be the secret, checked above.
				if target != "/voicemail/./INBOX/msg0000.wav" && strings.Contains(target, "secret") {
					t.Errorf("%q (tls %v): status %d", target, tlsOn, status)
				}
			}
		}
	}
}

func corpus(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		switch {
		case l == "" || strings.HasPrefix(l, "#"):
		case strings.HasPrefix(l, `"`):
			s, err := strconv.Unquote(l)
			if err != nil {
				t.Fatalf("corpus line %q: %v", l, err)
			}
			out = append(out, s)
		default:
			out = append(out, l)
		}
	}
	return out
}

// rawGet sends target as is in the request line and returns the status and
// body.
func rawGet(t *testing.T, g *gw, target string, tlsOn bool) (int, string) {
	t.Helper()
	addr := strings.TrimPrefix(g.http, "http://")
	var c net.Conn
	var err error
	if tlsOn {
		addr = strings.TrimPrefix(g.https, "https://")
		c, err = tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true})
	} else {
		c, err = net.Dial("tcp", addr)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", target)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0, ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
