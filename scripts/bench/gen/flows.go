package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Sample values: names and free text from many scripts, quotes, commas and
// "key=" look-alikes, as users really type them.
var (
	people = []string{"Ольга Петрова", "Müller GmbH", "José Álvarez", "O'Brien & Sons, Ltd.", "李小龙",
		"Chloé Dubois", "Ægir Þórsson", "Łucja Wąs", "Renée Zellweger", "Ahmed Ğül", "Peter Smith",
		"Ana María Pérez", "Björk Guðmundsdóttir", "Jane Doe", "Kim, Lee & Park"}
	users    = []string{"john", "mary", "hr.admin@example.com", "svc-orders"}
	comments = []string{"Approved", "ok", "Approved, discount=5%", "Approved.\nPlease ship to:\n  Hauptstraße 5\n  10115 Berlin\nDanke schön ✓"}
)

// definitions are drawn by weight; orders dominates so that a filter on it
// keeps about half of the non-read entries.
var definitions = []struct {
	weight int
	start  func(g *gen) *instance
}{
	{44, startOrder},
	{14, startHire},
	{14, startOnboarding},
	{28, startRetire},
}

func (g *gen) newInstance() *instance {
	g.seq++
	r := g.rng.IntN(100)
	for _, d := range definitions {
		if r < d.weight {
			return d.start(g)
		}
		r -= d.weight
	}
	panic("definition weights must sum to 100")
}

func (g *gen) person() str { return str(g.pick(people)) }

// javaDouble renders cents as Java's Double.toString does for such values.
func javaDouble(cents int) num {
	s := strconv.FormatFloat(float64(cents)/100, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return num(s)
}

func order(number string, shipped bool, cents int, customer str) obj {
	return obj{class: "Order", fields: []kv{{"orderNumber", str(number)}, {"shipped", boolean(shipped)},
		{"total", javaDouble(cents)}, {"customer", customer}}}
}

func startOrder(g *gen) *instance {
	key := fmt.Sprintf("ORD-%05d", g.seq)
	in := &instance{def: "orders", name: "Orders", version: "1.0", id: g.uuid(),
		businessKey: key, description: "Order " + key, tags: list{}}
	if g.chance(30) {
		in.tags = list{str("vip")}
	}
	customer, cents := g.person(), 1000+g.rng.IntN(200000)
	timer := &job{id: g.uuid() + "_1", expr: "PT48H", every: 48 * time.Hour, repeat: "-1", triggered: true}
	in.txns = []func(*gen){
		func(g *gen) { orderCreate(g, in, customer, cents, timer) },
		func(g *gen) { orderApprove(g, in, timer) },
		func(g *gen) { orderShip(g, in, customer, cents) },
	}
	return in
}

func orderCreate(g *gen, in *instance, customer str, cents int, timer *job) {
	in.begin(g, g.pick(users))
	g.set(in, "order", order(in.businessKey, false, 0, customer), str("input"))
	in.state = 1
	g.workflow(in, "Workflow instance started")
	g.step(in, "StartEvent_1", "Start", "StartNodeInstance")
	g.enter(in, "Activity_0calc1", "Calculate total", "ActionNodeInstance")
	g.set(in, "order", order(in.businessKey, false, cents, customer), str("input"))
	g.leave(in, "Completed", "Workflow instance node executed")
	g.enter(in, "UserTask_0approve", "Approve order", "HumanTaskNodeInstance")
	g.store(in, "created in")
	g.schedule(in, timer)
}

func orderApprove(g *gen, in *instance, timer *job) {
	in.begin(g, "mary")
	g.store(in, "was read from")
	in.node = &node{g.uuid(), "UserTask_0approve", "Approve order", "HumanTaskNodeInstance"}
	g.set(in, "comment", str(g.pick(comments)), str("output"))
	g.leave(in, "Completed", "Workflow instance node executed")
	g.step(in, "Gateway_1split", "Approved?", "SplitInstance")
	g.cancel(in, timer, "orders_1_0")
	g.enter(in, "ServiceTask_0ship", "Ship order", "WorkItemNodeInstance")
	g.store(in, "updated in")
}

func orderShip(g *gen, in *instance, customer str, cents int) {
	in.begin(g, "")
	g.store(in, "was read from")
	shipped := order(in.businessKey, true, cents, customer)
	in.node = &node{g.uuid(), "ServiceTask_0ship", "Ship order", "WorkItemNodeInstance"}
	g.set(in, "order", shipped, str("output"))
	g.leave(in, "Completed", "Workflow instance node executed")
	g.send(in, "smallrye-kafka", "orderShipped", shipped)
	g.step(in, "EndEvent_1", "End", "EndNodeInstance")
	in.state = 2
	g.workflow(in, "Workflow instance finished")
	g.store(in, "deleted from")
}
