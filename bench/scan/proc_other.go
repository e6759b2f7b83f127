//go:build !linux

package main

import (
	"os/exec"
	"syscall"
	"time"
)

// childAttrs sets nothing on this system.
func childAttrs() *syscall.SysProcAttr { return nil }

// endChild kills cmd: there is no portable gentler signal.
func endChild(cmd *exec.Cmd, done <-chan struct{}, _ time.Duration) {
	_ = cmd.Process.Kill()
	<-done
}
