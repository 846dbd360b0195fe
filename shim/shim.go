// Package shim writes FreeBSD's Capsicum headers for Linux: sys/capsicum.h
// and capsicum_helpers.h, header-only, with FreeBSD's names, types and
// values, whose calls reach captrace through the reserved syscall numbers
// of internal/shimabi. The headers are generated from package rights and
// shimabi, so the values a program is built with are the ones the tracer
// checks. shim only writes files; it knows nothing about tracing.
package shim

import (
	"bytes"
	"embed"
	"fmt"
	"os"
	"path/filepath"
	"text/template"

	"github.com/captrace/captrace/internal/shimabi"
	"github.com/captrace/captrace/rights"
)

//go:embed capsicum.h.tmpl capsicum_helpers.h.tmpl
var templates embed.FS

// Headers are the files Write creates, relative to its directory.
var Headers = []string{"sys/capsicum.h", "capsicum_helpers.h"}

var sources = map[string]string{
	"sys/capsicum.h":     "capsicum.h.tmpl",
	"capsicum_helpers.h": "capsicum_helpers.h.tmpl",
}

type op struct {
	Name  string
	Value int
}

type headerData struct {
	Version                       string
	Section                       string
	First                         int
	ErrnoNotCapable, ErrnoCapMode int
	Rights                        []rightLine
	Fcntls                        []fcntlLine
	Ops                           []op
}

type fcntlLine struct {
	Name string
	Mask uint32
}

type rightLine struct {
	Name  string
	Index int
	Bits  uint64
}

func data(version string) headerData {
	d := headerData{
		Version:         version,
		Section:         shimabi.Section,
		First:           shimabi.First,
		ErrnoNotCapable: shimabi.ErrnoNotCapable,
		ErrnoCapMode:    shimabi.ErrnoCapMode,
		Ops: []op{
			{"__CAPTRACE_OP_ENTER", shimabi.OpEnter},
			{"__CAPTRACE_OP_GETMODE", shimabi.OpGetMode},
			{"__CAPTRACE_OP_RIGHTS_LIMIT", shimabi.OpRightsLimit},
			{"__CAPTRACE_OP_RIGHTS_GET", shimabi.OpRightsGet},
			{"__CAPTRACE_OP_IOCTLS_LIMIT", shimabi.OpIoctlsLimit},
			{"__CAPTRACE_OP_IOCTLS_GET", shimabi.OpIoctlsGet},
			{"__CAPTRACE_OP_FCNTLS_LIMIT", shimabi.OpFcntlsLimit},
			{"__CAPTRACE_OP_FCNTLS_GET", shimabi.OpFcntlsGet},
		},
	}
	for _, def := range rights.FcntlDefinitions() {
		d.Fcntls = append(d.Fcntls, fcntlLine{def.Name, uint32(def.Mask)})
	}
	for _, def := range rights.Definitions() {
		d.Rights = append(d.Rights, rightLine{def.Name, def.Right.Index(), def.Right.Bits()})
	}
	return d
}

// Render returns the text of one of Headers.
func Render(name, version string) ([]byte, error) {
	src, ok := sources[name]
	if !ok {
		return nil, fmt.Errorf("no shim header %q", name)
	}
	t, err := template.ParseFS(templates, src)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data(version)); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Write creates dir/sys/capsicum.h and dir/capsicum_helpers.h (and the
// directories), replacing older copies; a program compiled with -I dir
// finds them before any system header of the same name.
func Write(dir, version string) error {
	for _, name := range Headers {
		text, err := Render(name, version)
		if err != nil {
			return err
		}
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, text, 0o644); err != nil {
			return err
		}
	}
	return nil
}
