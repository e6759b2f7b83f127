//go:build !linux

package main

import (
	"errors"
	"time"
)

// selfCPU is not measured on this system: the report shows 0.
func selfCPU() time.Duration { return 0 }

// processTreeCPU is not measured on this system.
func processTreeCPU(int) (time.Duration, error) {
	return 0, errors.New("process cpu time is only read on linux")
}
