package manifest

// A small max-flow network (Dinic's algorithm) with integer capacities, for
// the bound. Arcs are added in pairs (forward, reverse); flow on an arc is
// what its reverse arc can carry back.

const infinite = int64(1) << 50

type network struct {
	head  []int32 // first arc of each node, -1 if none
	next  []int32 // next arc of the same tail
	to    []int32
	cap   []int64 // residual capacity
	level []int32
	iter  []int32
	queue []int32
}

func newNetwork(nodes int) *network {
	n := &network{head: make([]int32, nodes)}
	for i := range n.head {
		n.head[i] = -1
	}
	return n
}

func (n *network) addNode() int {
	n.head = append(n.head, -1)
	return len(n.head) - 1
}

// addArc adds an arc of capacity c from u to v and returns its index.
func (n *network) addArc(u, v int, c int64) int {
	a := len(n.to)
	n.to = append(n.to, int32(v), int32(u))
	n.cap = append(n.cap, c, 0)
	n.next = append(n.next, n.head[u], n.head[v])
	n.head[u], n.head[v] = int32(a), int32(a+1)
	return a
}

// flow is the flow on arc a.
func (n *network) flow(a int) int64 { return n.cap[a^1] }

// maxflow pushes as much more flow from s to t as the residual network
// allows and returns how much. Flow already on arcs out of s stays: no path
// from s goes back into s.
func (n *network) maxflow(s, t int) int64 {
	var total int64
	nodes := len(n.head)
	if len(n.level) < nodes {
		n.level = make([]int32, nodes)
		n.iter = make([]int32, nodes)
	}
	for n.bfs(s, t) {
		copy(n.iter, n.head)
		for {
			f := n.dfs(s, t, infinite)
			if f == 0 {
				break
			}
			total += f
		}
	}
	return total
}

func (n *network) bfs(s, t int) bool {
	for i := range n.level[:len(n.head)] {
		n.level[i] = -1
	}
	n.level[s] = 0
	n.queue = append(n.queue[:0], int32(s))
	for i := 0; i < len(n.queue); i++ {
		u := n.queue[i]
		for a := n.head[u]; a >= 0; a = n.next[a] {
			if v := n.to[a]; n.cap[a] > 0 && n.level[v] < 0 {
				n.level[v] = n.level[u] + 1
				n.queue = append(n.queue, v)
			}
		}
	}
	return n.level[t] >= 0
}

// dfs finds one augmenting path in the level graph, iteratively: the
// networks of a national instance are too deep for recursion to be cheap.
func (n *network) dfs(s, t int, limit int64) int64 {
	type frame struct {
		node int32
		arc  int32 // the arc taken into node
	}
	stack := []frame{{node: int32(s), arc: -1}}
	for len(stack) > 0 {
		top := stack[len(stack)-1]
		u := top.node
		if int(u) == t {
			f := limit
			for _, fr := range stack[1:] {
				f = min(f, n.cap[fr.arc])
			}
			for _, fr := range stack[1:] {
				n.cap[fr.arc] -= f
				n.cap[fr.arc^1] += f
			}
			return f
		}
		advanced := false
		for ; n.iter[u] >= 0; n.iter[u] = n.next[n.iter[u]] {
			a := n.iter[u]
			v := n.to[a]
			if n.cap[a] > 0 && n.level[v] == n.level[u]+1 {
				stack = append(stack, frame{node: v, arc: a})
				advanced = true
				break
			}
		}
		if !advanced {
			// A dead end: no path through u in this phase.
			n.level[u] = -1
			stack = stack[:len(stack)-1]
			if len(stack) > 0 {
				p := stack[len(stack)-1].node
				n.iter[p] = n.next[n.iter[p]]
			}
		}
	}
	return 0
}
