// Package entry is what the inputs and the later stages share about an
// audit entry's content: a strict, allocation-free scan of a JSON object's
// top-level members (ScanObject; ScanEnvelope for an envelope read back
// from the buffer), the source keys the shipper reads (Index), and the
// category inferred from them (Infer, FORMATS.md rule 4).
//
// It imports nothing outside internal/.
package entry
