package certs

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"unicode/utf16"
)

// The ASN.1 of RFC 7292 (PKCS#12) and RFC 8018 (PKCS#5) that scanPKCS12
// reads. Only what lies outside the encrypted parts is looked at.
type (
	p12PFX struct {
		Version  int
		AuthSafe p12ContentInfo
		MacData  p12MacData `asn1:"optional"`
	}
	p12ContentInfo struct {
		ContentType asn1.ObjectIdentifier
		Content     asn1.RawValue `asn1:"tag:0,explicit,optional"`
	}
	p12MacData struct {
		Mac        p12DigestInfo
		MacSalt    []byte
		Iterations int `asn1:"optional,default:1"`
	}
	p12DigestInfo struct {
		Algorithm pkix.AlgorithmIdentifier
		Digest    []byte
	}
	p12EncryptedData struct {
		Version int
		Info    p12EncryptedContentInfo
	}
	p12EncryptedContentInfo struct {
		ContentType asn1.ObjectIdentifier
		Algorithm   pkix.AlgorithmIdentifier
		Content     []byte `asn1:"tag:0,optional"`
	}
	p12SafeBag struct {
		ID         asn1.ObjectIdentifier
		Value      asn1.RawValue  `asn1:"tag:0,explicit"`
		Attributes []p12Attribute `asn1:"set,optional"`
	}
	p12Attribute struct {
		ID     asn1.ObjectIdentifier
		Values asn1.RawValue `asn1:"set"`
	}
	p12ShroudedKey struct {
		Algorithm pkix.AlgorithmIdentifier
		Data      []byte
	}
	p12PBEParams struct {
		Salt       []byte
		Iterations int
	}
	p12PBES2Params struct {
		KDF    pkix.AlgorithmIdentifier
		Scheme pkix.AlgorithmIdentifier
	}
	p12PBKDF2Params struct {
		Salt       asn1.RawValue
		Iterations int
		// keyLength and prf may follow; asn1 ignores trailing elements.
	}
)

var (
	oidP7Data           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidP7EncryptedData  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 6}
	oidP12KeyBag        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 1}
	oidP12ShroudedBag   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 2}
	oidP12FriendlyName  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 20}
	oidP12PBEPrefix     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1}
	oidPKCS5PBES2       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPKCS5PBMAC1      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 14}
	oidPKCS5PBKDF2      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	errP12Indefinite    = kindErrorf(ErrUnsupported, "the PKCS#12 file is BER-encoded (indefinite lengths), which is not supported; re-export it with openssl pkcs12")
	errP12SignedPFX     = kindErrorf(ErrUnsupported, "PKCS#12 files protected by a signature instead of a password are not supported")
	errP12BadFriendly   = errors.New("malformed PKCS#12: bad friendlyName")
	errP12BadIterations = errors.New("malformed PKCS#12: bad key-derivation parameters")
)

// p12Info is what scanPKCS12 learns of a file without its password.
type p12Info struct {
	hasMAC   bool
	keyBags  int      // private keys stored outside the encrypted parts
	keyNames []string // their friendlyNames ("" for none), in file order
}

// scanPKCS12 walks the unencrypted structure of a PKCS#12 file: it refuses
// BER encoding and key-derivation iteration counts above maxIter (in the MAC
// and in every encryption whose parameters are visible), and counts and
// names the private keys. keytool and openssl keep the shrouded keys
// outside the encrypted part, so their names and iteration counts are seen
// here; keys inside an encrypted part are decrypted by go-pkcs12 only after
// the MAC has verified the password.
func scanPKCS12(data []byte, maxIter int) (p12Info, error) {
	var info p12Info
	if len(data) > 1 && data[1] == 0x80 {
		return info, errP12Indefinite
	}
	var pfx p12PFX
	rest, err := asn1.Unmarshal(data, &pfx)
	if err != nil {
		return info, fmt.Errorf("malformed PKCS#12: %w", err)
	}
	if len(rest) > 0 {
		return info, fmt.Errorf("malformed PKCS#12: %d bytes after the end", len(rest))
	}
	if pfx.Version != 3 {
		return info, kindErrorf(ErrUnsupported, "PKCS#12 version %d is not supported", pfx.Version)
	}
	if !pfx.AuthSafe.ContentType.Equal(oidP7Data) {
		return info, errP12SignedPFX
	}
	if mac := pfx.MacData.Mac.Algorithm; len(mac.Algorithm) > 0 {
		info.hasMAC = true
		if mac.Algorithm.Equal(oidPKCS5PBMAC1) {
			err = checkPBKDF2In(mac.Parameters.FullBytes, maxIter)
		} else {
			err = checkIterations(pfx.MacData.Iterations, maxIter)
		}
		if err != nil {
			return info, err
		}
	}
	var safe []p12ContentInfo
	if err := unmarshalOctets(pfx.AuthSafe.Content.Bytes, &safe); err != nil {
		return info, fmt.Errorf("malformed PKCS#12: %w", err)
	}
	for _, ci := range safe {
		switch {
		case ci.ContentType.Equal(oidP7Data):
			var bags []p12SafeBag
			if err := unmarshalOctets(ci.Content.Bytes, &bags); err != nil {
				return info, fmt.Errorf("malformed PKCS#12: %w", err)
			}
			if err := scanBags(bags, maxIter, &info); err != nil {
				return info, err
			}
		case ci.ContentType.Equal(oidP7EncryptedData):
			var ed p12EncryptedData
			if _, err := asn1.Unmarshal(ci.Content.Bytes, &ed); err != nil {
				return info, fmt.Errorf("malformed PKCS#12: %w", err)
			}
			if err := checkPBE(ed.Info.Algorithm, maxIter); err != nil {
				return info, err
			}
		}
	}
	return info, nil
}

