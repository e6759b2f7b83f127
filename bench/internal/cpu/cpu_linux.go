// Package cpu reads the CPU time of processes for the benchmarks: their
// own, and that of a server process with its direct children.
package cpu

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, the unit of /proc/PID/stat times: 100 on every
// Linux architecture Go supports.
const clockTicks = 100

// Self returns the user and system CPU time this process has used.
func Self() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Tree returns the user and system CPU time of process pid and of its live
// direct children (nginx's workers, or the binary under `go run`), with the
// 10 ms resolution of /proc.
func Tree(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("read cpu time: %w", err)
	}
	_, ticks, err := parseStat(data)
	if err != nil {
		return 0, fmt.Errorf("read cpu time of %d: %w", pid, err)
	}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, path := range stats {
		data, err := os.ReadFile(path)
		if err != nil {
			continue // gone meanwhile
		}
		if ppid, t, err := parseStat(data); err == nil && ppid == pid {
			ticks += t
		}
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

// parseStat reads the parent pid and utime+stime (in clock ticks) from the
// contents of /proc/PID/stat. The command name, in parentheses, may itself
// hold spaces and parentheses, so fields are counted from the last ')'.
func parseStat(data []byte) (ppid int, ticks int64, err error) {
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, 0, fmt.Errorf("no command name in stat")
	}
	// After the name: state(3) ppid(4) ... utime(14) stime(15).
	f := bytes.Fields(data[i+1:])
	if len(f) < 13 {
		return 0, 0, fmt.Errorf("stat has %d fields after the name, want at least 13", len(f))
	}
	if ppid, err = strconv.Atoi(string(f[1])); err != nil {
		return 0, 0, fmt.Errorf("ppid: %w", err)
	}
	for _, s := range f[11:13] {
		n, err := strconv.ParseInt(string(s), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("cpu time: %w", err)
		}
		ticks += n
	}
	return ppid, ticks, nil
}
