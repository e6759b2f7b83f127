// Package alarm keeps the alarms that GET /api/v1/system/state shows: things
// an operator must look at (a refused reload, an expiring certificate). An
// alarm is raised by a subsystem and stays until that subsystem clears it.
package alarm

import (
	"cmp"
	"slices"
	"sync"
	"time"
)

// Severity of an alarm.
type Severity string

// Severities.
const (
	Warning  Severity = "warning"
	Critical Severity = "critical"
)

// Alarm is one condition, identified by its kind and subject.
type Alarm struct {
	Kind     string    `json:"kind"`
	Subject  string    `json:"subject"`
	Message  string    `json:"message"`
	Since    time.Time `json:"since"`
	Severity Severity  `json:"severity"`
}

type key struct{ kind, subject string }

// Set holds the raised alarms. It is safe for concurrent use.
type Set struct {
	now func() time.Time
	mu  sync.Mutex
	m   map[key]Alarm
}

// NewSet returns an empty Set; now may be nil (time.Now).
func NewSet(now func() time.Time) *Set {
	if now == nil {
		now = time.Now
	}
	return &Set{now: now, m: make(map[key]Alarm)}
}

// Raise raises the alarm (kind, subject) or updates its message and
// severity; Since stays the time it was first raised.
func (s *Set) Raise(kind, subject, message string, sev Severity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := key{kind, subject}
	a, ok := s.m[k]
	if !ok {
		a = Alarm{Kind: kind, Subject: subject, Since: s.now().UTC()}
	}
	a.Message, a.Severity = message, sev
	s.m[k] = a
}

// Clear drops the alarm (kind, subject) if it is raised.
func (s *Set) Clear(kind, subject string) {
	s.mu.Lock()
	delete(s.m, key{kind, subject})
	s.mu.Unlock()
}

// List returns the raised alarms, oldest first.
func (s *Set) List() []Alarm {
	s.mu.Lock()
	out := make([]Alarm, 0, len(s.m))
	for _, a := range s.m {
		out = append(out, a)
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b Alarm) int {
		return cmp.Or(a.Since.Compare(b.Since), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Subject, b.Subject))
	})
	return out
}
