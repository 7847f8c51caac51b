// Package component holds what every plugin kind shares with the config
// loader: attribute errors that the loader turns into FILE:LINE:COL messages.
package component

import (
	"errors"
	"fmt"
)

// AttrError is a problem with one attribute of a plugin block. Attr is the
// attribute name, or a dotted path into a nested block ("batch.interval";
// "table[1].when" names the second of repeated blocks);
// empty means the block as a whole.
type AttrError struct {
	Attr string
	Msg  string
}

func (e *AttrError) Error() string {
	if e.Attr == "" {
		return e.Msg
	}
	return e.Attr + ": " + e.Msg
}

// Errorf builds an AttrError for attr.
func Errorf(attr, format string, args ...any) error {
	return &AttrError{Attr: attr, Msg: fmt.Sprintf(format, args...)}
}

// AttrErrors flattens err (possibly an errors.Join tree) into AttrErrors;
// plain errors become block-level AttrErrors.
func AttrErrors(err error) []*AttrError {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []*AttrError
		for _, e := range j.Unwrap() {
			out = append(out, AttrErrors(e)...)
		}
		return out
	}
	var ae *AttrError
	if errors.As(err, &ae) {
		return []*AttrError{ae}
	}
	return []*AttrError{{Msg: err.Error()}}
}

// Validator is implemented by plugin configs that check themselves after
// decoding. Return AttrErrors (joined with errors.Join) so that each problem
// gets the position of its attribute.
type Validator interface {
	Validate() error
}
