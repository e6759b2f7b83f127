//go:build !linux

package cpu

import (
	"errors"
	"time"
)

// Self is not measured on this system: it returns 0.
func Self() time.Duration { return 0 }

// Tree is not measured on this system.
func Tree(int) (time.Duration, error) {
	return 0, errors.New("process cpu time is only read on linux")
}
