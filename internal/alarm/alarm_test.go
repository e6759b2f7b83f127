package alarm

import (
	"testing"
	"time"
)

func TestSet(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := NewSet(func() time.Time { return now })
	s.Raise("config_reload_failed", "cfg.yaml", "bad", Critical)
	now = now.Add(time.Minute)
	s.Raise("certificate_expiring", "a.example.com", "soon", Warning)
	s.Raise("config_reload_failed", "cfg.yaml", "worse", Critical)
	got := s.List()
	if len(got) != 2 {
		t.Fatalf("List() = %d alarms, want 2", len(got))
	}
	if got[0].Kind != "config_reload_failed" || got[0].Message != "worse" || !got[0].Since.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("first alarm = %+v, want the reload alarm, updated message, first-raised time", got[0])
	}
	s.Clear("config_reload_failed", "cfg.yaml")
	s.Clear("never", "raised")
	if got := s.List(); len(got) != 1 || got[0].Kind != "certificate_expiring" {
		t.Errorf("after Clear: %+v", got)
	}
}
