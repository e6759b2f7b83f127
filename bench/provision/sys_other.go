//go:build !linux

package main

import (
	"os"
	"os/exec"
)

// peakRSS is not measured on this system.
func peakRSS() int64 { return 0 }

// detach does nothing on this system.
func detach(*exec.Cmd) {}

// terminate kills the process: there is no portable gentler signal.
func terminate(p *os.Process) { _ = p.Kill() }

// killGroup does nothing more on this system.
func killGroup(int) {}
