// Volume: an open-addressing hash map of intrusively reference-counted
// 16^3 blocks, itself shared copy-on-write between Volume copies.
#include "voxel/volume.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <unordered_set>
#include <vector>

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

uint32_t Pack(Rgba c) {
  uint32_t v;
  std::memcpy(&v, &c, 4);
  return v;
}

// Empty voxels are stored as all zeros, whatever their rgb was.
Rgba Normalize(Rgba c) { return c.a ? c : Rgba{}; }

}  // namespace

// One 16^3 block. `refs` counts the block maps holding it; a block with
// refs > 1 is immutable (copy-on-write). `count` is its non-empty voxels.
struct Block {
  std::atomic<int32_t> refs{1};
  int32_t count = 0;
  Rgba data[kBlockVoxels];

  Block() = default;
  Block(const Block& o) : count(o.count) {
    std::memcpy(data, o.data, sizeof(data));
  }

  // True when this holder is the only one. The acquire pairs with the
  // acq_rel decrement of a holder on another thread that just let go, so
  // its reads of `data` happen before our writes.
  bool Unique() const { return refs.load(std::memory_order_acquire) == 1; }
  void Ref() { refs.fetch_add(1, std::memory_order_relaxed); }
  static void Unref(Block* b) {
    if (b->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete b;
  }
};

namespace {

uint64_t HashKey(Vec3i k) {
  uint64_t h = uint64_t{static_cast<uint32_t>(k.x)} * 0x9E3779B97F4A7C15ull;
  h ^= uint64_t{static_cast<uint32_t>(k.y)} * 0xC2B2AE3D27D4EB4Full;
  h ^= uint64_t{static_cast<uint32_t>(k.z)} * 0x165667B19E3779F9ull;
  return h ^ (h >> 31);
}

// Linear probing, load <= 1/2, backward-shift deletion (no tombstones).
class BlockMap {
 public:
  struct Slot {
    Vec3i key;
    Block* block = nullptr;  // nullptr: free slot.
  };

  BlockMap() = default;
  BlockMap(const BlockMap& o) : slots_(o.slots_), size_(o.size_) {
    for (Slot& s : slots_)
      if (s.block) s.block->Ref();
  }
  BlockMap& operator=(const BlockMap&) = delete;
  ~BlockMap() { Clear(); }

  size_t size() const { return size_; }
  size_t capacity() const { return slots_.size(); }
  const std::vector<Slot>& slots() const { return slots_; }

  Block* Find(Vec3i k) const {
    if (size_ == 0) return nullptr;
    size_t mask = slots_.size() - 1;
    for (size_t i = HashKey(k) & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (!s.block) return nullptr;
      if (s.key == k) return s.block;
    }
  }

  // The slot for k, inserting a free one (block == nullptr) if absent. The
  // caller must store a block into a newly inserted slot before any other
  // call on the map.
  Block*& FindOrInsert(Vec3i k) {
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    size_t mask = slots_.size() - 1;
    size_t i = HashKey(k) & mask;
    for (; slots_[i].block; i = (i + 1) & mask)
      if (slots_[i].key == k) return slots_[i].block;
    ++size_;
    slots_[i].key = k;
    return slots_[i].block;
  }

  // Removes k and drops this map's reference to its block.
  void Erase(Vec3i k) {
    if (size_ == 0) return;
    size_t mask = slots_.size() - 1;
    size_t i = HashKey(k) & mask;
    for (; slots_[i].block; i = (i + 1) & mask)
      if (slots_[i].key == k) break;
    if (!slots_[i].block) return;
    Block::Unref(slots_[i].block);
    slots_[i].block = nullptr;
    --size_;
    // Shift later members of the cluster back into the hole.
    for (size_t j = (i + 1) & mask; slots_[j].block; j = (j + 1) & mask) {
      size_t home = HashKey(slots_[j].key) & mask;
      bool movable =
          (i <= j) ? (home <= i || home > j) : (home <= i && home > j);
      if (movable) {
        slots_[i] = slots_[j];
        slots_[j].block = nullptr;
        i = j;
      }
    }
  }

  void Clear() {
    for (Slot& s : slots_)
      if (s.block) Block::Unref(s.block);
    slots_.clear();
    size_ = 0;
  }

