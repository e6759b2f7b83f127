package acme

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mholt/acmez/v3/acme"

	"github.com/pbxgate/pbxgate/internal/certs"
	"github.com/pbxgate/pbxgate/internal/domains"
)

// Bounds of one order: the whole flow, and the lock that guards it (longer,
// so that the lock outlives the order on a store that expires it).
const (
	orderTimeout = 10 * time.Minute
	lockTTL      = 15 * time.Minute
	pollTimeout  = 2 * time.Minute
	// tokenTTL bounds how long a challenge token is answered, should the
	// node that wrote it die before removing it.
	tokenTTL = 30 * time.Minute
)

// order orders a certificate for the domain called name under the domain's
// lock, if it is still due once the lock is held (or always, with force),
// and writes it to certificate_pem. It records the outcome in the domain's
// state.
func (m *Manager) order(parent context.Context, cfg *clientConfig, name string, force bool) (domains.Domain, error) {
	ctx, cancel := context.WithTimeout(parent, orderTimeout)
	defer cancel()
	d, err := m.opts.Domains.Get(ctx, name)
	if errors.Is(err, domains.ErrNotFound) {
		return domains.Domain{}, fmt.Errorf("acme order for %s: %w", name, ErrNotInTree)
	}
	if err != nil {
		return domains.Domain{}, fmt.Errorf("acme order for %s: %w", name, err)
	}
	name = d.Name
	unlock, ok, err := m.opts.Store.TryLock(ctx, lockName(name), lockTTL)
	if err != nil {
		return d, fmt.Errorf("acme order for %s: lock: %w", name, err)
	}
	if !ok {
		return d, fmt.Errorf("acme order for %s: %w", name, ErrBusy)
	}
	defer unlock()

	// Read again under the lock: another node may have just written a
	// certificate, or the operator may have changed the domain.
	if d, err = m.opts.Domains.Get(ctx, name); err != nil {
		if errors.Is(err, domains.ErrNotFound) {
			err = ErrNotInTree
		}
		return d, fmt.Errorf("acme order for %s: %w", name, err)
	}
	if !d.ACMEEnabled {
		return d, fmt.Errorf("acme order for %s: %w (acme_enabled is false)", name, ErrNotACME)
	}
	var st DomainState
	if _, err := loadJSON(ctx, m.opts.Store, stateKey(name), &st); err != nil {
		return d, fmt.Errorf("acme order for %s: %w", name, err)
	}
	now := m.now()
	dec := Plan(Input{Domain: d, State: st, Configured: true, RenewRatio: cfg.RenewRatio, Now: now})
	switch {
	case dec.State == StateManual || dec.State == StateIncomplete:
		return d, fmt.Errorf("acme order for %s: %s", name, dec.Reason)
	case !dec.Order && !force:
		return d, nil
	}

	reg := RegisteredDomain(name)
	var free time.Time
	_, err = updateJSON(ctx, m.opts.Store, budgetKey(reg), func(b *budget) error {
		var ok bool
		if ok, free = b.take(now, cfg.OrdersPerWeek); !ok {
			return ErrBudget
		}
		return nil
	})
	if errors.Is(err, ErrBudget) {
		m.saveState(ctx, name, func(s *DomainState) {
			s.Queued, s.QueuedFor, s.NextAttempt = true, reg, free
		})
		m.log.Warn("acme order queued: weekly budget spent", "domain", name, "registered", reg, "next", free)
		m.report(name, OutcomeQueued)
		return d, fmt.Errorf("acme order for %s: %w: %d orders a week for %s; next order at %s",
			name, ErrBudget, cfg.OrdersPerWeek, reg, free.UTC().Format(time.RFC3339))
	}
	if err != nil {
		return d, fmt.Errorf("acme order for %s: order budget: %w", name, err)
	}

	m.log.Info("acme order", "domain", name, "renewal", dec.Leaf != nil, "directory", cfg.Directory)
	pemText, orderURL, err := m.obtain(ctx, cfg, d, dec.Leaf)
	if err != nil && parent.Err() != nil {
		// Shutting down (or the command was interrupted): not the CA's
		// failure, nothing to back off from.
		return d, fmt.Errorf("acme order for %s: %w", name, parent.Err())
	}
	if err != nil {
		m.saveState(ctx, name, func(s *DomainState) {
			s.Failures++
			s.LastError = err.Error()
			s.LastAttempt = now
			if s.FailingSince.IsZero() {
				s.FailingSince = now
			}
			s.NextAttempt = now.Add(Backoff(s.Failures, nil))
			s.Queued, s.QueuedFor = false, ""
		})
		m.report(name, OutcomeFailed)
		return d, fmt.Errorf("acme order for %s: %w", name, err)
	}
	merged, err := certs.ParseMerged(pemText)
	if err != nil {
		return d, fmt.Errorf("acme order for %s: the issued certificate does not read back: %w", name, err)
	}
	leaf := merged.Pairs[0].Cert.Leaf
	// Record the certificate before writing it, so that no node ever sees
	// it in certificate_pem without knowing it as ours.
	m.saveState(ctx, name, func(s *DomainState) {
		*s = DomainState{LeafSHA256: Fingerprint(leaf), Issued: now, Order: orderURL, LastAttempt: now}
	})
	out, err := m.opts.Domains.Update(ctx, name, domains.Patch{CertificatePEM: &pemText, Revision: d.Revision})
	if err != nil {
		// The operator changed the domain while the order ran: theirs
		// wins, the new certificate is dropped.
		return d, fmt.Errorf("acme order for %s: certificate not written: %w", name, err)
	}
	m.log.Info("acme certificate written", "domain", name, "not_after", leaf.NotAfter, "order", orderURL)
	m.report(name, OutcomeIssued)
	return out, nil
}

