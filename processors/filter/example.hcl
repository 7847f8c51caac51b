processor "filter" "orders" {
  # the orders flow, and large orders of any flow ("?? 0": a missing
  # total would make "nil > 1000" a run-time error)
  when = "workflowDefinitionId == 'orders' || (variables?.order?.total ?? 0) > 1000"
}
