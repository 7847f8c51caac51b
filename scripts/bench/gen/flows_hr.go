package main

import (
	"fmt"
	"time"
)

func startHire(g *gen) *instance {
	name := g.person()
	in := &instance{def: "hire", name: "Hire", version: "2.1", id: g.uuid(),
		description: "Hiring of " + string(name), tags: list{}}
	cand := obj{class: "Candidate", fields: []kv{{"name", name},
		{"email", str(fmt.Sprintf("cand%d@example.com", g.seq))},
		{"salary", num(fmt.Sprint(40000 + 1000*g.rng.IntN(40)))}, {"experience", num(fmt.Sprint(g.rng.IntN(20)))}}}
	in.txns = []func(*gen){
		func(g *gen) { hireStart(g, in, cand) },
		func(g *gen) { hireOffer(g, in) },
	}
	return in
}

func hireStart(g *gen, in *instance, cand obj) {
	in.begin(g, "hr.admin@example.com")
	g.set(in, "candidate", cand, str("input"))
	g.set(in, "startDate", date{2024, 6 + g.rng.IntN(6), 1 + g.rng.IntN(28)}, str("input"))
	in.state = 1
	g.workflow(in, "Workflow instance started")
	g.step(in, "StartEvent_1", "Start", "StartNodeInstance")
	g.enter(in, "ServiceTask_0bgcheck", "Run background check", "WorkItemNodeInstance")
	if g.chance(10) {
		in.state = 5
		g.leave(in, "Failed", "Workflow instance node failed", kv{"errorId", str(g.uuid())},
			kv{"errorMessage", str("Background check service returned HTTP 503 Service Unavailable")})
		in.state = 1
		g.enter(in, "ServiceTask_0bgcheck", "Run background check", "WorkItemNodeInstance")
	}
	g.leave(in, "Completed", "Workflow instance node executed")
	g.enter(in, "UserTask_0offer", "Send offer", "HumanTaskNodeInstance")
	g.store(in, "created in")
}

func hireOffer(g *gen, in *instance) {
	in.begin(g, "mary")
	g.store(in, "was read from")
	in.node = &node{g.uuid(), "UserTask_0offer", "Send offer", "HumanTaskNodeInstance"}
	g.set(in, "offerAccepted", boolean(true), str("output"))
	g.leave(in, "Completed", "Workflow instance node executed")
	g.step(in, "EndEvent_1", "End", "EndNodeInstance")
	in.state = 2
	g.workflow(in, "Workflow instance finished")
	g.store(in, "deleted from")
}

func startOnboarding(g *gen) *instance {
	name := g.person()
	in := &instance{def: "onboarding", name: "Onboarding", version: "1", id: g.uuid(),
		description: "Onboarding of " + string(name), tags: list{}}
	it := &instance{def: "onboarding-it", name: "Onboarding IT setup", version: "1", id: g.uuid(),
		description: "IT setup", parent: in, tags: list{}}
	emp := obj{class: "Employee", fields: []kv{{"name", name}, {"department", str("R&D")}, {"manager", str("null")}}}
	reminder := &job{id: g.uuid() + "_3", expr: "R3/PT24H", every: 24 * time.Hour, repeat: "3", triggered: true}
	account := str(fmt.Sprintf("user%d@example.com", g.seq))
	in.txns = []func(*gen){
		func(g *gen) { onboardStart(g, in, it, emp, account, reminder) },
		func(g *gen) { onboardRemind(g, in, reminder) },
		func(g *gen) { onboardFinish(g, in, it, reminder) },
	}
	return in
}

