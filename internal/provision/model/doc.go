// Package model is the vendor-neutral description of a SIP phone that
// pbxgate provisions: the [Settings] an operator sets on templates and
// devices, how they layer ([Merge]: global template → tenant template →
// device, later wins), and the resolved [Phone] that a vendor renderer turns
// into files.
//
// Settings fields are pointers or nil-able collections: nil means "not set
// here", so a layer overrides only what it sets and a renderer writes only
// what somebody set, leaving the phone's own default for the rest.
//
// The package is pure: no I/O, no storage, no HTTP.
package model
