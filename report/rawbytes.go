package report

import (
	"encoding/base64"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// JSON strings are Unicode: encoding/json writes a byte that is not UTF-8
// as U+FFFD, and a path or argument with such a byte (Linux file names and
// argv are bytes) would be lost. So the v1 report keeps every string as
// readable text and adds, for each string that is not valid UTF-8, its
// exact bytes: "raw_bytes" maps the string's JSON Pointer (RFC 6901, e.g.
// "/command/1") to the standard base64 of its bytes. Valid UTF-8 strings
// stay as they are and have no entry; a report with none has no
// raw_bytes at all (docs/json-schema.md).

// rawBytesOf lists the strings of r that are not valid UTF-8, by JSON
// Pointer; nil when there is none.
func rawBytesOf(r *Report) map[string]string {
	var raw map[string]string
	walkStrings(reflect.ValueOf(r).Elem(), "", func(ptr string, v reflect.Value) {
		if s := v.String(); !utf8.ValidString(s) {
			if raw == nil {
				raw = map[string]string{}
			}
			raw[ptr] = base64.StdEncoding.EncodeToString([]byte(s))
		}
	})
	return raw
}

// walkStrings calls fn for every string reachable from v through JSON
// fields and array elements, with its JSON Pointer.
func walkStrings(v reflect.Value, ptr string, fn func(string, reflect.Value)) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			walkStrings(v.Elem(), ptr, fn)
		}
	case reflect.String:
		fn(ptr, v)
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			walkStrings(v.Index(i), ptr+"/"+strconv.Itoa(i), fn)
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			if name := jsonName(t.Field(i)); name != "" {
				walkStrings(v.Field(i), ptr+"/"+name, fn)
			}
		}
	}
}

// jsonName is the member name of a struct field, "" for fields that are
// not in the JSON or that hold raw_bytes itself.
func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if !f.IsExported() || name == "-" || name == "raw_bytes" {
		return ""
	}
	if name == "" {
		return f.Name
	}
	return name
}

// restoreRawBytes puts the exact bytes of r.RawBytes back into the
// strings they belong to and clears it.
func restoreRawBytes(r *Report) error {
	ptrs := make([]string, 0, len(r.RawBytes))
	for p := range r.RawBytes {
		ptrs = append(ptrs, p)
	}
	sort.Strings(ptrs)
	for _, p := range ptrs {
		b, err := base64.StdEncoding.DecodeString(r.RawBytes[p])
		if err != nil {
			return fmt.Errorf("raw_bytes[%q]: not base64: %v", p, err)
		}
		v, ok := stringAt(reflect.ValueOf(r).Elem(), p)
		if !ok {
			return fmt.Errorf("raw_bytes[%q]: the report has no string there", p)
		}
		v.SetString(string(b))
	}
	r.RawBytes = nil
	return nil
}

// stringAt resolves a JSON Pointer to a settable string in v.
func stringAt(v reflect.Value, ptr string) (reflect.Value, bool) {
	if !strings.HasPrefix(ptr, "/") {
		return reflect.Value{}, false
	}
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		for v.Kind() == reflect.Pointer && !v.IsNil() {
			v = v.Elem()
		}
		switch v.Kind() {
		case reflect.Slice:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= v.Len() || strconv.Itoa(i) != tok {
				return reflect.Value{}, false
			}
			v = v.Index(i)
		case reflect.Struct:
			t, found := v.Type(), false
			for i := 0; i < t.NumField(); i++ {
				if jsonName(t.Field(i)) == tok {
					v, found = v.Field(i), true
					break
				}
			}
			if !found {
				return reflect.Value{}, false
			}
		default:
			return reflect.Value{}, false
		}
	}
	return v, v.Kind() == reflect.String && v.CanSet()
}
