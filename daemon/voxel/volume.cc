// Volume: a persistent hash trie of reference-counted compact blocks. A
// write copies the nodes on its path when they are shared (path copying);
// every node keeps the tight bounds of its subtree.
#include "voxel/volume.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/mutex.h"
#include "voxel/block.h"

namespace goxel::voxel {
namespace {

std::atomic<uint64_t> g_version{0};

uint64_t NextVersion() {
  return g_version.fetch_add(1, std::memory_order_relaxed) + 1;
}

// Floor division by 16 of every coordinate (arithmetic shift, C++20).
Vec3i BlockKey(Vec3i p) { return {p.x >> 4, p.y >> 4, p.z >> 4}; }

Vec3i KeyOrigin(Vec3i k) {
  return {static_cast<int32_t>(static_cast<uint32_t>(k.x) << 4),
          static_cast<int32_t>(static_cast<uint32_t>(k.y) << 4),
          static_cast<int32_t>(static_cast<uint32_t>(k.z) << 4)};
}

int LocalIndex(Vec3i p) { return BlockIndex(p.x & 15, p.y & 15, p.z & 15); }

// Empty voxels are stored as all zeros, whatever their rgb was.
Rgba Normalize(Rgba c) { return c.a ? c : Rgba{}; }

uint64_t HashKey(Vec3i k) {
  uint64_t h = uint64_t{static_cast<uint32_t>(k.x)} * 0x9E3779B97F4A7C15ull;
  h ^= uint64_t{static_cast<uint32_t>(k.y)} * 0xC2B2AE3D27D4EB4Full;
  h ^= uint64_t{static_cast<uint32_t>(k.z)} * 0x165667B19E3779F9ull;
  return h ^ (h >> 29);
}

// Trie shape: 16-way branches on 4 hash bits per level; a leaf holds up to
// kLeafMax blocks, except at the deepest level (all 64 bits used), where
// it holds whatever collides.
constexpr int kFanout = 16;
constexpr int kMaxDepth = 15;
constexpr size_t kLeafMax = 16;
// The per-block share of the trie in MemoryBytes(): a leaf entry plus the
// amortised leaf and branch nodes.
constexpr int64_t kEntryBytes = 48;

int Nibble(uint64_t h, int depth) { return int(h >> (4 * depth)) & 15; }

constexpr Box kEmptyBox{{1, 1, 1}, {0, 0, 0}};

bool IsEmpty(const Box& b) { return b.min.x > b.max.x; }

Box Union(const Box& a, const Box& b) {
  if (IsEmpty(a)) return b;
  if (IsEmpty(b)) return a;
  return {{std::min(a.min.x, b.min.x), std::min(a.min.y, b.min.y),
           std::min(a.min.z, b.min.z)},
          {std::max(a.max.x, b.max.x), std::max(a.max.y, b.max.y),
           std::max(a.max.z, b.max.z)}};
}

// True when `outer` holds all of `inner` (an empty inner is held by all).
bool Holds(const Box& outer, const Box& inner) {
  if (IsEmpty(inner)) return true;
  return !IsEmpty(outer) && outer.Contains(inner.min) &&
         outer.Contains(inner.max);
}

Box BlockBox(Vec3i key, const Block& b) {
  const LocalBox& l = b.bounds();
  if (l.empty()) return kEmptyBox;
  const Vec3i o = KeyOrigin(key);
  return {{o.x + l.x0, o.y + l.y0, o.z + l.z0},
          {o.x + l.x1, o.y + l.y1, o.z + l.z1}};
}

// A block of ours we may write: cloned first if another leaf holds it.
Block* MutableBlock(Block*& slot) {
  if (!slot) {
    slot = new Block();
  } else if (!slot->Unique()) {
    Block* copy = new Block(*slot);
    Block::Unref(slot);
    slot = copy;
  }
  return slot;
}

struct LocalRange {
  int x0, x1, y0, y1, z0, z1;
  int Cells() const { return (x1 - x0 + 1) * (y1 - y0 + 1) * (z1 - z0 + 1); }
};

LocalRange RangeIn(Vec3i o, const Box& box) {
  return {int(std::max<int64_t>(box.min.x, o.x) - o.x),
          int(std::min<int64_t>(box.max.x, o.x + 15) - o.x),
          int(std::max<int64_t>(box.min.y, o.y) - o.y),
          int(std::min<int64_t>(box.max.y, o.y + 15) - o.y),
          int(std::max<int64_t>(box.min.z, o.z) - o.z),
          int(std::min<int64_t>(box.max.z, o.z + 15) - o.z)};
}

}  // namespace

// A trie node. `refs` counts the Volumes and branches holding it; a node with
// refs > 1 is immutable (copy-on-write), like a Block.
struct Volume::Node {
  explicit Node(bool is_leaf) : leaf(is_leaf) {}
  std::atomic<int32_t> refs{1};
  const bool leaf;
  uint32_t accounted = 0;  // bytes added to the engine counter.
  Box bounds = kEmptyBox;  // tight bounds of the voxels below.