 private:
  void Grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(std::max<size_t>(16, old.size() * 2), Slot{});
    size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (!s.block) continue;
      size_t i = HashKey(s.key) & mask;
      while (slots_[i].block) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;  // size 0 or a power of two.
  size_t size_ = 0;
};

}  // namespace

struct Volume::Impl {
  BlockMap map;
  int64_t voxels = 0;

  // A block of ours we may write: cloned first if another map holds it.
  Block* MutableBlock(Block*& slot) {
    if (!slot->Unique()) {
      Block* copy = new Block(*slot);
      Block::Unref(slot);
      slot = copy;
    }
    return slot;
  }
};

namespace {
const Volume::Impl kEmptyImpl{};

// The map, shared or not; read only. A moved-from Volume reads as empty.
const Volume::Impl& Read(const std::shared_ptr<Volume::Impl>& impl) {
  return impl ? *impl : kEmptyImpl;
}
}  // namespace

Volume::Volume() : impl_(std::make_shared<Impl>()), version_(NextVersion()) {}
Volume::~Volume() = default;

Rgba Volume::Get(Vec3i p) const {
  if (!impl_) return {};
  const Block* b = impl_->map.Find(BlockKey(p));
  return b ? b->data[LocalIndex(p)] : Rgba{};
}

const Rgba* Volume::BlockData(Vec3i p) const {
  if (!impl_) return nullptr;
  const Block* b = impl_->map.Find(BlockKey(p));
  return b ? b->data : nullptr;
}

Volume::Impl& Volume::MutableImpl() {
  if (!impl_) {
    impl_ = std::make_shared<Impl>();
  } else if (impl_.use_count() != 1) {
    impl_ = std::make_shared<Impl>(*impl_);
  } else {
    // use_count() is a relaxed load; the fence makes the reads of a copy
    // that another thread just destroyed happen before our writes.
#if defined(__SANITIZE_THREAD__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wtsan"
#endif
    std::atomic_thread_fence(std::memory_order_acquire);
#if defined(__SANITIZE_THREAD__)
#pragma GCC diagnostic pop
#endif
  }
  return *impl_;
}

bool Volume::Set(Vec3i p, Rgba c) {
  c = Normalize(c);
  const Vec3i key = BlockKey(p);
  const int i = LocalIndex(p);
  const Block* cur = impl_ ? impl_->map.Find(key) : nullptr;
  Rgba old = cur ? cur->data[i] : Rgba{};
  if (old == c) return false;
  Impl& impl = MutableImpl();
  if (c.a == 0) {
    Block*& slot = impl.map.FindOrInsert(key);
    Block* b = impl.MutableBlock(slot);
    b->data[i] = c;
    --impl.voxels;
    if (--b->count == 0) impl.map.Erase(key);
  } else {
    Block*& slot = impl.map.FindOrInsert(key);
    if (!slot) slot = new Block();
    Block* b = impl.MutableBlock(slot);
    b->data[i] = c;
    if (old.a == 0) {
      ++b->count;
      ++impl.voxels;
    }
  }
  version_ = NextVersion();
  return true;
}

namespace {

// Cells of `data` equal to `c`.
int CountEqual(const Rgba* data, Rgba c) {
  const uint32_t v = Pack(c);
  int n = 0;
  for (int i = 0; i < kBlockVoxels; ++i) n += Pack(data[i]) == v;
  return n;
}

int64_t FloorKey(int32_t v) { return v >> 4; }

// Fills the part of `box` inside block `key`, cell by cell.
int64_t FillBoxPartial(Volume::Impl& impl, Vec3i key, const Box& box, Rgba c) {
  const Vec3i o = KeyOrigin(key);
  const int x0 = std::max(box.min.x, o.x) - o.x,
            x1 = std::min(box.max.x, o.x + 15) - o.x;
  const int y0 = std::max(box.min.y, o.y) - o.y,
            y1 = std::min(box.max.y, o.y + 15) - o.y;
  const int z0 = std::max(box.min.z, o.z) - o.z,
            z1 = std::min(box.max.z, o.z + 15) - o.z;
  if (c.a == 0 && !impl.map.Find(key)) return 0;
  Block*& slot = impl.map.FindOrInsert(key);
  if (!slot) slot = new Block();
  Block* b = impl.MutableBlock(slot);
  const uint32_t v = Pack(c);
  int64_t changed = 0;
  int delta = 0;
  for (int z = z0; z <= z1; ++z)
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x) {
        Rgba& cell = b->data[BlockIndex(x, y, z)];
        if (Pack(cell) == v) continue;
        ++changed;
        delta += (c.a != 0) - (cell.a != 0);
        cell = c;
      }
  b->count += delta;
  impl.voxels += delta;
  if (b->count == 0) impl.map.Erase(key);
  return changed;
}

}  // namespace

