package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"gopkg.in/yaml.v3"
)

// plain returns a document's object as generic JSON values, with the empty
// objects the Kubernetes types carry (status: {}, cloudInit: {}, an empty
// template metadata) left out: they say nothing, and a reviewer reads less.
func plain(obj any) (any, error) {
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	return prune(v), nil
}

func prune(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			e = prune(e)
			if m, ok := e.(map[string]any); ok && len(m) == 0 {
				delete(x, k)
				continue
			}
			x[k] = e
		}
	case []any:
		for i, e := range x {
			x[i] = prune(e)
		}
	case json.Number:
		// Whole numbers stay whole (YAML would write a large float64 as 9e+18).
		if n, err := x.Int64(); err == nil {
			return n
		}
		if f, err := x.Float64(); err == nil {
			return f
		}
		return x.String()
	}
	return v
}

// YAML returns a document as YAML: the object's fields, keys sorted, for
// Kubernetes objects and ARM templates; the text itself for cloud-config;
// the profile in its own field order (as byoos render --target values
// prints it).
func (d Document) YAML() ([]byte, error) {
	if d.Format == FormatCloudConfig {
		return []byte(d.Text), nil
	}
	v := d.Object
	if d.Format != FormatProfile {
		var err error
		if v, err = plain(d.Object); err != nil {
			return nil, err
		}
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode %s: %w", d.Name, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode %s: %w", d.Name, err)
	}
	return b.Bytes(), nil
}

// JSON returns a document as indented JSON; cloud-config has no JSON form.
func (d Document) JSON() ([]byte, error) {
	if d.Format == FormatCloudConfig {
		return nil, fmt.Errorf("%s is #cloud-config YAML and has no JSON form", d.Name)
	}
	v, err := plain(d.Object)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode %s: %w", d.Name, err)
	}
	return b.Bytes(), nil
}

// WriteYAMLStream writes documents as one YAML stream, "---" between them, in
// the order given, for kubectl apply -f - and for Git.
func WriteYAMLStream(w io.Writer, docs []Document) error {
	for i, d := range docs {
		b, err := d.YAML()
		if err != nil {
			return err
		}
		if i > 0 {
			if _, err := io.WriteString(w, "---\n"); err != nil {
				return fmt.Errorf("write: %w", err)
			}
		}
		if _, err := w.Write(b); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
	return nil
}

// WriteJSONList writes Kubernetes documents as one v1 List, the JSON form
// kubectl apply -f - reads.
func WriteJSONList(w io.Writer, docs []Document) error {
	items := make([]any, 0, len(docs))
	for _, d := range docs {
		if d.Format != FormatKubernetes {
			return fmt.Errorf("%s is not a Kubernetes object and cannot go in a List", d.Name)
		}
		v, err := plain(d.Object)
		if err != nil {
			return err
		}
		items = append(items, v)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(map[string]any{"apiVersion": "v1", "kind": "List", "items": items}); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}
