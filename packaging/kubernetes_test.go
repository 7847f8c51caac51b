package packaging

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/auditship/auditship/agent"
	"github.com/auditship/auditship/agent/config"
)

// TestKubernetesManifests decodes every manifest strictly into the API
// types, validates the auditship config of the ConfigMap with the secrets
// of the Secret in its environment, and checks how the pod wires them.
func TestKubernetesManifests(t *testing.T) {
	m := decodeAll(t)
	if len(m.sets) != 1 {
		t.Fatalf("%d StatefulSets, want 1", len(m.sets))
	}
	pod := &m.sets[0].Spec.Template.Spec
	ship := findContainer(t, pod, "auditship")
	setSecretEnv(t, m, ship)
	cfg := podConfig(t, m, pod, ship)
	checkProbes(t, ship, cfg.MetricsAddr)
	checkSharedLog(t, pod)
	grace := time.Duration(*pod.TerminationGracePeriodSeconds) * time.Second
	if grace <= cfg.ShutdownTimeout {
		t.Errorf("terminationGracePeriodSeconds %v is not above shutdown_timeout %v", grace, cfg.ShutdownTimeout)
	}
}

// TestStrictDecode proves a misspelt field fails the decoding.
func TestStrictDecode(t *testing.T) {
	doc := []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndataa: {}\n")
	if err := decodeStrict(doc, &corev1.ConfigMap{}); err == nil {
		t.Error("a misspelt field decoded without error")
	}
}

// findContainer looks among the init (sidecar) and regular containers.
func findContainer(t *testing.T, pod *corev1.PodSpec, name string) *corev1.Container {
	t.Helper()
	for _, list := range [][]corev1.Container{pod.InitContainers, pod.Containers} {
		for i := range list {
			if list[i].Name == name {
				return &list[i]
			}
		}
	}
	t.Fatalf("no container %q in the pod", name)
	return nil
}

// setSecretEnv gives the test the container's environment, each secret
// read from the Secret it names, so that env() in the config resolves.
func setSecretEnv(t *testing.T, m manifests, c *corev1.Container) {
	t.Helper()
	for _, e := range c.Env {
		ref := e.ValueFrom
		if ref == nil || ref.SecretKeyRef == nil {
			t.Setenv(e.Name, e.Value)
			continue
		}
		s, ok := m.secrets[ref.SecretKeyRef.Name]
		if !ok {
			t.Errorf("env %s: no Secret %q", e.Name, ref.SecretKeyRef.Name)
			continue
		}
		v, ok := s.StringData[ref.SecretKeyRef.Key]
		if !ok {
			t.Errorf("env %s: Secret %q has no key %q", e.Name, s.Name, ref.SecretKeyRef.Key)
		}
		t.Setenv(e.Name, v)
	}
}

// podConfig loads the config the container reads: the ConfigMap mounted
// at the directory given to -c.
func podConfig(t *testing.T, m manifests, pod *corev1.PodSpec, c *corev1.Container) *config.Config {
	t.Helper()
	if !strings.Contains(strings.Join(c.Args, " "), "-c /etc/auditship") {
		t.Errorf("args %q do not read /etc/auditship", c.Args)
	}
	cm := m.configMaps[mountedConfigMap(t, pod, c, "/etc/auditship")]
	if cm == nil || len(cm.Data) != 1 {
		t.Fatalf("want one ConfigMap with one *.hcl key mounted at /etc/auditship, got %v", cm)
	}
	for name, src := range cm.Data {
		if filepath.Ext(name) != ".hcl" {
			t.Errorf("ConfigMap key %q: auditship reads only *.hcl", name)
		}
		cfg, diags := config.LoadBytes(name, []byte(src), agent.Components())
		for _, d := range diags {
			t.Error(d.String())
		}
		if cfg == nil {
			t.FailNow()
		}
		return cfg
	}
	return nil
}

func mountedConfigMap(t *testing.T, pod *corev1.PodSpec, c *corev1.Container, dir string) string {
	t.Helper()
	for _, vm := range c.VolumeMounts {
		if vm.MountPath != dir {
			continue
		}
		for _, v := range pod.Volumes {
			if v.Name == vm.Name && v.ConfigMap != nil {
				return v.ConfigMap.Name
			}
		}
	}
	t.Fatalf("no ConfigMap volume mounted at %s", dir)
	return ""
}

// checkProbes wants /healthz for liveness, /readyz for readiness, on the
// port metrics_addr listens on, reachable from the kubelet.
func checkProbes(t *testing.T, c *corev1.Container, metricsAddr string) {
	t.Helper()
	host, port, _ := strings.Cut(metricsAddr, ":")
	if host == "127.0.0.1" || host == "localhost" || port == "" {
		t.Errorf("metrics_addr %q: the kubelet probes the pod IP", metricsAddr)
	}
	for _, p := range []struct {
		what  string
		probe *corev1.Probe
		path  string
	}{{"liveness", c.LivenessProbe, "/healthz"}, {"readiness", c.ReadinessProbe, "/readyz"}} {
		if p.probe == nil || p.probe.HTTPGet == nil {
			t.Errorf("no %s httpGet probe", p.what)
			continue
		}
		if p.probe.HTTPGet.Path != p.path || portOf(c, p.probe.HTTPGet.Port.String()) != port {
			t.Errorf("%s probe %s:%s, want %s:%s", p.what, p.probe.HTTPGet.Port.String(), p.probe.HTTPGet.Path, port, p.path)
		}
	}
}

// portOf resolves a named container port to its number.
func portOf(c *corev1.Container, port string) string {
	for _, p := range c.Ports {
		if p.Name == port {
			return fmt.Sprint(p.ContainerPort)
		}
	}
	return port
}

// checkSharedLog wants an emptyDir mounted in the engine and in auditship.
func checkSharedLog(t *testing.T, pod *corev1.PodSpec) {
	t.Helper()
	for _, v := range pod.Volumes {
		if v.EmptyDir == nil {
			continue
		}
		if mounts(findContainer(t, pod, "engine"), v.Name) && mounts(findContainer(t, pod, "auditship"), v.Name) {
			return
		}
	}
	t.Error("no emptyDir shared by the engine and auditship")
}

func mounts(c *corev1.Container, volume string) bool {
	for _, vm := range c.VolumeMounts {
		if vm.Name == volume {
			return true
		}
	}
	return false
}