func onboardStart(g *gen, in, it *instance, emp obj, account str, reminder *job) {
	in.begin(g, "hr.admin@example.com")
	g.set(in, "employee", emp, str("input"))
	in.state = 1
	g.workflow(in, "Workflow instance started")
	g.step(in, "StartEvent_1", "Start", "StartNodeInstance")
	g.enter(in, "SubProcess_0it", "Set up IT", "SubProcessNodeInstance")
	it.user, it.tx = in.user, in.tx
	g.set(it, "account", account, str("input"))
	it.state = 1
	g.workflow(it, "Workflow instance started")
	g.step(it, "StartEvent_1", "Start", "StartNodeInstance")
	g.enter(it, "UserTask_0account", "Create account", "HumanTaskNodeInstance")
	g.store(it, "created in")
	g.enter(in, "Timer_0remind", "Reminder", "TimerNodeInstance")
	g.schedule(in, reminder)
	g.store(in, "created in")
}

func onboardRemind(g *gen, in *instance, reminder *job) {
	in.begin(g, "System<timer>")
	g.fire(in, reminder, "Executing timer job for existing workflow instance")
	g.store(in, "was read from")
	in.node = &node{g.uuid(), "Timer_0remind", "Reminder", "TimerNodeInstance"}
	g.set(in, "reminders", num("1"))
	g.store(in, "updated in")
}

func onboardFinish(g *gen, in, it *instance, reminder *job) {
	in.begin(g, "john")
	it.user, it.tx = in.user, in.tx
	g.store(it, "was read from")
	it.node = &node{g.uuid(), "UserTask_0account", "Create account", "HumanTaskNodeInstance"}
	g.leave(it, "Completed", "Workflow instance node executed")
	g.step(it, "EndEvent_1", "End", "EndNodeInstance")
	it.state = 2
	g.workflow(it, "Workflow instance finished")
	g.store(it, "deleted from")
	g.store(in, "was read from")
	g.cancel(in, reminder, "onboarding_1")
	in.node = &node{g.uuid(), "SubProcess_0it", "Set up IT", "SubProcessNodeInstance"}
	g.leave(in, "Completed", "Workflow instance node executed")
	g.step(in, "EndEvent_1", "End", "EndNodeInstance")
	in.state = 2
	g.workflow(in, "Workflow instance finished")
	g.store(in, "deleted from")
}

// retireJob is the definition-level repeatable timer that starts instances.
var retireJob = job{id: "c2868173-d237-37cf-a04f-f4ca8e37cafa", expr: "R/PT24H", every: 24 * time.Hour}

func startRetire(g *gen) *instance {
	in := &instance{def: "retire", name: "Retire", id: g.uuid(), description: "Retire", tags: list{str("hr")}}
	signal := obj{fields: []kv{{"laptop", str("returned")}, {"badge", str(g.pick([]string{"returned", "lost"}))},
		{"note", str("keys, 2 pcs")}}}
	in.txns = []func(*gen){
		func(g *gen) { retireStart(g, in) },
		func(g *gen) { retireSignal(g, in, signal) },
	}
	return in
}

func retireStart(g *gen, in *instance) {
	in.begin(g, "System<timer>")
	j := retireJob
	j.expires = g.clock + j.every
	g.fire(in, &j, "Executing timer job create new workflow instance")
	g.set(in, "employee", g.person())
	g.set(in, "lastDay", date{2024, 12, 31})
	in.state = 1
	g.workflow(in, "Workflow instance started")
	g.step(in, "StartEvent_1", "Start", "StartNodeInstance")
	g.enter(in, "Event_0returned", "Equipment returned", "EventNodeInstance")
	g.store(in, "created in")
}

func retireSignal(g *gen, in *instance, signal obj) {
	in.begin(g, "System<messaging>")
	g.store(in, "was read from")
	sig := []kv{{"signalName", str("equipmentReturned")}, {"signalData", signal}}
	g.workflow(in, "About to signal workflow instance", sig...)
	in.node = &node{g.uuid(), "Event_0returned", "Equipment returned", "EventNodeInstance"}
	g.set(in, "equipment", signal)
	g.leave(in, "Completed", "Workflow instance node executed")
	g.step(in, "EndEvent_1", "End", "EndNodeInstance")
	in.state = 2
	g.workflow(in, "Workflow instance signaled", sig...)
	g.store(in, "deleted from")
}
