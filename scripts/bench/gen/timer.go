package main

import "time"

// job is a scheduled timer of an instance (or of a definition when the
// timer starts new instances).
type job struct {
	id        string
	expr      string // ISO-8601 duration or repeat: "PT48H", "R3/PT24H"
	every     time.Duration
	repeat    string // timerRepeatLimit: "-1" for one-shot
	expires   time.Duration
	triggered bool // fires for an existing instance: triggerType is set
}

// appendOffsetTime renders expiresAt, which carries the engine's offset.
func appendOffsetTime(d time.Duration) str {
	b := appendLocalTime(nil, base.Add(d))
	return str(append(b, "+02:00"...))
}

// timerItems appends the items of a scheduled or fired timer.
func (g *gen) timerItems(in *instance, j *job, msg string) []kv {
	it := append(g.items[:0], kv{"timestamp", g.now()})
	if in.user != "" {
		it = append(it, kv{"identity", str(in.user)})
	}
	it = append(it, kv{"jobId", str(j.id)}, kv{"expiresAt", appendOffsetTime(j.expires)},
		kv{"timerExpression", str(j.expr)}, kv{"workflowDefinitionId", str(in.def)})
	if j.triggered {
		if in.version != "" {
			it = append(it, kv{"workflowDefinitionVersion", str(in.version)})
		}
		it = append(it, kv{"workflowInstanceId", str(in.id)}, kv{"triggerType", str("timerTriggered")})
	}
	return append(it, kv{"message", str(msg)}, kv{"transactionId", str(in.tx)})
}

func (g *gen) schedule(in *instance, j *job) {
	j.expires = g.clock + j.every
	msg := "Scheduled one time timer job for existing workflow instance"
	if j.repeat != "-1" {
		msg = "Scheduled repeatable timer job for existing workflow instance"
	}
	g.keep(g.timerItems(in, j, msg), "timer", in.def)
}

func (g *gen) fire(in *instance, j *job, msg string) {
	g.keep(g.timerItems(in, j, msg), "timer", in.def)
	j.expires += j.every
}

// cancel logs a cancelled job; the engine writes the versioned definition
// id (orders_1_0) here and a different key order.
func (g *gen) cancel(in *instance, j *job, versionedDef string) {
	it := append(g.items[:0], kv{"timestamp", g.now()})
	if in.user != "" {
		it = append(it, kv{"identity", str(in.user)})
	}
	it = append(it, kv{"message", str("Cancelled job for existing workflow instance")},
		kv{"jobId", str(j.id)}, kv{"timerExpression", str(j.expr)})
	if j.repeat != "-1" {
		it = append(it, kv{"timerInterval", num("86400000")})
	}
	it = append(it, kv{"timerRepeatLimit", num(j.repeat)}, kv{"workflowDefinitionId", str(versionedDef)},
		kv{"workflowInstanceId", str(in.id)}, kv{"triggerType", str("timerTriggered")},
		kv{"transactionId", str(in.tx)})
	g.keep(it, "timer", versionedDef)
}
