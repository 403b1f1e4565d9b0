package api

import (
	"errors"
	"net/url"
	"reflect"
	"strconv"
	"sync"

	"github.com/innolic/ledger/domain"
)

// interfaceRules are the text rules of interface.php's parameters, read
// from the tags of interfaceParams, which the document is reflected from:
// maxLength, and text:"multiline" for the descriptions.
var interfaceRules = sync.OnceValue(func() map[string]textRule {
	rules := map[string]textRule{}
	walkParams(reflect.TypeFor[interfaceParams](), func(f reflect.StructField) {
		r := textRule{multiline: f.Tag.Get("text") == "multiline", maxLen: maxQueryParam}
		if n, err := strconv.Atoi(f.Tag.Get("maxLength")); err == nil {
			r.maxLen = n
		}
		rules[f.Tag.Get("query")] = r
	})
	return rules
})

// checkInterfaceText holds every parameter of an interface.php call to the
// text rules (domain.CheckText) and refuses the call, in interface.php's
// own success:false form, naming the parameter. Undocumented parameters
// are single-line text of at most maxQueryParam characters.
func checkInterfaceText(q url.Values) error {
	for name, vs := range q {
		if err := domain.CheckText("a parameter's name", name, domain.SingleLine, maxQueryParam); err != nil {
			return asInterfaceError(err)
		}
		r, ok := interfaceRules()[name]
		if !ok {
			r = textRule{maxLen: maxQueryParam}
		}
		for _, v := range vs {
			if err := domain.CheckText("parameter "+name, v, r.multiline, r.maxLen); err != nil {
				return asInterfaceError(err)
			}
		}
	}
	return nil
}

func asInterfaceError(err error) error {
	var de *domain.Error
	if errors.As(err, &de) {
		return interfaceError(de.Detail)
	}
	return err
}