// Outcomes of an order, as Options.OnOrder hears them.
const (
	OutcomeIssued = "issued"
	OutcomeFailed = "failed"
	OutcomeQueued = "queued"
)

func (m *Manager) report(domain, outcome string) {
	if m.opts.OnOrder != nil {
		m.opts.OnOrder(domain, outcome)
	}
}

// saveState applies fn to the domain's state in the store, logging a
// failure: the state steers retries, and losing one write costs at most an
// early retry.
func (m *Manager) saveState(ctx context.Context, name string, fn func(*DomainState)) {
	_, err := updateJSON(ctx, m.opts.Store, stateKey(name), func(s *DomainState) error {
		fn(s)
		return nil
	})
	if err != nil {
		m.log.Error("acme: cannot save the domain's state", "domain", name, "err", err)
	}
}

// obtain runs one ACME order for d by HTTP-01 and returns the merged PEM
// with the marker, and the order URL.
func (m *Manager) obtain(ctx context.Context, cfg *clientConfig, d domains.Domain, replaces *x509.Certificate) (string, string, error) {
	client := &acme.Client{
		Directory:   cfg.Directory,
		HTTPClient:  cfg.http,
		UserAgent:   m.opts.UserAgent,
		PollTimeout: pollTimeout,
	}
	acct, err := m.account(ctx, client, cfg.Directory, d.ACMEAccountEmail)
	if err != nil {
		return "", "", err
	}
	key, err := newKey(cfg.KeyType)
	if err != nil {
		return "", "", err
	}
	req := acme.Order{Identifiers: []acme.Identifier{{Type: "dns", Value: d.Name}}}
	if replaces != nil {
		if id, err := acme.ARIUniqueIdentifier(replaces); err == nil {
			req.Replaces = id
		}
	}
	o, err := client.NewOrder(ctx, acct, req)
	var problem acme.Problem
	if err != nil && req.Replaces != "" && errors.As(err, &problem) && problem.Type == acme.ProblemTypeAlreadyReplaced {
		req.Replaces = ""
		o, err = client.NewOrder(ctx, acct, req)
	}
	if err != nil {
		return "", "", fmt.Errorf("new order: %w", err)
	}
	for _, u := range o.Authorizations {
		if err := m.authorize(ctx, client, acct, u, d.Name); err != nil {
			return "", o.Location, fmt.Errorf("order %s: %w", o.Location, err)
		}
	}
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject:  pkix.Name{CommonName: d.Name},
		DNSNames: []string{d.Name},
	}, key)
	if err != nil {
		return "", o.Location, fmt.Errorf("certificate request: %w", err)
	}
	if o, err = client.FinalizeOrder(ctx, acct, o, csr); err != nil {
		return "", o.Location, fmt.Errorf("finalize order %s: %w", o.Location, err)
	}
	chains, err := client.GetCertificateChain(ctx, acct, o.Certificate)
	if err != nil {
		return "", o.Location, fmt.Errorf("download certificate of order %s: %w", o.Location, err)
	}
	if len(chains) == 0 {
		return "", o.Location, fmt.Errorf("order %s: the CA offered no certificate", o.Location)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", o.Location, err
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	bundle, err := certs.Bundle(keyPEM, chains[0].ChainPEM, nil)
	if err != nil {
		return "", o.Location, fmt.Errorf("order %s: the issued chain: %w", o.Location, err)
	}
	marker := certs.FormatMarker(certs.Marker{Issuer: cfg.Directory, Order: o.Location, IssuedAt: m.now()})
	return marker + string(bundle), o.Location, nil
}

