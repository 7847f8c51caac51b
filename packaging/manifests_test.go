package packaging

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// manifests holds the decoded objects of packaging/kubernetes/*.yaml.
type manifests struct {
	secrets    map[string]*corev1.Secret
	configMaps map[string]*corev1.ConfigMap
	sets       []*appsv1.StatefulSet
}

// decodeAll decodes every document of kubernetes/*.yaml strictly.
func decodeAll(t *testing.T) manifests {
	t.Helper()
	files, _ := filepath.Glob("kubernetes/*.yaml")
	if len(files) == 0 {
		t.Fatal("no manifest under kubernetes/")
	}
	m := manifests{secrets: map[string]*corev1.Secret{}, configMaps: map[string]*corev1.ConfigMap{}}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range splitDocs(src) {
			if err := m.add(doc); err != nil {
				t.Errorf("%s document %d: %v", f, i+1, err)
			}
		}
	}
	return m
}

var docSep = regexp.MustCompile(`(?m)^---\s*$`)

func splitDocs(src []byte) [][]byte {
	var docs [][]byte
	for _, d := range docSep.Split(string(src), -1) {
		if strings.TrimSpace(stripComments(d)) != "" {
			docs = append(docs, []byte(d))
		}
	}
	return docs
}

var commentLine = regexp.MustCompile(`(?m)^\s*#.*$`)

func stripComments(s string) string { return commentLine.ReplaceAllString(s, "") }

// add decodes one document by its kind; an unknown kind is an error.
func (m *manifests) add(doc []byte) error {
	var head struct{ APIVersion, Kind string }
	if err := yaml.Unmarshal(doc, &head); err != nil {
		return err
	}
	switch head.APIVersion + " " + head.Kind {
	case "v1 Secret":
		o := &corev1.Secret{}
		m.secrets[nameOf(doc)] = o
		return decodeStrict(doc, o)
	case "v1 ConfigMap":
		o := &corev1.ConfigMap{}
		m.configMaps[nameOf(doc)] = o
		return decodeStrict(doc, o)
	case "apps/v1 StatefulSet":
		o := &appsv1.StatefulSet{}
		m.sets = append(m.sets, o)
		return decodeStrict(doc, o)
	}
	return fmt.Errorf("unexpected %s %s", head.APIVersion, head.Kind)
}

func nameOf(doc []byte) string {
	var o struct {
		Metadata struct{ Name string }
	}
	yaml.Unmarshal(doc, &o)
	return o.Metadata.Name
}

// decodeStrict fails on a duplicate key, an unknown field or a wrong type.
func decodeStrict(doc []byte, into any) error {
	js, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	return dec.Decode(into)
}
