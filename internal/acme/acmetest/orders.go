package acmetest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/letsencrypt/pebble/v2/wfe"
)

// OrderRecord is a new-order request that Pebble accepted (answered 201).
type OrderRecord struct {
	// Identifiers are the values of the identifiers the client asked for
	// ("a.pbx.test"), in the order it sent them.
	Identifiers []string
	// Replaces is the ARI certificate ID of the certificate the order
	// replaces ("AKID.SERIAL", base64url), or "" if none.
	Replaces string
	// Time is when Pebble accepted the order.
	Time time.Time
}

// NewOrders returns the number of new-order requests Pebble has accepted
// so far. Requests it refused (bad nonce, alreadyReplaced, …) do not
// count.
func (c *CA) NewOrders() int { return c.orders.len() }

// Orders returns the new-order requests Pebble has accepted so far, oldest
// first.
func (c *CA) Orders() []OrderRecord { return c.orders.list() }

// orderLog wraps Pebble's handler and records the new-order requests it
// accepts.
type orderLog struct {
	next http.Handler
	// path is Pebble's new-order path, read from its directory.
	path string

	mu     sync.Mutex
	orders []OrderRecord
}

// newOrderLog wraps next, Pebble's handler.
func newOrderLog(ctx context.Context, next http.Handler) (*orderLog, error) {
	path, err := newOrderPath(ctx, next)
	if err != nil {
		return nil, err
	}
	return &orderLog{next: next, path: path}, nil
}

// newOrderPath asks Pebble's handler, in process, for its directory and
// returns the path of its newOrder URL.
func newOrderPath(ctx context.Context, h http.Handler) (string, error) {
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, "https://127.0.0.1"+wfe.DirectoryPath, nil)
	req.Header.Set("User-Agent", "acmetest") // Pebble refuses requests without one
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		return "", fmt.Errorf("pebble directory: status %d: %s", rec.Code, rec.Body.Bytes())
	}
	var dir struct {
		NewOrder    string `json:"newOrder"`
		RenewalInfo string `json:"renewalInfo"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &dir); err != nil {
		return "", fmt.Errorf("pebble directory: %w", err)
	}
	if dir.RenewalInfo == "" {
		return "", errors.New("pebble directory: no renewalInfo (ARI) endpoint")
	}
	u, err := url.Parse(dir.NewOrder)
	if err != nil || u.Path == "" {
		return "", fmt.Errorf("pebble directory: newOrder %q is not a URL", dir.NewOrder)
	}
	return u.Path, nil
}

func (l *orderLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != l.path {
		l.next.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "reading request: "+err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))

	// Hold Pebble's answer until the order is recorded, so that a client
	// that sees 201 also sees it counted.
	buf := &bufferedResponse{header: w.Header(), status: http.StatusOK}
	l.next.ServeHTTP(buf, r)
	if buf.status == http.StatusCreated {
		rec := parseNewOrder(body)
		rec.Time = time.Now()
		l.mu.Lock()
		l.orders = append(l.orders, rec)
		l.mu.Unlock()
	}
	w.WriteHeader(buf.status)
	_, _ = w.Write(buf.body.Bytes()) // the client went away; nothing to do
}

func (l *orderLog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.orders)
}

func (l *orderLog) list() []OrderRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]OrderRecord, len(l.orders))
	for i, o := range l.orders {
		o.Identifiers = slices.Clone(o.Identifiers)
		out[i] = o
	}
	return out
}

// parseNewOrder reads the identifiers and replaces of a new-order request,
// a flattened JWS JSON whose payload Pebble has just accepted. It does not
// verify the signature: Pebble did. A request it cannot read is recorded
// empty.
func parseNewOrder(body []byte) OrderRecord {
	var jws struct {
		Payload string `json:"payload"`
	}
	if json.Unmarshal(body, &jws) != nil {
		return OrderRecord{}
	}
	payload, err := base64.RawURLEncoding.DecodeString(jws.Payload)
	if err != nil {
		return OrderRecord{}
	}
	var order struct {
		Identifiers []struct {
			Value string `json:"value"`
		} `json:"identifiers"`
		Replaces string `json:"replaces"`
	}
	if json.Unmarshal(payload, &order) != nil {
		return OrderRecord{}
	}
	rec := OrderRecord{Replaces: order.Replaces}
	for _, id := range order.Identifiers {
		rec.Identifiers = append(rec.Identifiers, id.Value)
	}
	return rec
}

// bufferedResponse is an http.ResponseWriter that keeps the status and
// body for later; headers go straight to the real writer's map, which is
// not sent before its WriteHeader.
type bufferedResponse struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(status int) {
	if b.wrote {
		return
	}
	b.status, b.wrote = status, true
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	b.wrote = true
	return b.body.Write(p)
}
