package provision

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pbxgate/pbxgate/internal/provision/model"
	"github.com/pbxgate/pbxgate/internal/provision/vendors"
)

// AddDevice creates a device with fresh HTTP credentials.
func (s *Service) AddDevice(ctx context.Context, d Device) (Device, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	mac, err := model.ParseMAC(string(d.MAC))
	if err != nil {
		return Device{}, &FieldError{Field: "mac", Msg: fmt.Sprintf("%q is not a MAC address", d.MAC)}
	}
	d.MAC = mac
	if err := s.checkDevice(ctx, &d); err != nil {
		return Device{}, err
	}
	d.HTTPUsername = "dev-" + mac.String()
	d.HTTPPassword = NewSecret(24)
	d.OwnCredentialsUsed = false
	d.Created = s.opts.Now().UTC()
	d.Updated = d.Created
	if err := s.put(ctx, "dev/"+mac.String(), 0, &d); err != nil {
		return Device{}, wrapStore("add device", err)
	}
	stored := d
	return d, s.changed(ctx, func(x *index) { x.putDevice(&stored) })
}

// UpdateDevice replaces what an operator sets of a device (tenant, model,
// template, label, lines, settings), keeping its credentials.
func (s *Service) UpdateDevice(ctx context.Context, d Device) (Device, error) {
	return s.modifyDevice(ctx, d.MAC, true, func(cur *Device) error {
		next := *cur
		next.Domain, next.Model, next.Template, next.Label = d.Domain, d.Model, d.Template, d.Label
		next.Lines, next.Settings = d.Lines, d.Settings
		if err := s.checkDevice(ctx, &next); err != nil {
			return err
		}
		*cur = next
		return nil
	})
}

// RotateCredentials gives the device a new HTTP password, and the old one
// stops working at once (the reason to rotate is usually that it leaked).
// The phone still holds the old one: it gets its new file through the
// tenant's bootstrap credentials from an allowed network (which
// lock_bootstrap allows again, as the new password has not been used yet),
// or the operator enters the new one on the phone.
func (s *Service) RotateCredentials(ctx context.Context, mac model.MAC) (Device, error) {
	return s.modifyDevice(ctx, mac, true, func(cur *Device) error {
		cur.HTTPPassword = NewSecret(24)
		cur.OwnCredentialsUsed = false
		return nil
	})
}

// markOwnCredentialsUsed records the first fetch with the device's own
// credentials.
func (s *Service) markOwnCredentialsUsed(ctx context.Context, mac model.MAC) error {
	// The flag is in no file: the rendered files stay cached.
	_, err := s.modifyDevice(ctx, mac, false, func(cur *Device) error {
		cur.OwnCredentialsUsed = true
		return nil
	})
	return err
}

// modifyDevice reads, changes and writes a device, retrying a few times
// when another writer got in between.
func (s *Service) modifyDevice(ctx context.Context, mac model.MAC, files bool, change func(*Device) error) (Device, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	m, err := model.ParseMAC(string(mac))
	if err != nil {
		return Device{}, ErrNotFound
	}
	key := "dev/" + m.String()
	for range 5 {
		var d Device
		ver, err := s.get(ctx, key, &d)
		if err != nil {
			return Device{}, wrapStore("read device", err)
		}
		if ver == 0 {
			return Device{}, ErrNotFound
		}
		if err := change(&d); err != nil {
			return Device{}, err
		}
		d.Updated = s.opts.Now().UTC()
		err = s.put(ctx, key, ver, &d)
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			return Device{}, wrapStore("write device", err)
		}
		stored := d
		return d, s.changedFiles(ctx, func(x *index) { x.putDevice(&stored) }, files)
	}
	return Device{}, ErrConflict
}