// unmarshalOctets reads an OCTET STRING from der and then v from its
// contents.
func unmarshalOctets(der []byte, v any) error {
	var octets []byte
	if _, err := asn1.Unmarshal(der, &octets); err != nil {
		return err
	}
	_, err := asn1.Unmarshal(octets, v)
	return err
}

func scanBags(bags []p12SafeBag, maxIter int, info *p12Info) error {
	for _, bag := range bags {
		switch {
		case bag.ID.Equal(oidP12KeyBag):
		case bag.ID.Equal(oidP12ShroudedBag):
			var sk p12ShroudedKey
			if _, err := asn1.Unmarshal(bag.Value.Bytes, &sk); err != nil {
				return fmt.Errorf("malformed PKCS#12: %w", err)
			}
			if err := checkPBE(sk.Algorithm, maxIter); err != nil {
				return err
			}
		default:
			continue
		}
		name, err := friendlyName(bag.Attributes)
		if err != nil {
			return err
		}
		info.keyBags++
		info.keyNames = append(info.keyNames, name)
	}
	return nil
}

// friendlyName returns the friendlyName attribute (a BMPString), or "".
func friendlyName(attrs []p12Attribute) (string, error) {
	for _, a := range attrs {
		if !a.ID.Equal(oidP12FriendlyName) {
			continue
		}
		var v asn1.RawValue
		if _, err := asn1.Unmarshal(a.Values.Bytes, &v); err != nil || v.Tag != asn1.TagBMPString || len(v.Bytes)%2 != 0 {
			return "", errP12BadFriendly
		}
		u := make([]uint16, 0, len(v.Bytes)/2)
		for i := 0; i < len(v.Bytes); i += 2 {
			u = append(u, uint16(v.Bytes[i])<<8|uint16(v.Bytes[i+1]))
		}
		return string(utf16.Decode(u)), nil
	}
	return "", nil
}

// checkPBE checks the iteration count of a password-based encryption: the
// PKCS#12 PBE algorithms or PBES2 with PBKDF2. Other algorithms are left to
// go-pkcs12, which refuses what it does not know.
func checkPBE(alg pkix.AlgorithmIdentifier, maxIter int) error {
	switch {
	case len(alg.Algorithm) == len(oidP12PBEPrefix)+1 && alg.Algorithm[:len(oidP12PBEPrefix)].Equal(oidP12PBEPrefix):
		var p p12PBEParams
		if _, err := asn1.Unmarshal(alg.Parameters.FullBytes, &p); err != nil {
			return errP12BadIterations
		}
		return checkIterations(p.Iterations, maxIter)
	case alg.Algorithm.Equal(oidPKCS5PBES2):
		return checkPBKDF2In(alg.Parameters.FullBytes, maxIter)
	}
	return nil
}

// checkPBKDF2In checks the PBKDF2 iteration count inside PBES2 or PBMAC1
// parameters: both start with the key-derivation AlgorithmIdentifier.
func checkPBKDF2In(params []byte, maxIter int) error {
	var p p12PBES2Params
	if _, err := asn1.Unmarshal(params, &p); err != nil {
		return errP12BadIterations
	}
	if !p.KDF.Algorithm.Equal(oidPKCS5PBKDF2) {
		return nil
	}
	var k p12PBKDF2Params
	if _, err := asn1.Unmarshal(p.KDF.Parameters.FullBytes, &k); err != nil {
		return errP12BadIterations
	}
	return checkIterations(k.Iterations, maxIter)
}

func checkIterations(n, maxIter int) error {
	if n > maxIter {
		return kindErrorf(ErrUnsupported, "PKCS#12 key-derivation iteration count %d is above the limit of %d", n, maxIter)
	}
	return nil
}
