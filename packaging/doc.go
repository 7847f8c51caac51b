// Package packaging holds the tests of what ships auditship: the .deb and
// .rpm built by scripts/package.sh with nfpm, the systemd unit, the example
// config under etc/auditship, the Dockerfile and the Kubernetes example.
// The files themselves sit beside this one; there is no Go API here.
package packaging