int64_t Volume::FillBox(const Box& box, Rgba c) {
  c = Normalize(c);
  if (box.min.x > box.max.x || box.min.y > box.max.y || box.min.z > box.max.z)
    return 0;
  const int64_t kx0 = FloorKey(box.min.x), kx1 = FloorKey(box.max.x);
  const int64_t ky0 = FloorKey(box.min.y), ky1 = FloorKey(box.max.y);
  const int64_t kz0 = FloorKey(box.min.z), kz1 = FloorKey(box.max.z);
  // Up to 2^81 for the whole int32 space: computed in 128 bits.
  const __int128 box_blocks =
      __int128{kx1 - kx0 + 1} * (ky1 - ky0 + 1) * (kz1 - kz0 + 1);
  int64_t changed = 0;
  if (c.a == 0) {
    if (!impl_ || impl_->voxels == 0) return 0;
    // Clearing: visit only the blocks that exist when that is fewer.
    std::vector<Vec3i> keys;
    if (box_blocks > static_cast<int64_t>(impl_->map.size())) {
      for (const auto& s : impl_->map.slots())
        if (s.block && s.key.x >= kx0 && s.key.x <= kx1 && s.key.y >= ky0 &&
            s.key.y <= ky1 && s.key.z >= kz0 && s.key.z <= kz1)
          keys.push_back(s.key);
    } else {
      for (int64_t z = kz0; z <= kz1; ++z)
        for (int64_t y = ky0; y <= ky1; ++y)
          for (int64_t x = kx0; x <= kx1; ++x) {
            Vec3i k{int32_t(x), int32_t(y), int32_t(z)};
            if (impl_->map.Find(k)) keys.push_back(k);
          }
    }
    if (keys.empty()) return 0;
    Impl& impl = MutableImpl();
    for (Vec3i k : keys) {
      const Vec3i o = KeyOrigin(k);
      if (box.Contains(o) && box.Contains({o.x + 15, o.y + 15, o.z + 15})) {
        int n = impl.map.Find(k)->count;
        changed += n;
        impl.voxels -= n;
        impl.map.Erase(k);
      } else {
        changed += FillBoxPartial(impl, k, box, c);
      }
    }
  } else {
    Impl& impl = MutableImpl();
    Block* uniform = nullptr;  // One shared block for every whole block.
    for (int64_t z = kz0; z <= kz1; ++z)
      for (int64_t y = ky0; y <= ky1; ++y)
        for (int64_t x = kx0; x <= kx1; ++x) {
          const Vec3i k{int32_t(x), int32_t(y), int32_t(z)};
          const Vec3i o = KeyOrigin(k);
          if (!box.Contains(o) ||
              !box.Contains({o.x + 15, o.y + 15, o.z + 15})) {
            changed += FillBoxPartial(impl, k, box, c);
            continue;
          }
          if (!uniform) {
            uniform = new Block();
            std::fill_n(uniform->data, kBlockVoxels, c);
            uniform->count = kBlockVoxels;
          }
          Block*& slot = impl.map.FindOrInsert(k);
          if (slot == uniform) continue;
          int old_count = 0;
          if (slot) {
            changed += kBlockVoxels - CountEqual(slot->data, c);
            old_count = slot->count;
            Block::Unref(slot);
          } else {
            changed += kBlockVoxels;
          }
          impl.voxels += kBlockVoxels - old_count;
          uniform->Ref();
          slot = uniform;
        }
    if (uniform) Block::Unref(uniform);
  }
  if (changed > 0) version_ = NextVersion();
  return changed;
}

