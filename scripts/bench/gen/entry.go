package main

import "strconv"

// instance is one live workflow instance with the transactions it has
// still to run.
type instance struct {
	def         string
	name        string
	version     string // "" when the definition has none
	id          string
	businessKey string
	description string
	parent      *instance // set for a subprocess
	state       int
	vars        []kv
	tags        list
	user        string // identity of the running transaction, "" anonymous
	tx          string // transactionId of the running transaction
	node        *node  // the node being executed, nil outside one
	txns        []func(*gen)
}

type node struct{ id, defID, name, typ string }

// begin starts a unit of work: a new transactionId and identity.
func (in *instance) begin(g *gen, user string) {
	in.tx = g.uuid()
	in.user = user
	in.node = nil
}

// header appends the items every workflow-scoped entry starts with, in the
// engine's order, leaving out nulls.
func (g *gen) header(in *instance) []kv {
	it := append(g.items[:0], kv{"timestamp", g.now()})
	if in.user != "" {
		it = append(it, kv{"identity", str(in.user)})
	}
	it = append(it, kv{"workflowDefinitionId", str(in.def)}, kv{"workflowInstanceId", str(in.id)})
	if in.parent != nil {
		it = append(it, kv{"workflowRootDefinitionId", str(in.parent.def)})
	}
	it = append(it, kv{"workflowDefinitionName", str(in.name)})
	if in.version != "" {
		it = append(it, kv{"workflowDefinitionVersion", str(in.version)})
	}
	if in.parent != nil {
		p := str(in.parent.id)
		it = append(it, kv{"workflowRootInstanceId", p}, kv{"workflowParentInstanceId", p})
	}
	it = append(it, kv{"workflowInstanceState", num(strconv.Itoa(in.state))})
	if in.businessKey != "" {
		it = append(it, kv{"businessKey", str(in.businessKey)})
	}
	return append(it, kv{"description", str(in.description)})
}

// scoped appends variables, tags and transactionId after the header.
func (g *gen) scoped(in *instance) []kv {
	it := g.header(in)
	return append(it, kv{"variables", obj{fields: in.vars}}, kv{"tags", in.tags}, kv{"transactionId", str(in.tx)})
}

func (g *gen) workflow(in *instance, msg string, extra ...kv) {
	it := append(g.scoped(in), kv{"message", str(msg)})
	g.keep(append(it, extra...), "workflow", in.def)
}

func appendNode(it []kv, n *node, state string) []kv {
	return append(it, kv{"nodeInstanceId", str(n.id)}, kv{"nodeDefinitionId", str(n.defID)},
		kv{"nodeName", str(n.name)}, kv{"nodeInstanceState", str(state)}, kv{"nodeType", str(n.typ)})
}

// enter logs "About to execute" for a new node instance and makes it current.
func (g *gen) enter(in *instance, defID, name, typ string) {
	in.node = &node{g.uuid(), defID, name, typ}
	it := appendNode(g.scoped(in), in.node, "Active")
	it = append(it, kv{"message", str("About to execute workflow instance node")})
	g.keep(it, "workflow_node", in.def)
}

// leave logs the current node as executed (or failed, with extra items).
func (g *gen) leave(in *instance, state, msg string, extra ...kv) {
	it := appendNode(g.scoped(in), in.node, state)
	it = append(it, kv{"message", str(msg)})
	g.keep(append(it, extra...), "workflow_node", in.def)
	in.node = nil
}

// step runs a node from start to end within one transaction.
func (g *gen) step(in *instance, defID, name, typ string) {
	g.enter(in, defID, name, typ)
	g.leave(in, "Completed", "Workflow instance node executed")
}

// set changes a workflow variable and logs it with the old and new value.
func (g *gen) set(in *instance, name string, v value, tags ...value) {
	var prev value
	for i := range in.vars {
		if in.vars[i].k == name {
			prev, in.vars[i].v = in.vars[i].v, v
		}
	}
	if prev == nil {
		in.vars = append(in.vars, kv{name, v})
	}
	it := g.scoped(in)
	if in.node != nil {
		it = appendNode(it, in.node, "Active")
	}
	it = append(it, kv{"variableName", str(name)}, kv{"message", str("Workflow instance variable changed")})
	if prev != nil {
		it = append(it, kv{"variablePreviousValue", prev})
	}
	it = append(it, kv{"variableValue", v}, kv{"variableTags", list(tags)})
	g.keep(it, "workflow_variable", in.def)
}

// store logs a persistence event; verb is "created in", "was read from"...
func (g *gen) store(in *instance, verb string) {
	cat := "workflow_persistence_write"
	if verb == "was read from" {
		cat = "workflow_persistence_read"
	}
	it := append(g.header(in), kv{"tags", in.tags},
		kv{"message", str("Workflow instance " + verb + " the file system based data store")},
		kv{"transactionId", str(in.tx)})
	g.keep(it, cat, in.def)
}

func (g *gen) send(in *instance, connector, name string, payload value) {
	it := g.header(in)
	it = append(it[:len(it)-1], kv{"connector", str(connector)}, kv{"messageName", str(name)},
		kv{"payload", payload}, kv{"tags", in.tags},
		kv{"message", str("Workflow instance sent message")}, kv{"transactionId", str(in.tx)})
	g.keep(it, "messaging", in.def)
}

// keep hands the entry to emit and lets the scratch slice be reused.
func (g *gen) keep(it []kv, category, def string) {
	g.items = it[:0]
	g.emit(category, def, it)
}
