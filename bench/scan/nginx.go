package main

import (
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// web is side (b)'s nginx: the devices' files under /provision/ behind
// auth_basic, a combined access log for fail2ban, and a file of deny rules
// that fail2ban's action fills and reloads.
type web struct {
	cmd     *exec.Cmd
	done    chan struct{}
	dir     string
	base    string // http://127.0.0.1:port
	version string
	workers int
}

// Files of the nginx directory that fail2ban's side needs too.
func (w *web) accessLog() string { return filepath.Join(w.dir, "access.log") }
func (w *web) denyFile() string  { return filepath.Join(w.dir, "deny.conf") }
func (w *web) pidFile() string   { return filepath.Join(w.dir, "nginx.pid") }

const nginxConf = `daemon off;
worker_processes %[1]d;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log warn;
events { worker_connections 1024; }
http {
	server_tokens off;
	access_log %[2]s/access.log combined;
	types { text/plain cfg; }
	keepalive_requests 100000;
	keepalive_timeout 60s;
	server {
		listen 127.0.0.1:%[3]d;
		root %[2]s/www;
		# fail2ban's bans: "deny IP;" lines, applied by a reload.
		include %[2]s/deny.conf;
		location /provision/ {
			auth_basic "provisioning";
			auth_basic_user_file %[2]s/htpasswd;
		}
		location / { return 404; }
	}
}
`

// startWeb writes the files and the users of devs into dir and runs bin on
// them in the foreground.
func startWeb(bin, dir string, devs []phoneDevice) (*web, error) {
	www := filepath.Join(dir, "www", "provision")
	if err := os.MkdirAll(www, 0o755); err != nil {
		return nil, err
	}
	// Started as root, nginx's workers run as another user: they must reach
	// the files and read the user file at every request (benchmark secrets).
	for d := www; d != filepath.Dir(dir); d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			return nil, err
		}
	}
	var users strings.Builder
	for _, d := range devs {
		if err := os.WriteFile(filepath.Join(www, d.mac+".cfg"), d.body, 0o644); err != nil {
			return nil, err
		}
		users.WriteString(d.user + ":" + ssha(d.pw) + "\n")
	}
	if err := os.WriteFile(filepath.Join(dir, "htpasswd"), []byte(users.String()), 0o644); err != nil {
		return nil, err
	}
	w := &web{dir: dir, done: make(chan struct{}), workers: runtime.NumCPU()}
	if err := os.WriteFile(w.denyFile(), nil, 0o644); err != nil {
		return nil, err
	}
	port, err := unusedPort()
	if err != nil {
		return nil, err
	}
	conf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(conf, fmt.Appendf(nil, nginxConf, w.workers, dir, port), 0o644); err != nil {
		return nil, err
	}
	if v, err := exec.Command(bin, "-v").CombinedOutput(); err == nil {
		w.version = strings.TrimPrefix(strings.TrimSpace(string(v)), "nginx version: ")
	}
	w.base = fmt.Sprintf("http://127.0.0.1:%d", port)
	w.cmd = exec.Command(bin, "-p", dir, "-c", conf, "-e", filepath.Join(dir, "error.log"))
	w.cmd.Stdout, w.cmd.Stderr = os.Stderr, os.Stderr
	w.cmd.SysProcAttr = childAttrs()
	if err := w.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { _ = w.cmd.Wait(); close(w.done) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", w.base[len("http://"):], time.Second)
		if err == nil {
			c.Close()
			return w, nil
		}
		select {
		case <-w.done:
			return nil, fmt.Errorf("nginx exited: %s", w.tail("error.log"))
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			w.stop()
			return nil, fmt.Errorf("nginx does not listen on %s: %s", w.base, w.tail("error.log"))
		}
	}
}

// stop ends nginx: TERM, then KILL of its group after 5s.
func (w *web) stop() { endChild(w.cmd, w.done, 5*time.Second) }

// tail returns the last lines of one of nginx's files.
func (w *web) tail(name string) string { return lastLines(filepath.Join(w.dir, name), 5) }

// ssha is nginx's {SSHA} password scheme: SHA-1 of the password and a
// random salt, then the salt, in base64.
func ssha(pw string) string {
	salt := make([]byte, 8)
	_, _ = rand.Read(salt)
	sum := sha1.Sum(append([]byte(pw), salt...))
	return "{SSHA}" + base64.StdEncoding.EncodeToString(append(sum[:], salt...))
}

// unusedPort asks the kernel for a loopback port, and lets it go for nginx.
func unusedPort() (int, error) {
	l, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return 0, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	return port, l.Close()
}

// lastLines returns up to n last lines of a file, joined by " | ".
func lastLines(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], " | ")
}
