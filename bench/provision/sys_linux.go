package main

import (
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"syscall"
)

// peakRSS returns the process's peak resident set size (VmHWM of
// /proc/self/status), 0 when unknown.
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range bytes.Lines(data) {
		if v, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			kb, err := strconv.ParseInt(string(bytes.TrimSuffix(bytes.TrimSpace(v), []byte(" kB"))), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}

// detach puts cmd in its own process group (a Ctrl-C in the terminal
// reaches this program, which stops cmd itself) and has the kernel send it
// SIGTERM should this program die first.
func detach(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}

// terminate asks the process to stop (nginx: fast shutdown).
func terminate(p *os.Process) { _ = p.Signal(syscall.SIGTERM) }

// killGroup kills the process group of pid (nginx's master and workers).
func killGroup(pid int) { _ = syscall.Kill(-pid, syscall.SIGKILL) }
