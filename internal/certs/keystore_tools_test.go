package certs

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// tool runs keytool or openssl in dir and fails the test when it fails. It
// skips the test when the binary is not installed.
func tool(t *testing.T, dir, name string, args ...string) []byte {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not installed: %v", name, err)
	}
	cmd := exec.Command(path, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.Bytes()
}

// keytool runs keytool with a JVM that seeds its random generator from
// /dev/urandom (a blocking /dev/random makes key generation take seconds)
// and starts quickly on a busy machine.
func keytool(t *testing.T, dir string, args ...string) []byte {
	t.Helper()
	jvm := []string{"-J-Djava.security.egd=file:/dev/./urandom", "-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"}
	return tool(t, dir, "keytool", append(jvm, args...)...)
}

func openssl(t *testing.T, dir string, args ...string) []byte {
	t.Helper()
	return tool(t, dir, "openssl", args...)
}

// genkeypair makes a key entry with keytool: alias, key algorithm, store
// type (JKS, PKCS12, JCEKS), store password and key password.
func genkeypair(t *testing.T, dir, file, alias, keyalg, storetype, storepass, keypass string) {
	t.Helper()
	keytool(t, dir, "-genkeypair", "-keyalg", keyalg, "-alias", alias,
		"-dname", "CN=localhost, O=pbxgate test", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
		"-validity", "2", "-keystore", file, "-storetype", storetype,
		"-storepass", storepass, "-keypass", keypass)
}

// testChain holds the files of a root → intermediate → leaf chain made with
// openssl: PKCS#8 PEM keys and PEM certificates, the leaf for localhost and
// 127.0.0.1.
type testChain struct {
	dir                   string
	rootCrt, intCrt, leaf string // certificate files
	leafKey, otherKey     string // the leaf's key and a key of no certificate
}

func (c testChain) path(name string) string { return filepath.Join(c.dir, name) }

func (c testChain) read(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(c.path(name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// makeChain builds a testChain in dir with EC P-256 keys.
func makeChain(t *testing.T, dir string) testChain {
	t.Helper()
	writeFile(t, filepath.Join(dir, "ca.ext"), []byte(
		"basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n"+
			"subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"))
	writeFile(t, filepath.Join(dir, "leaf.ext"), []byte(
		"basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"+
			"subjectAltName=DNS:localhost,IP:127.0.0.1\n"+
			"subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"))
	ec := []string{"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"}
	openssl(t, dir, append([]string{"req", "-x509", "-days", "2", "-subj", "/CN=pbxgate test root",
		"-keyout", "root.key", "-out", "root.crt",
		"-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"}, ec...)...)
	openssl(t, dir, append([]string{"req", "-new", "-subj", "/CN=pbxgate test intermediate",
		"-keyout", "int.key", "-out", "int.csr"}, ec...)...)
	openssl(t, dir, "x509", "-req", "-in", "int.csr", "-CA", "root.crt", "-CAkey", "root.key",
		"-set_serial", "2", "-days", "2", "-extfile", "ca.ext", "-out", "int.crt")
	openssl(t, dir, append([]string{"req", "-new", "-subj", "/CN=localhost",
		"-keyout", "leaf.key", "-out", "leaf.csr"}, ec...)...)
	openssl(t, dir, "x509", "-req", "-in", "leaf.csr", "-CA", "int.crt", "-CAkey", "int.key",
		"-set_serial", "3", "-days", "2", "-extfile", "leaf.ext", "-out", "leaf.crt")
	openssl(t, dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "other.key")
	c := testChain{dir: dir, rootCrt: "root.crt", intCrt: "int.crt", leaf: "leaf.crt", leafKey: "leaf.key", otherKey: "other.key"}
	writeFile(t, c.path("fullchain.pem"), cat(c.read(t, "leaf.crt"), c.read(t, "int.crt")))
	return c
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
