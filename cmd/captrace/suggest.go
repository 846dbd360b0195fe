package main

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/captrace/captrace/report"
	"github.com/captrace/captrace/rights"
	"github.com/captrace/captrace/rightsemu"
	"github.com/captrace/captrace/tracer"
)

// suggestions turns --suggest-rights' findings into the report's
// descriptors[], with the opening call's site symbolized.
func suggestions(c *report.Collector, ds []tracer.Descriptor) []report.Descriptor {
	out := []report.Descriptor{}
	for _, d := range ds {
		rd := report.Descriptor{Pid: d.Pid, FD: d.FD, Path: d.Path,
			Rights: d.Rights.Names(), Ioctls: d.Ioctls, Fcntls: d.Fcntls.Names()}
		if rd.Rights == nil {
			rd.Rights = []string{}
		}
		if rd.Ioctls == nil {
			rd.Ioctls = []uint64{}
		}
		if rd.Fcntls == nil {
			rd.Fcntls = []string{}
		}
		if d.Opened != nil {
			if site, ok := c.OriginSite(d.Opened); ok {
				rd.Opened = report.Opened{Function: site.Function, File: site.File, Line: site.Line}
			}
		}
		out = append(out, rd)
	}
	return out
}

// writeSuggestions prints the suggestions as C to paste before cap_enter().
func writeSuggestions(w io.Writer, c *report.Collector, ds []tracer.Descriptor) {
	if len(ds) == 0 {
		fmt.Fprintln(w, "captrace: --suggest-rights: no process reached its enter point with descriptors to suggest limits for")
		return
	}
	roots := make([]rightsemu.Root, len(ds))
	opened := map[rights.Origin]string{}
	for i, d := range ds {
		roots[i] = d.Root
		if d.Opened != nil {
			if site, ok := c.OriginSite(d.Opened); ok {
				opened[d.Root.Opened] = fmt.Sprintf("%s, %s:%d", site.Function, filepath.Base(site.File), site.Line)
			}
		}
	}
	rightsemu.WriteC(w, roots, func(o rights.Origin) string { return opened[o] })
}