  bool Unique() const { return refs.load(std::memory_order_acquire) == 1; }
  void Ref() { refs.fetch_add(1, std::memory_order_relaxed); }
  static void Unref(Node* n);
};

namespace {

using Node = Volume::Node;

struct Entry {
  Vec3i key;
  Block* block;
};

struct Leaf : Node {
  Leaf() : Node(true) {}
  std::vector<Entry> entries;
};

struct Branch : Node {
  Branch() : Node(false) {}
  Node* kids[kFanout] = {};
};

Leaf* AsLeaf(Node* n) { return static_cast<Leaf*>(n); }
const Leaf* AsLeaf(const Node* n) { return static_cast<const Leaf*>(n); }
Branch* AsBranch(Node* n) { return static_cast<Branch*>(n); }
const Branch* AsBranch(const Node* n) { return static_cast<const Branch*>(n); }

// Brings the engine counter up to date with the node's size.
void AccountNode(Node* n) {
  const size_t bytes =
      n->leaf ? sizeof(Leaf) + AsLeaf(n)->entries.capacity() * sizeof(Entry)
              : sizeof(Branch);
  AccountEngineBytes(int64_t(bytes) - int64_t{n->accounted});
  n->accounted = static_cast<uint32_t>(bytes);
}

Leaf* NewLeaf() {
  Leaf* l = new Leaf();
  AccountNode(l);
  return l;
}

Branch* NewBranch() {
  Branch* b = new Branch();
  AccountNode(b);
  return b;
}

void DeleteNode(Node* n) {
  AccountEngineBytes(-int64_t{n->accounted});
  if (n->leaf) {
    delete AsLeaf(n);
  } else {
    delete AsBranch(n);
  }
}

// A node of ours we may write: cloned first if another holder shares it.
Node* MutableNode(Node** slot) {
  Node* n = *slot;
  if (n->Unique()) return n;
  Node* copy;
  if (n->leaf) {
    Leaf* l = NewLeaf();
    l->entries = AsLeaf(n)->entries;
    for (Entry& e : l->entries) e.block->Ref();
    AccountNode(l);
    copy = l;
  } else {
    Branch* b = NewBranch();
    std::copy_n(AsBranch(n)->kids, kFanout, b->kids);
    for (Node* k : b->kids)
      if (k) k->Ref();
    copy = b;
  }
  copy->bounds = n->bounds;
  Node::Unref(n);
  *slot = copy;
  return copy;
}

const Block* FindBlock(const Node* n, Vec3i key) {
  const uint64_t h = HashKey(key);
  for (int depth = 0; n && !n->leaf; ++depth)
    n = AsBranch(n)->kids[Nibble(h, depth)];
  if (!n) return nullptr;
  for (const Entry& e : AsLeaf(n)->entries)
    if (e.key == key) return e.block;
  return nullptr;
}

// The tight bounds of a node from its children (one level, not recursive).
Box NodeBounds(const Node* n) {
  Box b = kEmptyBox;
  if (n->leaf) {
    for (const Entry& e : AsLeaf(n)->entries)
      b = Union(b, BlockBox(e.key, *e.block));
  } else {
    for (const Node* k : AsBranch(n)->kids)
      if (k) b = Union(b, k->bounds);
  }
  return b;
}

// Turns an over-full leaf (ours alone) into a branch of leaves.
Node* Split(Leaf* leaf, int depth) {
  Branch* br = NewBranch();
  br->bounds = leaf->bounds;
  for (const Entry& e : leaf->entries) {
    Node*& kid = br->kids[Nibble(HashKey(e.key), depth)];
    if (!kid) kid = NewLeaf();
    AsLeaf(kid)->entries.push_back(e);
    kid->bounds = Union(kid->bounds, BlockBox(e.key, *e.block));
  }
  leaf->entries.clear();  // The blocks moved; no references dropped.
  DeleteNode(leaf);
  for (Node*& kid : br->kids) {
    if (!kid) continue;
    AccountNode(kid);
    if (AsLeaf(kid)->entries.size() > kLeafMax && depth + 1 < kMaxDepth)
      kid = Split(AsLeaf(kid), depth + 1);
  }
  return br;
}

template <typename F>
void Walk(const Node* n, F&& f) {
  if (!n) return;
  if (n->leaf) {
    for (const Entry& e : AsLeaf(n)->entries) f(e.key, *e.block);
    return;
  }
  for (const Node* k : AsBranch(n)->kids) Walk(k, f);
}

// Calls f(key) for every key whose block may differ between the subtrees a
// and b (at the same place in two tries): shared subtrees and shared blocks
// are skipped, so two versions of one volume compare in O(what changed).
template <typename F>
void WalkDifferent(const Node* a, const Node* b, F&& f) {
  if (a == b) return;
  if (a && b && !a->leaf && !b->leaf) {
    for (int i = 0; i < kFanout; ++i) {
      WalkDifferent(AsBranch(a)->kids[i], AsBranch(b)->kids[i], f);
    }
    return;
  }
  // Different shapes here (or a side without blocks): compare the blocks
  // below both by key. Leaves hold a few blocks; a branch facing a leaf or
  // nothing is walked whole, which only happens where the edit split or
  // emptied it.
  std::vector<std::pair<Vec3i, const Block*>> left;
  Walk(a, [&](Vec3i k, const Block& blk) { left.emplace_back(k, &blk); });
  auto same_key = [](Vec3i x, Vec3i y) {
    return x.x == y.x && x.y == y.y && x.z == y.z;
  };
  std::vector<bool> matched(left.size(), false);
  Walk(b, [&](Vec3i k, const Block& blk) {
    for (size_t i = 0; i < left.size(); ++i) {
      if (!matched[i] && same_key(left[i].first, k)) {
        matched[i] = true;
        if (left[i].second != &blk) f(k);
        return;
      }
    }
    f(k);
  });
  for (size_t i = 0; i < left.size(); ++i) {
    if (!matched[i]) f(left[i].first);
  }
}

// The order of a depth-first walk of the trie: the hash with its nibbles
// reversed, so nibble 0 (the root's branch) is the most significant.
uint64_t TrieOrder(uint64_t h) {
  h = __builtin_bswap64(h);
  return (h & 0x0F0F0F0F0F0F0F0Full) << 4 | (h >> 4 & 0x0F0F0F0F0F0F0F0Full);
}

bool KeyLess(Vec3i a, Vec3i b) {
  return std::tie(a.x, a.y, a.z) < std::tie(b.x, b.y, b.z);
}

// The blocks a bulk operation writes, in trie order: Merge and Build walk
// them with the trie, once per node. `Source` gives, per item i, hash(i),
// key(i) and Apply(i, Block*& slot), which edits the slot (null when the
// block is absent; null afterwards drops it) and keeps the counts.
template <typename Source>
Node* Build(Source& src, size_t lo, size_t hi, int depth);

// The items [lo, hi) whose nibble at `depth` is the same as lo's: [lo, end).
template <typename Source>
size_t SameNibble(Source& src, size_t lo, size_t hi, int depth) {
  const int nib = Nibble(src.hash(lo), depth);
  size_t end = lo + 1;
  while (end < hi && Nibble(src.hash(end), depth) == nib) ++end;
  return end;
}

// A leaf of the blocks [lo, hi) that exist after applying them (none: null).
template <typename Source>
Node* BuildLeaf(Source& src, size_t lo, size_t hi) {
  Leaf* leaf = NewLeaf();
  leaf->entries.reserve(hi - lo);
  for (size_t i = lo; i < hi; ++i) {
    Block* b = nullptr;
    src.Apply(i, b);
    if (b) leaf->entries.push_back({src.key(i), b});
  }
  if (leaf->entries.empty()) {
    DeleteNode(leaf);
    return nullptr;
  }
  leaf->entries.shrink_to_fit();
  AccountNode(leaf);
  leaf->bounds = NodeBounds(leaf);
  return leaf;
}

// Fills a branch's children from the items [lo, hi) with `visit(slot, lo,
// hi)`; then drops the branch if it holds nothing, else sets its bounds.
template <typename Source, typename F>
Node* FillBranch(Branch* br, Source& src, size_t lo, size_t hi, int depth,
                 F&& visit) {
  for (size_t i = lo; i < hi;) {
    const size_t end = SameNibble(src, i, hi, depth);
    visit(&br->kids[Nibble(src.hash(i), depth)], i, end);
    i = end;
  }
  if (std::all_of(br->kids, br->kids + kFanout,
                  [](const Node* k) { return k == nullptr; })) {
    DeleteNode(br);
    return nullptr;
  }
  br->bounds = NodeBounds(br);
  return br;
}

// A new subtree of the blocks [lo, hi), bottom up: a leaf when they fit in
// one (or at the deepest level), else a branch of subtrees.
template <typename Source>
Node* Build(Source& src, size_t lo, size_t hi, int depth) {
  if (hi - lo <= kLeafMax || depth >= kMaxDepth) return BuildLeaf(src, lo, hi);
  return FillBranch(NewBranch(), src, lo, hi, depth,
                    [&](Node** kid, size_t a, size_t b) {
                      *kid = Build(src, a, b, depth + 1);
                    });
}

// Applies the items [lo, hi) to the subtree at *slot (making each node it
// writes unique first); *slot becomes null when nothing is left.
template <typename Source>
void Merge(Source& src, Node** slot, size_t lo, size_t hi, int depth) {
  if (!*slot) {
    *slot = Build(src, lo, hi, depth);
    return;
  }
  Node* n = MutableNode(slot);
  if (n->leaf) {
    Leaf* leaf = AsLeaf(n);
    if (depth < kMaxDepth && leaf->entries.size() + (hi - lo) > kLeafMax) {
      // More than a leaf holds: a branch of leaves first, then merge.
      n = *slot = Split(leaf, depth);
    } else {
      auto& entries = leaf->entries;
      const size_t before = entries.size();
      for (size_t i = lo; i < hi; ++i) {
        const Vec3i key = src.key(i);
        size_t at = 0;
        while (at < before && !(entries[at].key == key)) ++at;
        if (at < before) {
          src.Apply(i, entries[at].block);
        } else {
          Block* b = nullptr;
          src.Apply(i, b);
          if (b) entries.push_back({key, b});
        }
      }
      std::erase_if(entries, [](const Entry& e) { return e.block == nullptr; });
      if (entries.empty()) {
        DeleteNode(leaf);
        *slot = nullptr;
        return;
      }
      AccountNode(leaf);
      leaf->bounds = NodeBounds(leaf);
      return;
    }
  }
  *slot = FillBranch(AsBranch(n), src, lo, hi, depth,
                     [&](Node** kid, size_t a, size_t b) {
                       Merge(src, kid, a, b, depth + 1);
                     });
}

}  // namespace

void Volume::Node::Unref(Node* n) {
  if (n->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  if (n->leaf) {
    for (Entry& e : AsLeaf(n)->entries) Block::Unref(e.block);
  } else {
    for (Node* k : AsBranch(n)->kids)
      if (k) Unref(k);
  }
  DeleteNode(n);
}

Volume::Volume() : version_(NextVersion()) {}

Volume::Volume(const Volume& o)
    : root_(o.root_),
      voxels_(o.voxels_),
      blocks_(o.blocks_),
      bytes_(o.bytes_),
      version_(o.version_) {
  if (root_) root_->Ref();
}

Volume& Volume::operator=(const Volume& o) {
  if (this == &o) return *this;
  if (o.root_) o.root_->Ref();
  Reset();
  root_ = o.root_;
  voxels_ = o.voxels_;
  blocks_ = o.blocks_;
  bytes_ = o.bytes_;
  version_ = o.version_;
  return *this;
}

// A moved-from volume is empty: it takes a fresh version, so that equal
// versions keep meaning equal content (Colors() relies on it).
Volume::Volume(Volume&& o) noexcept
    : root_(std::exchange(o.root_, nullptr)),
      voxels_(std::exchange(o.voxels_, 0)),
      blocks_(std::exchange(o.blocks_, 0)),
      bytes_(std::exchange(o.bytes_, 0)),
      version_(std::exchange(o.version_, NextVersion())) {}

Volume& Volume::operator=(Volume&& o) noexcept {
  if (this == &o) return *this;
  Reset();
  root_ = std::exchange(o.root_, nullptr);
  voxels_ = std::exchange(o.voxels_, 0);
  blocks_ = std::exchange(o.blocks_, 0);
  bytes_ = std::exchange(o.bytes_, 0);
  version_ = std::exchange(o.version_, NextVersion());
  return *this;
}

Volume::~Volume() { Reset(); }

void Volume::Reset() {
  if (root_) Node::Unref(root_);
  root_ = nullptr;
  voxels_ = blocks_ = bytes_ = 0;
}

template <typename F>
void Volume::EditBlock(Vec3i key, bool create, F&& edit) {
  const uint64_t h = HashKey(key);
  if (!root_) {
    if (!create) return;
    root_ = NewLeaf();
  }
  Node* path[kMaxDepth + 1];
  Node** slots[kMaxDepth + 1];
  Node** slot = &root_;
  int depth = 0;
  for (;;) {
    Node* n = MutableNode(slot);
    path[depth] = n;
    slots[depth] = slot;
    if (n->leaf) break;
    Node** kid = &AsBranch(n)->kids[Nibble(h, depth)];
    if (!*kid) {
      if (!create) return;
      *kid = NewLeaf();
    }
    slot = kid;
    ++depth;
  }
  Leaf* leaf = AsLeaf(path[depth]);
  auto& entries = leaf->entries;
  auto it = std::find_if(entries.begin(), entries.end(),
                         [key](const Entry& e) { return e.key == key; });
  if (it == entries.end()) {
    if (!create) return;
    entries.push_back({key, nullptr});
    AccountNode(leaf);
    it = entries.end() - 1;
  }
  Block*& b = it->block;
  const bool had = b != nullptr;
  const int old_count = had ? b->count() : 0;
  const int64_t old_bytes = had ? int64_t(b->Bytes()) + kEntryBytes : 0;
  const Box old_box = had ? BlockBox(key, *b) : kEmptyBox;
  edit(b);
  if (b && b->count() == 0) {
    Block::Unref(b);
    b = nullptr;
  }
  voxels_ += (b ? b->count() : 0) - old_count;
  blocks_ += int(b != nullptr) - int(had);
  bytes_ += (b ? int64_t(b->Bytes()) + kEntryBytes : 0) - old_bytes;
  const Box new_box = b ? BlockBox(key, *b) : kEmptyBox;
  if (!b) {
    *it = entries.back();
    entries.pop_back();
  }
  // Bounds: a block that only grew extends its path; one that shrank makes
  // the path recompute, bottom up, until a node's bounds stay the same.
  if (new_box == old_box) {
    // Nothing to do.
  } else if (Holds(new_box, old_box)) {
    for (int d = 0; d <= depth; ++d)
      path[d]->bounds = Union(path[d]->bounds, new_box);
  } else {
    for (int d = depth; d >= 0; --d) {
      const Box nb = NodeBounds(path[d]);
      if (nb == path[d]->bounds) break;
      path[d]->bounds = nb;
    }
  }
  if (entries.empty()) {
    DeleteNode(leaf);
    *slots[depth] = nullptr;
  } else if (entries.size() > kLeafMax && depth < kMaxDepth) {
    *slots[depth] = Split(leaf, depth);
  }
}

Rgba Volume::Get(Vec3i p) const {
  const Block* b = FindBlock(root_, BlockKey(p));
  return b ? b->Get(LocalIndex(p)) : Rgba{};
}

bool Volume::HasBlock(Vec3i p) const {
  return FindBlock(root_, BlockKey(p)) != nullptr;
}

bool Volume::ReadBlock(Vec3i p, Rgba* out) const {
  const Block* b = FindBlock(root_, BlockKey(p));
  if (!b) return false;
  b->Decode(out);
  return true;
}

void Volume::ForEachVoxelOfBlock(Vec3i p, const Box& box,
                                 const std::function<bool(Vec3i, Rgba)>& f,
                                 bool* stopped) const {
  const Block* b = FindBlock(root_, BlockKey(p));
  if (!b || *stopped) return;
  const Vec3i o = KeyOrigin(BlockKey(p));
  const LocalRange r = RangeIn(o, box);
  if (b->kind() == Block::Kind::kSparse) {
    b->ForEachCell([&](int i, Rgba c) {
      const int x = i & 15, y = (i >> 4) & 15, z = i >> 8;
      if (*stopped || x < r.x0 || x > r.x1 || y < r.y0 || y > r.y1 ||
          z < r.z0 || z > r.z1)
        return;
      if (!f({o.x + x, o.y + y, o.z + z}, c)) *stopped = true;
    });
    return;
  }
  for (int z = r.z0; z <= r.z1; ++z)
    for (int y = r.y0; y <= r.y1; ++y)
      for (int x = r.x0; x <= r.x1; ++x) {
        const Rgba c = b->Get(BlockIndex(x, y, z));
        if (c.a && !f({o.x + x, o.y + y, o.z + z}, c)) {
          *stopped = true;
          return;
        }
      }
}

bool Volume::Set(Vec3i p, Rgba c) {
  if (MemoryBudget::ThreadExceeded()) return false;
  c = Normalize(c);
  const Vec3i key = BlockKey(p);
  const int i = LocalIndex(p);
  // While the root is shared (a snapshot was just taken), look first: a Set
  // that changes nothing must not copy a path. Otherwise walk once.
  if (!root_ || !root_->Unique()) {
    const Block* cur = FindBlock(root_, key);
    if ((cur ? cur->Get(i) : Rgba{}) == c) return false;
  }
  bool changed = false;
  EditBlock(key, c.a != 0, [&](Block*& b) {
    if (b && b->Get(i) == c) return;
    changed = true;
    MutableBlock(b)->Set(i, c);
  });
  if (changed) version_ = NextVersion();
  return changed;
}

namespace {

// SetVoxels' items: the edits grouped by block, in trie order.
class EditGroups {
 public:
  // What grouping `n` edits allocates.
  static int64_t ScratchBytes(size_t n) {
    return int64_t(n * sizeof(Ref) + (n + 1) * sizeof(uint32_t));
  }

  explicit EditGroups(std::span<const VoxelValue> edits) : edits_(edits) {
    refs_.resize(edits.size());
    for (size_t i = 0; i < edits.size(); ++i) {
      const Vec3i key = BlockKey(edits[i].p);
      refs_[i] = {HashKey(key), key, uint32_t(i)};
    }
    // By block, then in the order given (so a later edit of a cell wins).
    std::sort(refs_.begin(), refs_.end(), [](const Ref& a, const Ref& b) {
      if (a.hash != b.hash) return TrieOrder(a.hash) < TrieOrder(b.hash);
      if (!(a.key == b.key)) return KeyLess(a.key, b.key);
      return a.at < b.at;
    });
    starts_.reserve(refs_.size() + 1);  // pages are touched only as used
    for (size_t i = 0; i < refs_.size(); ++i) {
      if (i == 0 || !(refs_[i].key == refs_[i - 1].key))
        starts_.push_back(uint32_t(i));
    }
    starts_.push_back(uint32_t(refs_.size()));
  }

  size_t size() const { return starts_.size() - 1; }
  uint64_t hash(size_t g) const { return refs_[starts_[g]].hash; }
  Vec3i key(size_t g) const { return refs_[starts_[g]].key; }

  // Sets the cells of group g in block `b` (created when null) as Set
  // would, one by one.
  void Apply(size_t g, Block*& b) {
    const bool had = b != nullptr;
    const int old_count = had ? b->count() : 0;
    const int64_t old_bytes = had ? int64_t(b->Bytes()) + kEntryBytes : 0;
    for (size_t i = starts_[g]; i < starts_[g + 1]; ++i) {
      if (MemoryBudget::ThreadExceeded()) break;
      const VoxelValue& e = edits_[refs_[i].at];
      const Rgba c = Normalize(e.c);
      const int cell = LocalIndex(e.p);
      if ((b ? b->Get(cell) : Rgba{}) == c) continue;
      MutableBlock(b)->Set(cell, c);
      ++changed;
    }
    if (b && b->count() == 0) {
      Block::Unref(b);
      b = nullptr;
    }
    voxels += (b ? b->count() : 0) - old_count;
    blocks += int(b != nullptr) - int(had);
    bytes += (b ? int64_t(b->Bytes()) + kEntryBytes : 0) - old_bytes;
  }

  int64_t voxels = 0, blocks = 0, bytes = 0, changed = 0;

 private:
  struct Ref {
    uint64_t hash;  // of key
    Vec3i key;
    uint32_t at;  // index in edits_
  };
  std::span<const VoxelValue> edits_;
  std::vector<Ref> refs_;         // the edits, grouped by block
  std::vector<uint32_t> starts_;  // where each group starts in refs_, + end
};

}  // namespace

int64_t Volume::SetVoxels(std::span<const VoxelValue> edits) {
  if (edits.empty() || MemoryBudget::ThreadExceeded()) return 0;
  // While the root is shared (a snapshot was just taken), look first, as
  // Set does: a batch that changes nothing must not copy any path. Stops at
  // the first edit that changes a cell, so a real batch pays little.
  if (root_ && !root_->Unique()) {
    bool changes = false;
    for (const VoxelValue& e : edits) {
      const Block* b = FindBlock(root_, BlockKey(e.p));
      if ((b ? b->Get(LocalIndex(e.p)) : Rgba{}) != Normalize(e.c)) {
        changes = true;
        break;
      }
    }
    if (!changes) return 0;
  }
  // The grouping's scratch counts against the budget while the batch runs.
  const EngineCharge scratch(EditGroups::ScratchBytes(edits.size()));
  if (MemoryBudget::ThreadExceeded()) return 0;
  EditGroups groups(edits);
  Merge(groups, &root_, 0, groups.size(), 0);
  voxels_ += groups.voxels;
  blocks_ += groups.blocks;
  bytes_ += groups.bytes;
  if (groups.changed > 0) version_ = NextVersion();
  return groups.changed;
}

namespace {

// Fills range r of block b with c; returns the cells changed. Large ranges
// are decoded, filled and stored once, small ones set cell by cell.
int64_t FillRange(Block* b, const LocalRange& r, Rgba c) {
  int64_t changed = 0;
  if (r.Cells() <= 64) {
    for (int z = r.z0; z <= r.z1; ++z)
      for (int y = r.y0; y <= r.y1; ++y)
        for (int x = r.x0; x <= r.x1; ++x)
          changed += b->Set(BlockIndex(x, y, z), c) != c;
    return changed;
  }
  Rgba cells[kBlockVoxels];
  b->Decode(cells);
  for (int z = r.z0; z <= r.z1; ++z)
    for (int y = r.y0; y <= r.y1; ++y)
      for (int x = r.x0; x <= r.x1; ++x) {
        Rgba& cell = cells[BlockIndex(x, y, z)];
        if (cell == c) continue;
        ++changed;
        cell = c;
      }
  if (changed) b->Assign(cells);
  return changed;
}

int64_t FloorKey(int32_t v) { return v >> 4; }

}  // namespace

int64_t Volume::FillBox(const Box& box, Rgba c) {
  c = Normalize(c);
  if (box.min.x > box.max.x || box.min.y > box.max.y || box.min.z > box.max.z)
    return 0;
  if (MemoryBudget::ThreadExceeded()) return 0;
  const int64_t kx0 = FloorKey(box.min.x), kx1 = FloorKey(box.max.x);
  const int64_t ky0 = FloorKey(box.min.y), ky1 = FloorKey(box.max.y);
  const int64_t kz0 = FloorKey(box.min.z), kz1 = FloorKey(box.max.z);
  // Up to 2^81 for the whole int32 space: computed in 128 bits.
  const __int128 box_blocks =
      __int128{kx1 - kx0 + 1} * (ky1 - ky0 + 1) * (kz1 - kz0 + 1);
  auto whole = [&box](Vec3i k) {
    const Vec3i o = KeyOrigin(k);
    return box.Contains(o) && box.Contains({o.x + 15, o.y + 15, o.z + 15});
  };
  int64_t changed = 0;
  if (c.a == 0) {
    if (voxels_ == 0) return 0;
    // Clearing: visit only the blocks that exist when that is fewer.
    std::vector<Vec3i> keys;
    if (box_blocks > blocks_) {
      Walk(root_, [&](Vec3i k, const Block&) {
        if (k.x >= kx0 && k.x <= kx1 && k.y >= ky0 && k.y <= ky1 &&
            k.z >= kz0 && k.z <= kz1)
          keys.push_back(k);
      });
    } else {
      for (int64_t z = kz0; z <= kz1; ++z)
        for (int64_t y = ky0; y <= ky1; ++y)
          for (int64_t x = kx0; x <= kx1; ++x) {
            const Vec3i k{int32_t(x), int32_t(y), int32_t(z)};
            if (FindBlock(root_, k)) keys.push_back(k);
          }
    }
    for (Vec3i k : keys) {
      EditBlock(k, false, [&](Block*& b) {
        if (whole(k)) {
          changed += b->count();
          Block::Unref(b);
          b = nullptr;
        } else {
          changed += FillRange(MutableBlock(b), RangeIn(KeyOrigin(k), box), c);
        }
      });
    }
  } else {
    Block* uniform = nullptr;  // One shared block for every whole block.
    for (int64_t z = kz0; z <= kz1; ++z)
      for (int64_t y = ky0; y <= ky1; ++y)
        for (int64_t x = kx0; x <= kx1; ++x) {
          if (MemoryBudget::ThreadExceeded()) break;
          const Vec3i k{int32_t(x), int32_t(y), int32_t(z)};
          EditBlock(k, true, [&](Block*& b) {
            if (!whole(k)) {
              changed +=
                  FillRange(MutableBlock(b), RangeIn(KeyOrigin(k), box), c);
              return;
            }
            if (uniform && b == uniform) return;
            changed += b ? kBlockVoxels - b->CountEqual(c) : kBlockVoxels;
            if (b) Block::Unref(b);
            if (!uniform) uniform = Block::NewUniform(c);
            uniform->Ref();
            b = uniform;
          });
        }
    if (uniform) Block::Unref(uniform);
  }
  if (changed > 0) version_ = NextVersion();
  return changed;
}

void Volume::Clear() {
  if (voxels_ == 0) return;
  Reset();
  version_ = NextVersion();
}

void Volume::SetBlock(Vec3i origin, const Rgba* data) {
  if (MemoryBudget::ThreadExceeded()) return;
  const Vec3i key = BlockKey(origin);
  Block* fresh = Block::FromCells(data);
  const Block* cur = FindBlock(root_, key);
  bool same = fresh->count() == 0;
  if (cur) {
    Rgba a[kBlockVoxels], b[kBlockVoxels];
    cur->Decode(a);
    fresh->Decode(b);
    same = std::memcmp(a, b, sizeof(a)) == 0;
  }
  if (same) {
    Block::Unref(fresh);
    return;
  }
  EditBlock(key, fresh->count() > 0, [&](Block*& b) {
    if (b) Block::Unref(b);
    b = fresh;
    fresh = nullptr;
  });
  if (fresh) Block::Unref(fresh);
  version_ = NextVersion();
}

namespace {

// VolumeBuilder's items: whole blocks, in trie order, each key once.
class NewBlocks {
 public:
  explicit NewBlocks(std::span<VolumeBuilder::Added> items) : items_(items) {}
  size_t size() const { return items_.size(); }
  uint64_t hash(size_t i) const { return items_[i].hash; }
  Vec3i key(size_t i) const { return items_[i].key; }
  void Apply(size_t i, Block*& b) {
    b = std::exchange(items_[i].block, nullptr);
    voxels += b->count();
    blocks += 1;
    bytes += int64_t(b->Bytes()) + kEntryBytes;
  }
  int64_t voxels = 0, blocks = 0, bytes = 0;

 private:
  std::span<VolumeBuilder::Added> items_;
};

}  // namespace

VolumeBuilder::~VolumeBuilder() {
  for (Added& a : blocks_)
    if (a.block) Block::Unref(a.block);
  delete slab_;
}

BlockSlabAllocator* VolumeBuilder::Slab() {
  if (!slab_) slab_ = new BlockSlabAllocator();
  return slab_;
}

void VolumeBuilder::Add(Vec3i origin, Block* block) {
  if (MemoryBudget::ThreadExceeded()) {
    Block::Unref(block);
    return;
  }
  const Vec3i key = BlockKey(origin);
  blocks_.push_back({HashKey(key), key, uint32_t(blocks_.size()), block});
}

void VolumeBuilder::AddBlock(Vec3i origin, const Rgba* cells) {
  if (MemoryBudget::ThreadExceeded()) return;
  Add(origin, Block::FromCells(cells, Slab()));
}

void VolumeBuilder::AddBlockCells(
    Vec3i origin, std::span<const std::pair<uint16_t, Rgba>> cells) {
  if (MemoryBudget::ThreadExceeded()) return;
  // index << 32 | position in `cells` << 0 orders by index, then by input
  // order; the last word of each index is the one that wins.
  std::vector<uint64_t>& order = order_;  // buffers reused block to block
  std::vector<uint64_t>& words = words_;
  order.resize(cells.size());
  for (size_t i = 0; i < cells.size(); ++i)
    order[i] = uint64_t{cells[i].first} << 32 | i;
  std::sort(order.begin(), order.end());
  words.clear();
  for (size_t i = 0; i < order.size(); ++i) {
    const uint64_t index = order[i] >> 32;
    if (i + 1 < order.size() && (order[i + 1] >> 32) == index) continue;
    const Rgba c = cells[uint32_t(order[i])].second;
    if (c.a) words.push_back(index << 32 | Block::Pack(c));
  }
  Add(origin, Block::FromSortedCells(words.data(), int(words.size()), Slab()));
}

Volume VolumeBuilder::Finish() {
  std::vector<Added>& items = blocks_;
  // Trie order; for one key, the order of addition (the last one wins).
  std::sort(items.begin(), items.end(), [](const Added& a, const Added& b) {
    const uint64_t oa = TrieOrder(a.hash), ob = TrieOrder(b.hash);
    if (oa != ob) return oa < ob;
    if (!(a.key == b.key)) return KeyLess(a.key, b.key);
    return a.seq < b.seq;
  });
  size_t kept = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    // Replaced by a later block, or empty (which only replaced earlier ones).
    if ((i + 1 < items.size() && items[i + 1].key == items[i].key) ||
        items[i].block->count() == 0) {
      Block::Unref(items[i].block);
      continue;
    }
    items[kept++] = items[i];
  }
  items.resize(kept);
  NewBlocks src(items);
  Volume v;
  v.root_ = Build(src, 0, src.size(), 0);
  v.voxels_ = src.voxels;
  v.blocks_ = src.blocks;
  v.bytes_ = src.bytes;
  items.clear();  // every block moved into the trie
  items.shrink_to_fit();
  delete std::exchange(slab_, nullptr);  // slabs live on with their blocks
  return v;
}

std::optional<Box> Volume::Bounds() const {
  if (voxels_ == 0 || !root_) return std::nullopt;
  return root_->bounds;
}

void Volume::ForEachBlock(
    const std::function<void(Vec3i origin, const Rgba* data)>& f) const {
  Rgba cells[kBlockVoxels];
  Walk(root_, [&](Vec3i k, const Block& b) {
    b.Decode(cells);
    f(KeyOrigin(k), cells);
  });
}

void Volume::ForEachBlockDifferentFrom(
    const Volume& other, const std::function<void(Vec3i origin)>& f) const {
  WalkDifferent(root_, other.root_, [&](Vec3i k) { f(KeyOrigin(k)); });
}

void Volume::ForEachBlockOrigin(const std::function<void(Vec3i)>& f) const {
  Walk(root_, [&](Vec3i k, const Block&) { f(KeyOrigin(k)); });
}

void Volume::ForEachVoxelImpl(const std::function<void(Vec3i, Rgba)>& f) const {
  Walk(root_, [&](Vec3i k, const Block& b) {
    const Vec3i o = KeyOrigin(k);
    b.ForEachCell([&](int i, Rgba c) {
      f({o.x + (i & 15), o.y + ((i >> 4) & 15), o.z + (i >> 8)}, c);
    });
  });
}

namespace {

// Colors()' cache: the histograms of the last kCachedHistograms versions
// asked for, most recent first, holding kHistogramCacheBytes at most (a
// histogram larger than that is counted for its caller and not kept).
constexpr size_t kCachedHistograms = 16;
struct HistogramCache {
  Mutex mu;
  std::vector<std::pair<uint64_t, std::shared_ptr<const ColorHistogram>>>
      entries GUARDED_BY(mu);
  int64_t bytes GUARDED_BY(mu) = 0;
};
HistogramCache& TheHistogramCache() {
  static HistogramCache* cache = new HistogramCache;
  return *cache;
}

int64_t HistogramBytes(const ColorHistogram& h) {
  return int64_t(sizeof h + h.capacity() * sizeof(ColorTally));
}

uint32_t ColorKey(Rgba c) {
  return uint32_t{c.r} << 24 | uint32_t{c.g} << 16 | uint32_t{c.b} << 8 | c.a;
}

}  // namespace

std::shared_ptr<const ColorHistogram> Volume::Colors() const {
  HistogramCache& cache = TheHistogramCache();
  {
    MutexLock lock(&cache.mu);
    auto& e = cache.entries;
    for (size_t i = 0; i < e.size(); ++i) {
      if (e[i].first != version_) continue;
      std::rotate(e.begin(), e.begin() + static_cast<ptrdiff_t>(i),
                  e.begin() + static_cast<ptrdiff_t>(i) + 1);
      return e.front().second;
    }
  }
  // Counted outside the lock: other volumes' queries do not wait for it.
  std::unordered_map<uint32_t, int64_t> counts;
  Walk(root_, [&counts](Vec3i, const Block& b) {
    b.ForEachColorCount([&counts](Rgba c, int n) { counts[ColorKey(c)] += n; });
  });
  auto h = std::make_shared<ColorHistogram>();
  h->reserve(counts.size());
  for (const auto& [key, n] : counts) {
    h->push_back({Rgba{uint8_t(key >> 24), uint8_t(key >> 16),
                       uint8_t(key >> 8), uint8_t(key)},
                  n});
  }
  std::sort(h->begin(), h->end(), [](const ColorTally& x, const ColorTally& y) {
    return ColorKey(x.color) < ColorKey(y.color);
  });
  std::shared_ptr<const ColorHistogram> out = std::move(h);
  MutexLock lock(&cache.mu);
  auto& e = cache.entries;
  for (const auto& [version, hist] : e)
    if (version == version_) return hist;  // counted meanwhile by another
  const int64_t bytes = HistogramBytes(*out);
  if (bytes > kHistogramCacheBytes) return out;
  e.insert(e.begin(), {version_, out});
  cache.bytes += bytes;
  while (e.size() > kCachedHistograms || cache.bytes > kHistogramCacheBytes) {
    cache.bytes -= HistogramBytes(*e.back().second);
    e.pop_back();
  }
  return out;
}

int64_t HistogramCacheBytes() {
  HistogramCache& cache = TheHistogramCache();
  MutexLock lock(&cache.mu);
  return cache.bytes;
}

std::array<int64_t, 4> Volume::CountBlockForms() const {
  std::array<int64_t, 4> n{};
  Walk(root_, [&n](Vec3i, const Block& b) { ++n[int(b.kind())]; });
  return n;
}

}  // namespace goxel::voxel
