package acme

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"

	"github.com/mholt/acmez/v3/acme"
)

// storedAccount is an ACME account as the store keeps it, one per
// directory and e-mail address (key "account/<email>@<directory>").
type storedAccount struct {
	Location string `json:"location"`
	// KeyPEM is the account key, PKCS#8.
	KeyPEM string `json:"key_pem"`
}

// account returns the account of email at the CA, registering it (and
// keeping its key in the store) the first time. Two nodes registering at
// once both succeed at the CA; the store keeps the first and the other
// uses it from then on.
func (m *Manager) account(ctx context.Context, client *acme.Client, directory, email string) (acme.Account, error) {
	key := accountKey(directory, email)
	var sa storedAccount
	ver, err := loadJSON(ctx, m.opts.Store, key, &sa)
	if err != nil {
		return acme.Account{}, fmt.Errorf("account %s: %w", email, err)
	}
	if ver != 0 {
		block, _ := pem.Decode([]byte(sa.KeyPEM))
		if block == nil {
			return acme.Account{}, fmt.Errorf("account %s: the stored key is not PEM", email)
		}
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return acme.Account{}, fmt.Errorf("account %s: the stored key: %w", email, err)
		}
		signer, ok := k.(*ecdsa.PrivateKey)
		if !ok {
			return acme.Account{}, fmt.Errorf("account %s: the stored key is not ECDSA", email)
		}
		return acme.Account{Status: acme.StatusValid, Contact: []string{"mailto:" + email}, Location: sa.Location, PrivateKey: signer}, nil
	}
	signer, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return acme.Account{}, err
	}
	acct, err := client.NewAccount(ctx, acme.Account{
		Contact:              []string{"mailto:" + email},
		TermsOfServiceAgreed: true,
		PrivateKey:           signer,
	})
	if err != nil {
		return acme.Account{}, fmt.Errorf("register account %s: %w", email, err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(signer)
	if err != nil {
		return acme.Account{}, err
	}
	b, err := json.Marshal(storedAccount{Location: acct.Location, KeyPEM: string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))})
	if err != nil {
		return acme.Account{}, err
	}
	_, ok, err := m.opts.Store.CompareAndSwap(ctx, key, 0, b)
	if err != nil {
		return acme.Account{}, fmt.Errorf("account %s: keep the key: %w", email, err)
	}
	if !ok {
		// Another node registered at the same time: use its account.
		return m.account(ctx, client, directory, email)
	}
	m.log.Info("acme account registered", "email", email, "account", acct.Location)
	return acct, nil
}
