//go:build !linux

package main

import (
	"errors"
	"os"
	"os/exec"
	"time"
)

// selfCPU is not measured on this system: the report shows 0.
func selfCPU() time.Duration { return 0 }

// treeCPU is not measured on this system.
func treeCPU(int) (time.Duration, error) {
	return 0, errors.New("process cpu time is only read on linux")
}

// peakRSS is not measured on this system.
func peakRSS() int64 { return 0 }

// detach does nothing on this system.
func detach(*exec.Cmd) {}

// terminate kills the process: there is no portable gentler signal.
func terminate(p *os.Process) { _ = p.Kill() }

// killGroup does nothing more on this system.
func killGroup(int) {}
