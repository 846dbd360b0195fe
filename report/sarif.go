package report

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/captrace/captrace/capmode"
	"github.com/captrace/captrace/symbolize"
)

// SARIF 2.1.0 (OASIS), the subset code-scanning tools read: one result per
// group at the site's file and line, the example stack as a code flow, and
// the group fingerprint as a partial fingerprint so a scanner tracks the
// same violation across commits.
const (
	sarifVersion = "2.1.0"
	sarifSchema  = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	// srcRoot is the base of relative artifact URIs; GitHub code scanning
	// resolves it to the checkout.
	srcRoot = "%SRCROOT%"
	// FingerprintKey names captrace's fingerprint among a result's
	// partialFingerprints.
	FingerprintKey = "captrace/v1"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool               sarifTool                        `json:"tool"`
	OriginalURIBaseIDs map[string]sarifArtifactLocation `json:"originalUriBaseIds,omitempty"`
	Results            []sarifResult                    `json:"results"`
	Properties         map[string]any                   `json:"properties,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string      `json:"id"`
	Name                 string      `json:"name"`
	ShortDescription     sarifText   `json:"shortDescription"`
	FullDescription      sarifText   `json:"fullDescription"`
	DefaultConfiguration sarifConfig `json:"defaultConfiguration"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	CodeFlows           []sarifCodeFlow   `json:"codeFlows,omitempty"`
	Properties          map[string]any    `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysicalLocation `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogicalLocation `json:"logicalLocations,omitempty"`
	Message          *sarifText             `json:"message,omitempty"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Region           *sarifRegion          `json:"region,omitempty"`
}

type sarifArtifactLocation struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

type sarifLogicalLocation struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
}

type sarifCodeFlow struct {
	ThreadFlows []sarifThreadFlow `json:"threadFlows"`
}

type sarifThreadFlow struct {
	Locations []sarifThreadFlowLocation `json:"locations"`
}

type sarifThreadFlowLocation struct {
	Location   sarifLocation  `json:"location"`
	Importance string         `json:"importance,omitempty"`
	Properties map[string]any `json:"properties,omitempty"`
}

// ruleText describes each kind of violation for tool.driver.rules.
var ruleText = []struct {
	kind        capmode.Kind
	name, short string
	full        string
}{
	{capmode.KindGlobalNamespace, "GlobalNamespace", "Reaches a global namespace in capability mode",
		"The call names something through a global namespace (a path from AT_FDCWD, a path-only syscall, system-wide state). Capability mode refuses it with ECAPMODE: open what is needed before cap_enter() and use descriptors."},
	{capmode.KindPathEscape, "PathEscape", "Path escapes its directory descriptor",
		"An absolute path, or a '..' or symlink that leaves the directory descriptor, fails with ENOTCAPABLE in capability mode: use paths relative to the descriptor, beneath it."},
	{capmode.KindSignal, "Signal", "Signals another process",
		"kill() is allowed in capability mode only for the calling process: use pdfork() and pdkill() for children."},
	{capmode.KindNetwork, "Network", "Uses the global network namespace",
		"connect(), bind() and sendto() with an address fail in capability mode: connect before cap_enter() or use cap_net."},
	{capmode.KindProcess, "Process", "Acts on processes or programs by name",
		"execve() and calls on other processes fail in capability mode: use fexecve() and process descriptors."},
	{capmode.KindSyscall, "Syscall", "Syscall not allowed in capability mode",
		"The syscall is not marked CAPENABLED in FreeBSD's syscalls.master, so it fails with ECAPMODE in capability mode."},
	{capmode.KindRights, "Rights", "Descriptor lacks a capability right",
		"The descriptor was limited with cap_rights_limit() and lacks the right this call needs, so it fails with ENOTCAPABLE: grant the right before cap_enter(), or use a descriptor that has it."},
}

// WriteSARIF writes the report as SARIF 2.1.0.
func WriteSARIF(w io.Writer, r *Report) error {
	groups := append([]Group(nil), r.Groups...)
	SortGroups(groups)

	driver := sarifDriver{Name: "captrace", InformationURI: "https://github.com/captrace/captrace"}
	if v, ok := strings.CutPrefix(r.Version, "captrace "); ok {
		driver.Version = v
	} else if r.Version != "" {
		driver.Version = r.Version
	}
	ruleIndex := map[string]int{}
	for _, rt := range ruleText {
		ruleIndex[string(rt.kind)] = len(driver.Rules)
		driver.Rules = append(driver.Rules, sarifRule{
			ID: "capmode/" + string(rt.kind), Name: rt.name,
			ShortDescription: sarifText{rt.short}, FullDescription: sarifText{rt.full},
			DefaultConfiguration: sarifConfig{"error"},
		})
	}

	uris := newURIMapper(groups)
	run := sarifRun{
		Tool:    sarifTool{Driver: driver},
		Results: []sarifResult{},
		Properties: map[string]any{
			"command": r.Command, "mode": r.Mode, "enter": r.Enter,
			"platform": r.Platform, "exitStatus": r.ExitStatus,
		},
	}
	if r.EnterReached != nil {
		// Where capability mode began, as the JSON report's
		// enter_reached (docs/json-schema.md).
		run.Properties["enterReached"] = r.EnterReached
	}
	for _, g := range groups {
		kind := cmp.Or(g.Kind, "unknown")
		idx, ok := ruleIndex[kind]
		if !ok {
			// A kind newer than this writer: still a valid rule.
			idx = len(run.Tool.Driver.Rules)
			ruleIndex[kind] = idx
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{
				ID: "capmode/" + kind, Name: kind,
				ShortDescription:     sarifText{"Capability-mode violation (" + kind + ")"},
				FullDescription:      sarifText{"A call that fails in Capsicum capability mode (" + kind + ")."},
				DefaultConfiguration: sarifConfig{"error"},
			})
		}
		msg := fmt.Sprintf("%s fails with %s in capability mode", g.Syscall, g.Errno)
		if g.Reason != "" {
			msg += ": " + g.Reason
		}
		msg += "."
		if g.Hint != "" {
			msg += " Hint: " + g.Hint + "."
		}
		siteLoc := uris.location(g.Site.File, g.Site.Line, g.Site.Module, g.Site.Function)
		res := sarifResult{
			RuleID: "capmode/" + kind, RuleIndex: idx, Level: "error",
			Message:             sarifText{msg},
			Locations:           []sarifLocation{siteLoc},
			PartialFingerprints: map[string]string{FingerprintKey: g.Fingerprint},
			Properties: map[string]any{
				"syscall": g.Syscall, "errno": g.Errno, "count": g.Count, "pids": g.Pids,
				"args": g.Example.Args,
			},
		}
		if len(g.Example.Stack) > 0 {
			var tf sarifThreadFlow
			marked := false
			for _, f := range g.Example.Stack {
				loc := uris.location(f.File, f.Line, f.Module, f.Function)
				loc.Message = &sarifText{cmp.Or(f.Function, f.PC)}
				imp := "important"
				switch {
				case !marked && isSiteFrame(f, g.Site):
					imp, marked = "essential", true
				case symbolize.IsSystemFrame(symbolize.Frame{Module: f.Module, Function: f.Function, File: f.File}):
					imp = "unimportant"
				}
				tfl := sarifThreadFlowLocation{Location: loc, Importance: imp}
				if f.TailCall {
					loc.Message.Text += " (tail call)"
					tfl.Properties = map[string]any{"tailcall": true}
				}
				tf.Locations = append(tf.Locations, tfl)
			}
			res.CodeFlows = []sarifCodeFlow{{ThreadFlows: []sarifThreadFlow{tf}}}
		}
		run.Results = append(run.Results, res)
	}
	if uris.root != "" && uris.used {
		run.OriginalURIBaseIDs = map[string]sarifArtifactLocation{
			srcRoot: {URI: fileURI(uris.root) + "/"},
		}
	}

	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}})
}

// uriMapper makes artifact URIs: relative to one repository root (the
// root holding most site files, as the symbolizer found them:
// Site.SourceRoot) under %SRCROOT%, else absolute file URIs.
type uriMapper struct {
	root string
	used bool
}

func newURIMapper(groups []Group) *uriMapper {
	m := &uriMapper{}
	votes := map[string]int{}
	for _, g := range groups {
		if !filepath.IsAbs(g.Site.File) {
			continue // relative already: see location
		}
		if root := g.Site.SourceRoot; root != "" {
			votes[root]++
		}
	}
	best := 0
	for root, n := range votes {
		if n > best || n == best && root < m.root {
			m.root, best = root, n
		}
	}
	return m
}

func fileURI(p string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(p)}).String()
}

// location places a frame: its source line when known, else its module
// (a binary without line information), and always its function by name.
func (m *uriMapper) location(file string, line int, module, function string) sarifLocation {
	var loc sarifLocation
	if function != "" {
		loc.LogicalLocations = []sarifLogicalLocation{{Name: function, Kind: "function"}}
	}
	switch {
	case file != "" && !filepath.IsAbs(file):
		// A path the compiler recorded relative (go build -trimpath,
		// -fdebug-prefix-map=$PWD=.) is relative to the build's source
		// root, not to where captrace runs: keep it so.
		art := sarifArtifactLocation{URI: (&url.URL{Path: filepath.ToSlash(filepath.Clean(file))}).String(), URIBaseID: srcRoot}
		m.used = true
		loc.PhysicalLocation = &sarifPhysicalLocation{ArtifactLocation: art}
		if line > 0 {
			loc.PhysicalLocation.Region = &sarifRegion{StartLine: line}
		}
	case file != "":
		abs := file
		art := sarifArtifactLocation{URI: fileURI(abs)}
		if m.root != "" {
			if rel, err := filepath.Rel(m.root, abs); err == nil && filepath.IsLocal(rel) {
				art = sarifArtifactLocation{URI: (&url.URL{Path: filepath.ToSlash(rel)}).String(), URIBaseID: srcRoot}
				m.used = true
			}
		}
		loc.PhysicalLocation = &sarifPhysicalLocation{ArtifactLocation: art}
		if line > 0 {
			loc.PhysicalLocation.Region = &sarifRegion{StartLine: line}
		}
	case filepath.IsAbs(module):
		loc.PhysicalLocation = &sarifPhysicalLocation{ArtifactLocation: sarifArtifactLocation{URI: fileURI(module)}}
	}
	return loc
}
