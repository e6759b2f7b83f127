package domains

import (
	"errors"
	"net/mail"
	"strings"
	"unicode/utf8"
)

// Limits of the text fields. A merged PEM with a key and a long chain takes
// tens of kilobytes; the store holds up to the same mebibyte.
const (
	MaxCertificatePEMLen = 1 << 20
	maxEmailLen          = 254 // RFC 5321's path limit, less the brackets
)

// checkFields validates the fields of d other than its name and parent,
// returning one *FieldError per bad field, joined.
func checkFields(d Domain) error {
	var errs []error
	switch pem := d.CertificatePEM; {
	case len(pem) > MaxCertificatePEMLen:
		errs = append(errs, fieldErr("certificate_pem", "is %d bytes long, more than %d", len(pem), MaxCertificatePEMLen))
	case !utf8.ValidString(pem):
		errs = append(errs, fieldErr("certificate_pem", "is not valid UTF-8 text"))
	case strings.IndexByte(pem, 0) >= 0:
		errs = append(errs, fieldErr("certificate_pem", "holds a NUL byte"))
	}
	if msg := checkEmail(d.ACMEAccountEmail); msg != "" {
		errs = append(errs, fieldErr("acme_account_email", "%s", msg))
	} else if d.ACMEEnabled && d.ACMEAccountEmail == "" {
		errs = append(errs, fieldErr("acme_account_email", "is required when acme_enabled is true"))
	}
	return errors.Join(errs...)
}

// checkEmail says what is wrong with an ACME account address, "" if nothing
// is. An empty address is fine; otherwise it must be a bare address
// (ops@example.com), without display name or angle brackets, since the CA
// receives it as a mailto: contact.
func checkEmail(email string) string {
	if email == "" {
		return ""
	}
	if len(email) > maxEmailLen {
		return quote(email) + " is longer than 254 characters"
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Name != "" || addr.Address != email {
		return quote(email) + " is not an e-mail address such as ops@example.com"
	}
	return ""
}
