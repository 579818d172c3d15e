package model

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"
)

// ErrUnknownParam is returned (wrapped) by SetParam and GetParam for a dotted
// path that names no parameter.
var ErrUnknownParam = errors.New("unknown parameter")

// Override assigns Value to the parameter at the dotted Path (the spec's names,
// e.g. "share_cap.cap", "market.regimes.volatile.nu", "providers.table.frontier_a.quality").
type Override struct {
	Path  string
	Value any
}

// Apply sets each override on p in order; the first failure is returned.
func Apply(p *Params, overrides []Override) error {
	for _, o := range overrides {
		if err := SetParam(p, o.Path, o.Value); err != nil {
			return err
		}
	}
	return nil
}

// SetParam sets the scalar parameter at a dotted path. Numeric values (any Go
// integer or float type) are converted to the field's kind; an integer field
// refuses a non-integral value. Regimes are addressed by name
// (market.regimes.<name>.<field>, creating the regime from zero values if new)
// and provider rows by name (providers.table.<name>.<field>).
// Errors wrap ErrUnknownParam or name the path and the type mismatch.
func SetParam(p *Params, path string, value any) error {
	v, err := lookup(p, path, true)
	if err != nil {
		return err
	}
	if err := assign(v.get(), value); err != nil {
		return fmt.Errorf("param %s: %w", path, err)
	}
	v.commit()
	return nil
}

// GetParam returns the scalar value at a dotted path (float64, int, bool or string).
func GetParam(p *Params, path string) (any, error) {
	v, err := lookup(p, path, false)
	if err != nil {
		return nil, err
	}
	return v.get().Interface(), nil
}

// ParamPaths lists every scalar dotted path of p, sorted (regimes and provider
// rows by their names).
func ParamPaths(p *Params) []string {
	var out []string
	walkPaths(reflect.ValueOf(p).Elem(), "", &out)
	sort.Strings(out)
	return out
}

func walkPaths(v reflect.Value, prefix string, out *[]string) {
	switch v.Kind() {
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			if inline(t.Field(i)) {
				walkPaths(v.Field(i), prefix, out)
				continue
			}
			walkPaths(v.Field(i), join(prefix, yamlName(t.Field(i))), out)
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			walkPaths(v.MapIndex(k), join(prefix, k.String()), out)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			row := v.Index(i)
			walkPaths(row, join(prefix, row.FieldByName("Name").String()), out)
		}
	default:
		if prefix != "" && !strings.HasSuffix(prefix, ".name") {
			*out = append(*out, prefix)
		}
	}
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

func yamlName(f reflect.StructField) string {
	tag := f.Tag.Get("yaml")
	if i := strings.IndexByte(tag, ','); i >= 0 {
		tag = tag[:i]
	}
	if tag == "" {
		return strings.ToLower(f.Name)
	}
	return tag
}

// slot is an addressable scalar, possibly a copy taken out of a map that must
// be written back by commit.
type slot struct {
	val    reflect.Value
	commit func()
}

func (s slot) get() reflect.Value { return s.val }

func lookup(p *Params, path string, create bool) (slot, error) {
	parts := strings.Split(path, ".")
	v := reflect.ValueOf(p).Elem()
	commit := func() {}
	for i := 0; i < len(parts); i++ {
		part := parts[i]
		switch v.Kind() {
		case reflect.Struct:
			f, ok := fieldByYAML(v, part)
			if !ok {
				return slot{}, fmt.Errorf("%w: %q (no %q under %q)", ErrUnknownParam, path, part, strings.Join(parts[:i], "."))
			}
			v = f
		case reflect.Map:
			key := reflect.ValueOf(part)
			elem := v.MapIndex(key)
			if !elem.IsValid() {
				if !create {
					return slot{}, fmt.Errorf("%w: %q (no %q under %q)", ErrUnknownParam, path, part, strings.Join(parts[:i], "."))
				}
				elem = reflect.Zero(v.Type().Elem())
			}
			cp := reflect.New(v.Type().Elem()).Elem()
			cp.Set(elem)
			m, prev := v, commit
			commit = func() { m.SetMapIndex(key, cp); prev() }
			v = cp
		case reflect.Slice:
			idx := -1
			for j := 0; j < v.Len(); j++ {
				if v.Index(j).FieldByName("Name").String() == part {
					idx = j
					break
				}
			}
			if idx < 0 {
				return slot{}, fmt.Errorf("%w: %q (no row named %q in %q)", ErrUnknownParam, path, part, strings.Join(parts[:i], "."))
			}
			v = v.Index(idx)
		default:
			return slot{}, fmt.Errorf("%w: %q (%q is a value, not a group)", ErrUnknownParam, path, strings.Join(parts[:i], "."))
		}
	}
	switch v.Kind() {
	case reflect.Struct, reflect.Map, reflect.Slice:
		return slot{}, fmt.Errorf("%w: %q is a group, not a value", ErrUnknownParam, path)
	}
	return slot{val: v, commit: commit}, nil
}

func fieldByYAML(v reflect.Value, name string) (reflect.Value, bool) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		if inline(t.Field(i)) {
			if f, ok := fieldByYAML(v.Field(i), name); ok {
				return f, true
			}
			continue
		}
		if yamlName(t.Field(i)) == name {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

// inline reports whether f is an embedded struct whose fields are inlined
// (`yaml:",inline"`, e.g. Regime's garch.Params).
func inline(f reflect.StructField) bool {
	return f.Anonymous && strings.Contains(f.Tag.Get("yaml"), ",inline")
}

func assign(dst reflect.Value, value any) error {
	src := reflect.ValueOf(value)
	if !src.IsValid() {
		return errors.New("no value")
	}
	switch dst.Kind() {
	case reflect.Float64:
		f, ok := toFloat(src)
		if !ok {
			return fmt.Errorf("want a number, got %s", describe(value))
		}
		dst.SetFloat(f)
	case reflect.Int:
		f, ok := toFloat(src)
		if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return fmt.Errorf("want a whole number, got %s", describe(value))
		}
		dst.SetInt(int64(f))
	case reflect.Bool:
		if src.Kind() != reflect.Bool {
			return fmt.Errorf("want true or false, got %s", describe(value))
		}
		dst.SetBool(src.Bool())
	case reflect.String:
		if src.Kind() != reflect.String {
			return fmt.Errorf("want a string, got %s", describe(value))
		}
		dst.SetString(src.String())
	default:
		return fmt.Errorf("cannot set a %s", dst.Kind())
	}
	return nil
}

// describe prints a value for an error message as a user wrote it: strings
// quoted, numbers and booleans plain, anything else with its kind.
func describe(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("the string %q", x)
	case bool:
		return fmt.Sprintf("the boolean %v", x)
	}
	if _, ok := toFloat(reflect.ValueOf(v)); ok {
		return fmt.Sprintf("%v", v)
	}
	return fmt.Sprintf("a %s (%v)", reflect.ValueOf(v).Kind(), v)
}

func toFloat(v reflect.Value) (float64, bool) {
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		return v.Float(), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(v.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return float64(v.Uint()), true
	}
	return 0, false
}
