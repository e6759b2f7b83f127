package cpu

import "testing"

func TestParseStat(t *testing.T) {
	tests := []struct {
		name      string
		stat      string
		wantPPID  int
		wantTicks int64
		wantErr   bool
	}{
		{name: "ok/plain", stat: "42 (nginx) S 7 42 42 0 -1 4194624 100 0 0 0 150 25 0 0 20 0 1 0 1000 0 0",
			wantPPID: 7, wantTicks: 175},
		{name: "ok/name-with-spaces-and-parens", stat: "9 (a) b (c)) R 1 9 9 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 1 0 0",
			wantPPID: 1, wantTicks: 7},
		{name: "fail/no-name", stat: "42 nginx S 7", wantErr: true},
		{name: "fail/short", stat: "42 (nginx) S 7 42", wantErr: true},
		{name: "fail/not-a-number", stat: "42 (nginx) S 7 42 42 0 -1 4194624 100 0 0 0 x 25 0", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ppid, ticks, err := parseStat([]byte(tt.stat))
			if tt.wantErr {
				if err == nil {
					t.Fatalf("parseStat = %d, %d, want an error", ppid, ticks)
				}
				return
			}
			if err != nil || ppid != tt.wantPPID || ticks != tt.wantTicks {
				t.Fatalf("parseStat = %d, %d, %v; want %d, %d", ppid, ticks, err, tt.wantPPID, tt.wantTicks)
			}
		})
	}
}
