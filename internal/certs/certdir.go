package certs

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
)

// The files of a certificate directory.
const (
	KeyFile  = "server.key"
	CertFile = "server.crt"
)

// LoadCertDir loads dir/server.key and dir/server.crt (the certificate
// followed by its chain). The returned certificate has Leaf set. A missing
// file gives an error that wraps fs.ErrNotExist.
func LoadCertDir(dir string) (*tls.Certificate, error) {
	keyPEM, err := os.ReadFile(filepath.Join(dir, KeyFile))
	if err != nil {
		return nil, fmt.Errorf("certdir %s: %w", dir, err)
	}
	certPEM, err := os.ReadFile(filepath.Join(dir, CertFile))
	if err != nil {
		return nil, fmt.Errorf("certdir %s: %w", dir, err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("certdir %s: %w", dir, err)
	}
	if cert.Leaf == nil {
		if cert.Leaf, err = x509.ParseCertificate(cert.Certificate[0]); err != nil {
			return nil, fmt.Errorf("certdir %s: %w", dir, err)
		}
	}
	return &cert, nil
}
