package api

import (
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/byoos/byoos/names"
)

// This file holds the checks at the edge of the API: text that identifies a
// request (path, query, headers) and every string of a JSON body are checked
// before a handler or the store sees them, so that a NUL byte or invalid
// UTF-8 is a 400 naming where it is, and never a database error; and the
// names, labels and annotations users give are held to package names' rules.

func badRequest(format string, args ...any) *Error {
	return apiError(CodeBadRequest, format, args...)
}

// checkRequest refuses a request whose path segments, query parameters
// (percent-decoded) or identifying headers hold invalid UTF-8, NUL or
// another control character, naming the part.
func checkRequest(r *http.Request) *Error {
	if names.Plain(r.URL.Path) != nil { // split only to name the segment
		for _, seg := range strings.Split(r.URL.Path, "/") {
			if e := names.Plain(seg); e != nil {
				return badRequest("path segment %s %s", names.Quote(seg), e.Msg)
			}
		}
	}
	if e := checkQuery(r.URL.RawQuery); e != nil {
		return e
	}
	if v := r.Header.Get("ProjectUid"); v != "" {
		if e := names.Plain(v); e != nil {
			return badRequest("header ProjectUid %s %s; send a project uid", names.Quote(v), e.Msg)
		}
	}
	// The key is a secret: the message names the header, never its value.
	for _, h := range []string{"ApiKey", "Authorization"} {
		if v := r.Header.Get(h); v != "" && names.Plain(v) != nil {
			return badRequest("header %s holds invalid UTF-8 or a control character, which no API key has; send the key as it was given", h)
		}
	}
	return nil
}

// checkQuery checks each name and value of a raw query string once
// percent-decoded.
func checkQuery(raw string) *Error {
	if !strings.ContainsAny(raw, "%+") && names.Plain(raw) == nil {
		return nil // nothing encoded: as read
	}
	for _, pair := range strings.Split(raw, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return badRequest("query parameter name %s is not valid percent-encoding", names.Quote(k))
		}
		if e := names.Plain(key); e != nil {
			return badRequest("query parameter name %s %s", names.Quote(key), e.Msg)
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			return badRequest("query parameter %s: %s is not valid percent-encoding", names.Quote(key), names.Quote(v))
		}
		if e := names.Plain(val); e != nil {
			return badRequest("query parameter %s %s", names.Quote(key), e.Msg)
		}
	}
	return nil
}

// checkStrings refuses a decoded JSON body holding a NUL byte in any string
// (a value or a map key), naming its field path by JSON names, such as
// `metadata.labels["team"]` or `spec.template.packs[0].values`. Other
// control characters are left to the rules of each field: pack values are
// YAML, with tabs and newlines.
func checkStrings(v any) *Error {
	return walkStrings(reflect.ValueOf(v), "")
}

func walkStrings(v reflect.Value, path string) *Error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return walkStrings(v.Elem(), path)
	case reflect.String:
		if e := names.NoNUL(v.String()); e != nil {
			return badRequest("%s %s", fieldName(path), e.Msg)
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			switch {
			case name == "-":
				continue
			case f.Anonymous && name == "":
				if e := walkStrings(v.Field(i), path); e != nil {
					return e
				}
				continue
			case name == "":
				name = f.Name
			}
			if e := walkStrings(v.Field(i), join(path, name)); e != nil {
				return e
			}
		}
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		for _, k := range keys {
			if k.Kind() == reflect.String {
				if e := names.NoNUL(k.String()); e != nil {
					return badRequest("a key of %s %s", fieldName(path), e.Msg)
				}
			}
			if e := walkStrings(v.MapIndex(k), path+"["+names.Quote(k.String())+"]"); e != nil {
				return e
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return nil // bytes, not text
		}
		for i := 0; i < v.Len(); i++ {
			if e := walkStrings(v.Index(i), path+"["+strconv.Itoa(i)+"]"); e != nil {
				return e
			}
		}
	}
	return nil
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func fieldName(path string) string {
	if path == "" {
		return "the body"
	}
	return path
}

// checkName checks the name of a project, registry or API key at field.
func checkName(field, name string) *Error {
	if e := names.Name(name); e != nil {
		return badRequest("%s", e.At(field))
	}
	return nil
}
