package main

import (
	"os/exec"
	"syscall"
	"time"
)

// childAttrs runs a child in its own process group, so that a Ctrl-C
// reaches this program alone (which stops its children in order), and has
// the kernel send it SIGTERM should this program die first.
func childAttrs() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}

// endChild sends SIGTERM to cmd and, if it has not exited (done closed)
// within grace, SIGKILL to its whole group.
func endChild(cmd *exec.Cmd, done <-chan struct{}, grace time.Duration) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(grace):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
}
