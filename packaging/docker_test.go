package packaging

import (
	"bufio"
	"debug/elf"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestDockerfile checks the image's shape: multi-stage, a static build,
// a non-root user, the state volume and a HEALTHCHECK on /healthz. It builds
// and runs the image only where a container engine answers.
func TestDockerfile(t *testing.T) {
	var from []string
	for _, ins := range dockerfile(t) {
		f := strings.Fields(ins)
		switch strings.ToUpper(f[0]) {
		case "FROM":
			from = append(from, ins)
		case "USER":
			if u := strings.Split(f[1], ":")[0]; u == "root" || u == "0" {
				t.Errorf("USER %s: the image must run as a non-root user", f[1])
			}
		}
	}
	text := strings.Join(dockerfile(t), "\n")
	for _, want := range []string{"CGO_ENABLED=0 go build", `VOLUME ["/var/lib/auditship"]`,
		"HEALTHCHECK", "127.0.0.1:9464/healthz", "\nUSER ", "COPY --from=build"} {
		if !strings.Contains(text, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	if len(from) < 2 || !strings.Contains(from[0], " AS build") {
		t.Errorf("Dockerfile stages %q: want a build stage and a runtime stage", from)
	}
	engine, reason := containerEngine(baseImages(from))
	if engine == "" {
		t.Logf("image not built or run: %s; TestStaticBinary checks the static build it relies on", reason)
		return
	}
	buildAndRun(t, engine)
}

// buildAndRun builds the image, runs `version`, then runs the agent and
// waits for the HEALTHCHECK to report healthy.
func buildAndRun(t *testing.T, engine string) {
	const image = "auditship:packaging-test"
	sh(t, engine, "build", "-f", "Dockerfile", "-t", image, "--build-arg", "VERSION="+testVersion, "..")
	t.Cleanup(func() { run(engine, "rmi", "-f", image) })
	if got := sh(t, engine, "run", "--rm", image, "version"); !strings.HasPrefix(got, "auditship "+testVersion) {
		t.Errorf("%s run version = %q", engine, got)
	}
	id := strings.TrimSpace(sh(t, engine, "run", "-d", "--health-interval=1s", image))
	t.Cleanup(func() { run(engine, "rm", "-f", id) })
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(time.Second) {
		st, _ := run(engine, "inspect", "--format", "{{.State.Health.Status}}", id)
		if strings.TrimSpace(st) == "healthy" {
			return
		}
	}
	logs, _ := run(engine, "logs", id)
	t.Errorf("container not healthy within 30s; logs:\n%s", logs)
}

// TestStaticBinary checks that the CGO_ENABLED=0 build the Dockerfile and
// packages use is static: no interpreter, no shared library.
func TestStaticBinary(t *testing.T) {
	f, err := elf.Open(packages(t).bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("program header %v: the binary is dynamically linked", p.Type)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the binary needs shared libraries %q", libs)
	}
}

// baseImages lists the images the stages start from, not the stages.
func baseImages(from []string) []string {
	stages := map[string]bool{}
	var images []string
	for _, ins := range from {
		f := strings.Fields(ins)
		if len(f) >= 4 && strings.EqualFold(f[2], "AS") {
			stages[f[3]] = true
		}
		if !stages[f[1]] || len(f) < 4 {
			images = append(images, f[1])
		}
	}
	return images
}

// containerEngine finds a docker or podman that answers, has or can pull
// the base images and runs a container, or tells why none does.
func containerEngine(images []string) (engine, why string) {
	var whys []string
	for _, tool := range []string{"docker", "podman"} {
		if _, err := exec.LookPath(tool); err != nil {
			whys = append(whys, tool+" is not installed")
			continue
		}
		if reason := engineUnusable(tool, images); reason != "" {
			whys = append(whys, reason)
			continue
		}
		return tool, ""
	}
	return "", strings.Join(whys, "; ")
}

func engineUnusable(tool string, images []string) string {
	if out, err := run(tool, "info"); err != nil {
		return tool + " info: " + lastLine(out)
	}
	if len(images) == 0 {
		return "the Dockerfile names no base image"
	}
	for _, img := range images {
		if _, err := run(tool, "image", "inspect", img); err == nil {
			continue
		}
		if out, err := run(tool, "pull", img); err != nil {
			return tool + " pull " + img + ": " + lastLine(out)
		}
	}
	if out, err := run(tool, "run", "--rm", images[0], "true"); err != nil {
		return tool + " run: " + lastLine(out)
	}
	return ""
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	return s[strings.LastIndex(s, "\n")+1:]
}

// dockerfile returns the instructions, continuation lines joined.
func dockerfile(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ins []string
	cur := ""
	for sc := bufio.NewScanner(f); sc.Scan(); {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cur += line
		if strings.HasSuffix(cur, "\\") {
			cur = strings.TrimSuffix(cur, "\\") + " "
			continue
		}
		ins = append(ins, cur)
		cur = ""
	}
	return ins
}