void Volume::Clear() {
  if (!impl_ || impl_->voxels == 0) return;
  impl_ = std::make_shared<Impl>();
  version_ = NextVersion();
}

void Volume::SetBlock(Vec3i origin, const Rgba* data) {
  const Vec3i key = BlockKey(origin);
  Block* fresh = new Block();
  for (int i = 0; i < kBlockVoxels; ++i) {
    fresh->data[i] = Normalize(data[i]);
    fresh->count += data[i].a != 0;
  }
  const Block* cur = impl_ ? impl_->map.Find(key) : nullptr;
  if (cur ? std::memcmp(cur->data, fresh->data, sizeof(fresh->data)) == 0
          : fresh->count == 0) {
    delete fresh;
    return;
  }
  Impl& impl = MutableImpl();
  impl.voxels += fresh->count - (cur ? cur->count : 0);
  if (fresh->count == 0) {
    delete fresh;
    impl.map.Erase(key);
  } else {
    Block*& slot = impl.map.FindOrInsert(key);
    if (slot) Block::Unref(slot);
    slot = fresh;
  }
  version_ = NextVersion();
}

int64_t Volume::CountVoxels() const { return Read(impl_).voxels; }

size_t Volume::BlockCount() const { return Read(impl_).map.size(); }

size_t Volume::MemoryBytes() const {
  if (!impl_) return 0;
  const BlockMap& map = impl_->map;
  size_t bytes = sizeof(Impl) + map.capacity() * sizeof(BlockMap::Slot);
  std::unordered_set<const Block*> shared;
  for (const auto& s : map.slots()) {
    if (!s.block) continue;
    if (s.block->refs.load(std::memory_order_relaxed) > 1 &&
        !shared.insert(s.block).second)
      continue;  // Counted already (a uniform block shared within us).
    bytes += sizeof(Block);
  }
  return bytes;
}

namespace {

// Tight bounds of the voxels of one block, in world coordinates.
Box BlockBounds(Vec3i o, const Block& b) {
  if (b.count == kBlockVoxels) return {o, {o.x + 15, o.y + 15, o.z + 15}};
  Box r{{16, 16, 16}, {-1, -1, -1}};
  for (int z = 0; z < kBlockSize; ++z)
    for (int y = 0; y < kBlockSize; ++y)
      for (int x = 0; x < kBlockSize; ++x) {
        if (!b.data[BlockIndex(x, y, z)].a) continue;
        r.min = {std::min(r.min.x, x), std::min(r.min.y, y),
                 std::min(r.min.z, z)};
        r.max = {std::max(r.max.x, x), std::max(r.max.y, y),
                 std::max(r.max.z, z)};
      }
  return {{o.x + r.min.x, o.y + r.min.y, o.z + r.min.z},
          {o.x + r.max.x, o.y + r.max.y, o.z + r.max.z}};
}

void Extend(Box& a, const Box& b) {
  a.min = {std::min(a.min.x, b.min.x), std::min(a.min.y, b.min.y),
           std::min(a.min.z, b.min.z)};
  a.max = {std::max(a.max.x, b.max.x), std::max(a.max.y, b.max.y),
           std::max(a.max.z, b.max.z)};
}

}  // namespace

std::optional<Box> Volume::Bounds() const {
  if (!impl_) return std::nullopt;
  std::optional<Box> r;
  for (const auto& s : impl_->map.slots()) {
    if (!s.block) continue;
    const Vec3i o = KeyOrigin(s.key);
    const Box outer{o, {o.x + 15, o.y + 15, o.z + 15}};
    // Scan a block only when its outer box could still grow the bounds.
    if (r && r->Contains(outer.min) && r->Contains(outer.max)) continue;
    const Box tight = BlockBounds(o, *s.block);
    if (r) {
      Extend(*r, tight);
    } else {
      r = tight;
    }
  }
  return r;
}

void Volume::ForEachBlock(
    const std::function<void(Vec3i origin, const Rgba* data)>& f) const {
  if (!impl_) return;
  for (const auto& s : impl_->map.slots())
    if (s.block) f(KeyOrigin(s.key), s.block->data);
}

}  // namespace goxel::voxel