// authorize completes one authorization by HTTP-01: the token goes to the
// store, where every node's responder finds it, and is removed afterwards.
func (m *Manager) authorize(ctx context.Context, client *acme.Client, acct acme.Account, url, name string) error {
	authz, err := client.GetAuthorization(ctx, acct, url)
	if err != nil {
		return fmt.Errorf("authorization: %w", err)
	}
	if authz.Status == acme.StatusValid {
		return nil
	}
	if v := authz.IdentifierValue(); !strings.EqualFold(v, name) {
		// Never prove control of a name that is not the domain's.
		return fmt.Errorf("authorization for %q, which is not %s: %w", v, name, ErrNotInTree)
	}
	var chal *acme.Challenge
	for i := range authz.Challenges {
		if authz.Challenges[i].Type == acme.ChallengeTypeHTTP01 {
			chal = &authz.Challenges[i]
			break
		}
	}
	if chal == nil {
		return fmt.Errorf("authorization for %s: the CA offers no http-01 challenge", name)
	}
	if !validToken(chal.Token) {
		return fmt.Errorf("authorization for %s: the CA sent a malformed token", name)
	}
	tok, err := json.Marshal(token{KeyAuth: chal.KeyAuthorization, Domain: name, Expires: m.now().Add(tokenTTL)})
	if err != nil {
		return err
	}
	if err := m.opts.Store.Put(ctx, tokenKey(chal.Token), tok); err != nil {
		return fmt.Errorf("store the challenge token: %w", err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := m.opts.Store.Delete(cctx, tokenKey(chal.Token)); err != nil {
			m.log.Warn("acme: cannot remove a challenge token", "domain", name, "err", err)
		}
	}()
	if _, err := client.InitiateChallenge(ctx, acct, *chal); err != nil {
		return fmt.Errorf("challenge for %s: %w", name, err)
	}
	if _, err := client.PollAuthorization(ctx, acct, authz); err != nil {
		return fmt.Errorf("validation of %s: %w", name, err)
	}
	return nil
}

// newKey makes the key of a certificate.
func newKey(keyType string) (crypto.Signer, error) {
	switch keyType {
	case "rsa-2048":
		return rsa.GenerateKey(rand.Reader, 2048)
	case "", "ecdsa-p256":
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	return nil, fmt.Errorf("key type %q is not ecdsa-p256 or rsa-2048", keyType)
}