// DeleteDevice removes a device.
func (s *Service) DeleteDevice(ctx context.Context, mac model.MAC) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	m, err := model.ParseMAC(string(mac))
	if err != nil {
		return ErrNotFound
	}
	if _, ok := s.Device(m); !ok {
		return ErrNotFound
	}
	if err := s.opts.Store.Delete(ctx, "dev/"+m.String()); err != nil {
		return wrapStore("delete device", err)
	}
	return s.changed(ctx, func(x *index) { x.deleteDevice(m) })
}

// Device returns one device.
func (s *Service) Device(mac model.MAC) (Device, bool) {
	x := s.idx
	x.mu.RLock()
	defer x.mu.RUnlock()
	d, ok := x.devices[mac]
	if !ok {
		return Device{}, false
	}
	return *d, true
}

// Devices lists the devices, of one tenant when domain is not empty, by MAC.
func (s *Service) Devices(domain string) []Device {
	x := s.idx
	x.mu.RLock()
	defer x.mu.RUnlock()
	var out []Device
	for _, d := range x.devices {
		if domain == "" || d.Domain == domain {
			out = append(out, *d)
		}
	}
	slices.SortFunc(out, func(a, b Device) int { return strings.Compare(string(a.MAC), string(b.MAC)) })
	return out
}

// DeviceFetches returns the last fetches of a device, newest first.
func (s *Service) DeviceFetches(ctx context.Context, mac model.MAC, limit int) ([]Fetch, error) {
	return s.opts.Store.Fetches(ctx, mac.String(), limit)
}

// callerIDSources are the values of a line's caller_id_source.
var callerIDSources = []string{"", "from", "pai", "rpid"}

// checkDevice validates what an operator sets of a device.
func (s *Service) checkDevice(ctx context.Context, d *Device) error {
	var errs FieldErrors
	s.checkDomain(ctx, &errs, "domain", d.Domain, true)
	_, m, ok := vendors.FindModel(d.Model)
	if !ok {
		errs.add("model", "%q is not a supported vendor/model (GET /api/v1/provisioning/models)", d.Model)
	}
	if d.Template != "" && !slug(d.Template) {
		errs.add("template", "%q is not a template name", d.Template)
	}
	if !plainText(d.Label, 128) {
		errs.add("label", "longer than 128 bytes or holds a control character")
	}
	seen := map[int]bool{}
	x := s.idx
	for i, l := range d.Lines {
		f := fmt.Sprintf("lines[%d]", i)
		switch {
		case l.Line < 1 || ok && l.Line > m.Lines:
			errs.add(f+".line", "%d is not a line of %s (1 to %d)", l.Line, d.Model, m.Lines)
		case seen[l.Line]:
			errs.add(f+".line", "line %d is bound twice", l.Line)
		}
		seen[l.Line] = true
		x.mu.RLock()
		_, known := x.exts[extKey(d.Domain, l.Extension)]
		x.mu.RUnlock()
		if !known {
			errs.add(f+".extension", "%q is not an extension of %s", l.Extension, d.Domain)
		}
		if !plainText(l.Label, 64) {
			errs.add(f+".label", "longer than 64 bytes or holds a control character")
		}
		if !slices.Contains(callerIDSources, l.CallerIDSource) {
			errs.add(f+".caller_id_source", "%q is not from, pai or rpid", l.CallerIDSource)
		}
		if l.LocalSIPPort != 0 && (l.LocalSIPPort < 10000 || l.LocalSIPPort > 20000) {
			errs.add(f+".local_sip_port", "%d is not between 10000 and 20000", l.LocalSIPPort)
		}
		if l.SRTP != "" && !slices.Contains(model.SRTPModes, l.SRTP) {
			errs.add(f+".srtp", "%q is not off, optional or mandatory", l.SRTP)
		}
	}
	slices.SortFunc(d.Lines, func(a, b DeviceLine) int { return a.Line - b.Line })
	for _, p := range d.Settings.Validate("settings.") {
		errs.add(p.Field, "%s", p.Msg)
	}
	return errs.err()
}
