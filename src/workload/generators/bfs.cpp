// bfs: graph500-style breadth-first search over a Kronecker (R-MAT A=0.57, B=C=0.19) graph kept
// in CSR form: offsets, edge list, parent array and the BFS queue. The graph is implicit — a
// vertex's degree and neighbours are derived from its id and the seed — so any scale can be
// generated without building it; the visited set is the only per-vertex state kept.
// Options: scale (log2 vertices; default: fit the footprint), edgefactor (default 16).
#include <cmath>
#include <deque>
#include <vector>

#include "common/random.h"
#include "common/units.h"
#include "workload/generators/generator_helpers.h"
#include "workload/generators/synthetic_source.h"

namespace hvsim {
namespace {

constexpr double kA = 0.57, kB = 0.19, kC = 0.19;

struct Graph {
  unsigned scale;
  uint64_t vertices, edgefactor, seed;
  std::vector<uint64_t> offsets;  // prefix sums of degrees (CSR row starts)

  // Kronecker expected degree of a (pre-permutation) row id: each 0 bit in the id multiplies by
  // A+B, each 1 bit by C+D; realized deterministically by rounding with a hashed fraction.
  uint64_t degree(uint64_t v) const {
    unsigned ones = static_cast<unsigned>(__builtin_popcountll(v));
    double e = 2.0 * static_cast<double>(edgefactor * vertices) * std::pow(kA + kB, scale - ones) *
               std::pow(1.0 - kA - kB, ones);
    uint64_t s = seed ^ (v * 0x9E3779B97F4A7C15ull);
    double frac = static_cast<double>(splitmix64(s) >> 11) * 0x1.0p-53;
    return static_cast<uint64_t>(e + frac);
  }
  // Graph500 scrambles vertex labels so hubs are spread over the arrays.
  uint64_t permute(uint64_t v) const {
    const uint64_t mask = vertices - 1;
    v = (v * 0x9E3779B97F4A7C15ull + seed) & mask;
    v ^= v >> (scale / 2 + 1);
    return (v * 0xBF58476D1CE4E5B9ull) & mask;
  }
  // The i-th neighbour of row u: R-MAT column bits chosen given the row's bits.
  uint64_t neighbour(uint64_t u, uint64_t i) const {
    uint64_t s = seed ^ (u * 0xD1B54A32D192ED03ull) ^ (i * 0x94D049BB133111EBull);
    uint64_t col = 0;
    for (unsigned b = 0; b < scale; b += 4) {
      uint64_t r = splitmix64(s);
      for (unsigned k = 0; k < 4 && b + k < scale; ++k) {
        bool row1 = (u >> (b + k)) & 1;
        double p0 = row1 ? kC / (1.0 - kA - kB) : kA / (kA + kB);
        double x = static_cast<double>((r >> (16 * k)) & 0xffff) / 65536.0;
        if (x >= p0) col |= 1ull << (b + k);
      }
    }
    return col;
  }
};

std::unique_ptr<EventSource> make_bfs(const WorkloadParams& p) {
  unsigned scale = 0;
  uint64_t edgefactor = 16;
  for (auto& [k, v] : p.options) {
    if (k == "scale") {
      scale = static_cast<unsigned>(parse_count(v, "workload.scale"));
      if (scale < 4 || scale > 26)
        throw InputError("workload.scale: must be 4..26 (log2 of the vertex count)");
    } else if (k == "edgefactor") {
      edgefactor = parse_count(v, "workload.edgefactor");
      if (edgefactor > 64) throw InputError("workload.edgefactor: must be 1..64");
    } else {
      throw InputError("workload." + k +
                       ": the 'bfs' workload has no such option (it has scale, edgefactor)");
    }
  }
  // Bytes per vertex: offset, parent and queue slot (8 B each) and 2·edgefactor edge entries.
  const uint64_t per_vertex = 24 + 16 * edgefactor;
  if (scale == 0) {
    scale = 4;
    while (scale < 26 && (per_vertex << (scale + 1)) <= p.footprint) ++scale;
  }
  auto g = std::make_shared<Graph>(Graph{scale, 1ull << scale, edgefactor, p.seed, {}});
  g->offsets.resize(g->vertices + 1);
  for (uint64_t v = 0; v < g->vertices; ++v) g->offsets[v + 1] = g->offsets[v] + g->degree(v);
  const uint64_t edges = g->offsets.back();

  struct Step {
    std::shared_ptr<Graph> g;
    uint64_t off_base, edge_base, parent_base, queue_base;
    Rng rng;
    std::vector<uint64_t> visited;  // bitmap over permuted ids
    std::vector<uint64_t> queue;    // rows (pre-permutation) in BFS order
    size_t head = 0;
    uint64_t cur = 0, next_edge = 0, end_edge = 0;
    std::deque<Event> pending;

    bool test_set(uint64_t v) {
      uint64_t& w = visited[v >> 6];
      bool was = (w >> (v & 63)) & 1;
      w |= 1ull << (v & 63);
      return was;
    }
    void new_root() {
      std::fill(visited.begin(), visited.end(), 0);
      queue.clear();
      head = 0;
      uint64_t r;
      do r = rng.below(g->vertices);
      while (g->offsets[r + 1] == g->offsets[r]);
      test_set(g->permute(r));
      queue.push_back(r);
      pending.push_back(Event::access(EventKind::kStore, queue_base, 8));
      pending.push_back(Event::access(EventKind::kStore, parent_base + 8 * g->permute(r), 8));
    }
    void advance() {
      if (next_edge < end_edge) {
        // Scan one edge: read it, read the target's parent, claim and enqueue it if unseen.
        uint64_t i = next_edge - g->offsets[cur];
        uint64_t row = g->neighbour(cur, i);
        uint64_t v = g->permute(row);
        pending.push_back(Event::access(EventKind::kLoad, edge_base + 8 * next_edge, 8));
        pending.push_back(Event::access(EventKind::kLoad, parent_base + 8 * v, 8));
        if (!test_set(v)) {
          pending.push_back(Event::access(EventKind::kStore, parent_base + 8 * v, 8));
          pending.push_back(Event::access(EventKind::kStore, queue_base + 8 * queue.size(), 8));
          queue.push_back(row);
        }
        ++next_edge;
        return;
      }
      if (head == queue.size()) {
        new_root();
        return;
      }
      // Dequeue the next vertex and read its CSR row bounds.
      pending.push_back(Event::access(EventKind::kLoad, queue_base + 8 * head, 8));
      cur = queue[head++];
      uint64_t pv = g->permute(cur);
      pending.push_back(Event::access(EventKind::kLoad, off_base + 8 * pv, 8));
      pending.push_back(Event::access(EventKind::kLoad, off_base + 8 * pv + 8, 8));
      next_edge = g->offsets[cur];
      end_edge = g->offsets[cur + 1];
    }
    Event operator()() {
      while (pending.empty()) advance();
      Event e = pending.front();
      pending.pop_front();
      return e;
    }
  };
  const uint64_t V = g->vertices;
  Step s{g, kWorkloadHeapBase, 0, 0, 0, Rng(p.seed), std::vector<uint64_t>((V + 63) / 64), {}, 0, 0, 0, 0,
         {}};
  s.edge_base = s.off_base + layout_page_up(8 * (V + 1));
  s.parent_base = s.edge_base + layout_page_up(8 * edges);
  s.queue_base = s.parent_base + layout_page_up(8 * V);
  WorkloadParams q = p;
  q.footprint = s.queue_base + layout_page_up(8 * V) - kWorkloadHeapBase;
  return make_synthetic(
      fmt::format("bfs over a Kronecker graph (scale {}, edgefactor {}, {} edges, {} B, seed {})", scale,
                  edgefactor, edges, q.footprint, p.seed),
      q, std::move(s));
}

}  // namespace

HVSIM_REGISTER_WORKLOAD(
    bfs, "bfs",
    "graph500-like breadth-first search over a Kronecker graph in CSR form (options: scale, "
    "edgefactor)",
    50, make_bfs);

}  // namespace hvsim
