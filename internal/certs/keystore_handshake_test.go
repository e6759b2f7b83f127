package certs

import (
	"crypto/tls"
	"crypto/x509"
	"path/filepath"
	"slices"
	"testing"
)

// TestKeystoreHandshake serves each loaded keystore on a crypto/tls
// listener on 127.0.0.1 and completes a handshake with a client that
// trusts only the root: the certificate, the key and the chain order must
// all be right for it to pass.
func TestKeystoreHandshake(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := makeChain(t, dir)
	genkeypair(t, dir, "rsa.jks", "isymphony", "RSA", "JKS", "store-secret", "key-secret")
	keytool(t, dir, "-exportcert", "-rfc", "-alias", "isymphony", "-keystore", "rsa.jks", "-storepass", "store-secret", "-file", "rsa.crt")
	openssl(t, dir, "pkcs12", "-export", "-in", "fullchain.pem", "-inkey", c.leafKey, "-name", "isymphony", "-out", "chain.p12", "-passout", "pass:p12-secret")
	writeFile(t, filepath.Join(dir, "bundle.pem"), cat(c.read(t, c.rootCrt), c.read(t, c.intCrt), c.read(t, c.leafKey), c.read(t, c.leaf)))

	tests := []struct {
		name      string
		file      string
		opts      KeystoreOptions
		root      string // PEM file of the certificate the client trusts
		wantChain int
	}{
		{"ok/jks-rsa-self-signed", "rsa.jks", KeystoreOptions{StorePassword: "store-secret", KeyPassword: "key-secret", Alias: "isymphony"}, "rsa.crt", 1},
		{"ok/pkcs12-openssl-chain", "chain.p12", KeystoreOptions{StorePassword: "p12-secret", Alias: "isymphony"}, c.rootCrt, 2},
		{"ok/pem-chain-out-of-order", "bundle.pem", KeystoreOptions{}, c.rootCrt, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cert, err := LoadKeystoreFile(filepath.Join(dir, tc.file), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			roots := x509.NewCertPool()
			if !roots.AppendCertsFromPEM(readTestFile(t, filepath.Join(dir, tc.root))) {
				t.Fatal("no root certificate")
			}
			peer := handshake(t, cert, roots)
			if len(peer) != tc.wantChain {
				t.Fatalf("server sent %d certificates, want %d", len(peer), tc.wantChain)
			}
			for i, p := range peer {
				if !slices.Equal(p.Raw, cert.Certificate[i]) {
					t.Errorf("certificate %d sent differs from the loaded chain", i)
				}
			}
		})
	}
}

// handshake serves cert on 127.0.0.1, dials it as "localhost" trusting
// roots, and returns the certificates the server sent.
func handshake(t *testing.T, cert *tls.Certificate, roots *x509.CertPool) []*x509.Certificate {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{*cert}})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	serverErr := make(chan error, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			serverErr <- err
			return
		}
		defer conn.Close()
		serverErr <- conn.(*tls.Conn).Handshake()
	}()
	conn, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{RootCAs: roots, ServerName: "localhost"})
	if err != nil {
		t.Fatalf("client handshake: %v (server: %v)", err, <-serverErr)
	}
	defer conn.Close()
	if err := <-serverErr; err != nil {
		t.Fatalf("server handshake: %v", err)
	}
	return conn.ConnectionState().PeerCertificates
}
