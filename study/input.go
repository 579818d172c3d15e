package study

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
)

// MaxStudyBytes is the largest study file read (4 MiB). Parsing allocates
// about 1.7 kB per YAML scalar, so this bounds a hostile file's cost to well
// under 1 GB; the largest valid sweep (MaxCells values) is under 3 MB.
const MaxStudyBytes = 4 << 20

// utf8BOM is the byte order mark some editors put at the start of a UTF-8
// file; YAML 1.2 §5.2 allows it and it is not part of the first key.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// stripBOM returns data without a leading UTF-8 byte order mark.
func stripBOM(data []byte) []byte { return bytes.TrimPrefix(data, utf8BOM) }

// rejectTags returns an error at the first YAML tag (`!!seq`, `!x`) in the
// document. A study file has no use for tags (every key has one type), and
// goccy/go-yaml v1.19.2 dereferences nil when a tag without a value is
// decoded into a list (upstream issue goccy/go-yaml#735), so tags are
// refused before decoding.
func (s *Study) rejectTags(n ast.Node, byPos map[at]string) error {
	var found *ast.TagNode
	ast.Walk(tagFinder{&found}, n)
	if found == nil {
		return nil
	}
	p := s.position(found)
	field := byPos[p]
	if field == "" && found.Value != nil {
		field = byPos[s.position(found.Value)]
	}
	tag := strings.TrimSpace(found.Start.Value)
	if field == "" {
		field = "tag"
	}
	return s.errAt(p, field, "YAML tag %s: tags are not supported in a study file; write the value without it", tag)
}

// tagFinder is an ast.Visitor that records the first tag node.
type tagFinder struct{ found **ast.TagNode }

func (v tagFinder) Visit(n ast.Node) ast.Visitor {
	if *v.found != nil {
		return nil
	}
	if t, ok := n.(*ast.TagNode); ok {
		*v.found = t
		return nil
	}
	return v
}

// decodeSafely runs a goccy/go-yaml decode, turning a panic inside the
// library into an error at the study file (with the library's message), so
// that hostile input gets an error, never a crash.
func decodeSafely(file string, decode func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %s: the YAML decoder failed on this file (%v); please report it with the file at https://github.com/goccy/go-yaml/issues\n%s",
				ErrStudy, file, r, firstFrames(debug.Stack(), 12))
		}
	}()
	return decode()
}

// firstFrames keeps the first n lines of a stack trace.
func firstFrames(stack []byte, n int) string {
	lines := strings.SplitN(string(stack), "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

// keyName is a mapping key as the study means it: the value of a quoted key
// without its quotes (`"network"` → network), else the key's text.
func keyName(k ast.MapKeyNode) string {
	if k == nil {
		return ""
	}
	switch v := k.(type) {
	case *ast.StringNode:
		return v.Value
	case *ast.MappingKeyNode:
		if s, ok := v.Value.(*ast.StringNode); ok {
			return s.Value
		}
	}
	return strings.TrimSpace(k.String())
}

// wholeNumberMsg explains why a scalar is not a whole number: a float that is
// whole ("1e9") gets the integer to write instead.
func wholeNumberMsg(n ast.Node) string {
	text := strings.TrimSpace(n.String())
	if f, ok := n.(*ast.FloatNode); ok {
		v := f.Value
		if v == math.Trunc(v) && !math.IsInf(v, 0) {
			if math.Abs(v) < 1<<63 {
				return fmt.Sprintf("want a whole number; %s is a float — write %s", text, strconv.FormatFloat(v, 'f', -1, 64))
			}
			return fmt.Sprintf("want a whole number; %s is a float, and far too large", text)
		}
	}
	return "want a whole number, got " + text
}

// nodeToValue is yaml.NodeToValue under decodeSafely.
func nodeToValue(file string, n ast.Node, v any, opts ...yaml.DecodeOption) error {
	return decodeSafely(file, func() error { return yaml.NodeToValue(n, v, opts...) })
}

// readStudyFile reads a study file of at most MaxStudyBytes without reading
// more than one byte past the limit.
func readStudyFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrStudy, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxStudyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrStudy, path, err)
	}
	if len(data) > MaxStudyBytes {
		return nil, fmt.Errorf("%w: %s: more than %d bytes: a study file is at most %d bytes", ErrStudy, path, MaxStudyBytes, MaxStudyBytes)
	}
	return data, nil
}
