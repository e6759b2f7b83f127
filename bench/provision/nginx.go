package main

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// nginx is a running nginx serving the devices' files under /provision/
// with auth_basic, on loopback.
type nginx struct {
	cmd         *exec.Cmd
	dir         string
	http, https string // base URLs
	version     string
	exited      chan struct{}
}

// startNginx writes the devices' files, the user file and a configuration
// into dir and runs bin on it in the foreground, with as many workers as
// CPUs. certDir holds the HTTPS certificate.
func startNginx(bin, dir, certDir string, devs []device) (*nginx, error) {
	root := filepath.Join(dir, "root")
	if err := os.MkdirAll(filepath.Join(root, "provision"), 0o711); err != nil {
		return nil, err
	}
	// Run as root, nginx's workers are another user: they need to traverse
	// the directories and read the files (which hold benchmark secrets only).
	for _, d := range []string{dir, root, filepath.Join(root, "provision")} {
		if err := os.Chmod(d, 0o711); err != nil {
			return nil, err
		}
	}
	var users bytes.Buffer
	for _, d := range devs {
		if err := os.WriteFile(filepath.Join(root, "provision", d.file), d.body, 0o644); err != nil {
			return nil, err
		}
		sum := sha1.Sum([]byte(d.pw)) // nginx's {SHA} scheme: SHA-1, unsalted
		fmt.Fprintf(&users, "%s:{SHA}%s\n", d.user, base64.StdEncoding.EncodeToString(sum[:]))
	}
	usersFile := filepath.Join(dir, "users")
	if err := os.WriteFile(usersFile, users.Bytes(), 0o644); err != nil {
		return nil, err
	}
	httpPort, err := freePort()
	if err != nil {
		return nil, err
	}
	httpsPort, err := freePort()
	if err != nil {
		return nil, err
	}
	conf := fmt.Sprintf(`worker_processes %d;
daemon off;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log warn;
events {
	worker_connections 1024;
}
http {
	access_log off;
	server_tokens off;
	types {
		text/plain cfg;
	}
	default_type application/octet-stream;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 1000000;
	keepalive_timeout 120s;
	open_file_cache max=10000 inactive=60s;
	server {
		listen 127.0.0.1:%[3]d reuseport;
		listen 127.0.0.1:%[4]d ssl reuseport;
		ssl_certificate %[5]s/server.crt;
		ssl_certificate_key %[5]s/server.key;
		ssl_protocols TLSv1.3;
		root %[6]s;
		location /provision/ {
			auth_basic "pbxgate-provisioning";
			auth_basic_user_file %[7]s;
			add_header Cache-Control "private, no-cache";
			add_header X-Content-Type-Options nosniff;
		}
		location / {
			return 404;
		}
	}
}
`, runtime.NumCPU(), dir, httpPort, httpsPort, certDir, root, usersFile)
	confFile := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confFile, []byte(conf), 0o644); err != nil {
		return nil, err
	}
	out, _ := exec.Command(bin, "-v").CombinedOutput()
	n := &nginx{dir: dir, exited: make(chan struct{}),
		http:    fmt.Sprintf("http://127.0.0.1:%d", httpPort),
		https:   fmt.Sprintf("https://127.0.0.1:%d", httpsPort),
		version: strings.TrimPrefix(strings.TrimSpace(string(out)), "nginx version: "),
	}
	n.cmd = exec.Command(bin, "-p", dir, "-e", filepath.Join(dir, "error.log"), "-c", confFile)
	n.cmd.Stdout, n.cmd.Stderr = os.Stderr, os.Stderr
	detach(n.cmd)
	if err := n.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { _ = n.cmd.Wait(); close(n.exited) }()
	for _, port := range []int{httpPort, httpsPort} {
		if err := n.waitPort(port); err != nil {
			n.stop()
			return nil, err
		}
	}
	return n, nil
}

// waitPort waits until nginx answers on port.
func (n *nginx) waitPort(port int) error {
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for range 100 {
		select {
		case <-n.exited:
			return fmt.Errorf("nginx exited: %s", n.errorLog())
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("nginx does not answer on %s: %s", addr, n.errorLog())
}

// pid is the master process's id.
func (n *nginx) pid() int { return n.cmd.Process.Pid }

// errorLog returns nginx's error log (warnings and above).
func (n *nginx) errorLog() string {
	b, _ := os.ReadFile(filepath.Join(n.dir, "error.log"))
	return strings.TrimSpace(string(b))
}

// stop asks nginx to stop (TERM: fast shutdown) and kills it after 5s.
func (n *nginx) stop() {
	terminate(n.cmd.Process)
	select {
	case <-n.exited:
	case <-time.After(5 * time.Second):
		killGroup(n.pid())
		_ = n.cmd.Process.Kill()
		<-n.exited
	}
}

// freePort returns a loopback TCP port nothing listens on now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	a, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, errors.New("listener without a TCP address")
	}
	return a.Port, nil
}
