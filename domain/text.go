package domain

import "unicode/utf8"

// Limits of the free-text fields, in characters (Unicode code points). The
// deciders enforce them for every caller; the HTTP API documents the same
// numbers as maxLength and refuses longer input before decoding. Logs
// written before a limit existed may hold longer texts: the limits bind new
// commands only.
const (
	MaxCompanyName    = 200
	MaxPersonName     = 200
	MaxProjectName    = 100
	MaxDeviceName     = 100
	MaxComment        = 1000 // device, activation key, redemption and automatic-SSA comments
	MaxReason         = 1000 // RMA request and automatic-SSA end reasons
	MaxOrderNumber    = 100  // order numbers and order references
	MaxTokenLabel     = 100
	MaxEmail          = 254 // RFC 5321's path limit
	MaxUpdateURL      = 2000
	MaxCertificate    = 16384
	MaxTrustValue     = 128
	MaxLicenseType    = 100 // license and device type names (catalog lookups)
	MaxDeviceSelector = 100 // a MAC in any input form, a key code, a reminder key
)

// Text kinds: a single-line field (names, numbers, labels) holds no
// control character at all; a multi-line field (descriptions, comments,
// mail texts) may hold tab and newline.
const (
	SingleLine = false
	MultiLine  = true
)

// IsTextRune reports whether r may appear in free text. NUL and the C0 and
// C1 control characters (U+0000–U+001F, U+007F–U+009F) are refused: no one
// types them, terminals and mail clients interpret them, and Postgres text
// cannot hold NUL, so one of them would stop the read-model projector.
// Tab and newline are allowed in multi-line text.
func IsTextRune(r rune, multiline bool) bool {
	switch {
	case r == '\t' || r == '\n':
		return multiline
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return false
	}
	return true
}

// CheckText refuses text that is not valid UTF-8, holds a character
// IsTextRune refuses, or (maxLen > 0) is longer than maxLen characters, with
// the code invalid-text naming the field. The HTTP API applies it to query
// and path parameters; bodies are checked as they are read.
func CheckText(field, v string, multiline bool, maxLen int) error {
	if !utf8.ValidString(v) {
		return Errorf(KindInvalid, "invalid-text", "%s must be valid UTF-8", field)
	}
	n := 0
	for _, r := range v {
		if !IsTextRune(r, multiline) {
			return Errorf(KindInvalid, "invalid-text", "%s must not contain the control character U+%04X", field, r)
		}
		n++
	}
	if maxLen > 0 && n > maxLen {
		return Errorf(KindInvalid, "invalid-text", "%s has at most %d characters", field, maxLen)
	}
	return nil
}

// checkTexts runs CheckText on the fields of one command in order and
// returns the first refusal.
func checkTexts(fields ...textField) error {
	for _, f := range fields {
		if err := CheckText(f.name, f.value, f.multiline, f.maxLen); err != nil {
			return err
		}
	}
	return nil
}

// textField is one free-text field of a command, for checkTexts.
type textField struct {
	name      string
	value     string
	multiline bool
	maxLen    int
}

// line and lines build the textFields of single-line and multi-line text.
func line(name, v string, maxLen int) textField  { return textField{name, v, SingleLine, maxLen} }
func lines(name, v string, maxLen int) textField { return textField{name, v, MultiLine, maxLen} }

// optional is the value of an optional text (an absent one is empty).
func optional(v *string) string {
	if v == nil {
		return ""
	}
	return *v
}
