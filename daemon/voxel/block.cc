// Block: the four cell representations and the choice between them.
#include "voxel/block.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <new>

namespace goxel::voxel {
namespace {

std::atomic<int64_t> g_engine_bytes{0};
std::atomic<uint64_t> g_engine_limit{0};
thread_local MemoryBudget* t_budget = nullptr;

constexpr int kFullBytes = kBlockVoxels * 4;

int LocalX(int i) { return i & 15; }
int LocalY(int i) { return (i >> 4) & 15; }
int LocalZ(int i) { return i >> 8; }

// Bits per palette index for a palette of n entries (empty included).
int BitsFor(int n) {
  if (n <= 2) return 1;
  if (n <= 4) return 2;
  if (n <= 16) return 4;
  return 8;
}

size_t PaletteBytes(int entries) {
  return size_t{kBlockVoxels} * BitsFor(entries) / 8 + 4 * size_t(entries);
}

// The distinct non-empty colours of `cells` in first-seen order, stopping
// past 256 (a 512-slot open-addressing set: O(cells)).
std::vector<uint32_t> DistinctColours(const Rgba* cells) {
  std::vector<uint32_t> seen;
  uint32_t table[512];
  bool used[512] = {};
  uint32_t last = 0;
  for (int i = 0; i < kBlockVoxels && seen.size() <= 256; ++i) {
    if (!cells[i].a) continue;
    const uint32_t v = Block::Pack(cells[i]);
    if (v == last && !seen.empty()) continue;
    last = v;
    uint32_t h = (v * 0x9E3779B1u) >> 23;
    while (used[h] && table[h] != v) h = (h + 1) & 511;
    if (used[h]) continue;
    used[h] = true;
    table[h] = v;
    seen.push_back(v);
  }
  return seen;
}

// How many voxels a sparse list may hold before a palette of `colours`
// colours (or the full array) would be smaller.
int SparseCap(size_t colours) {
  const size_t palette =
      colours < 256 ? PaletteBytes(int(colours) + 1) : size_t{kFullBytes};
  return int(std::min<size_t>(
      {palette / 8, size_t{kFullBytes} / 8, size_t{Block::kMaxSparse}}));
}

}  // namespace

void AccountEngineBytes(int64_t delta) {
  const int64_t now =
      g_engine_bytes.fetch_add(delta, std::memory_order_relaxed) + delta;
  if (delta > 0 && t_budget != nullptr) t_budget->Observe(now);
}

void SetEngineMemoryLimit(uint64_t bytes) {
  g_engine_limit.store(bytes, std::memory_order_relaxed);
}

uint64_t EngineMemoryLimit() {
  return g_engine_limit.load(std::memory_order_relaxed);
}

int64_t EngineBytes() { return g_engine_bytes.load(std::memory_order_relaxed); }

EngineCharge::EngineCharge(int64_t bytes)
    : bytes_(std::max<int64_t>(bytes, 0)) {
  if (bytes_ > 0) AccountEngineBytes(bytes_);
}

EngineCharge::~EngineCharge() {
  if (bytes_ > 0) AccountEngineBytes(-bytes_);
}

MemoryBudget::MemoryBudget(uint64_t limit) : limit_(limit), outer_(t_budget) {
  if (limit_ > 0) t_budget = this;
}

MemoryBudget::~MemoryBudget() {
  if (limit_ > 0) t_budget = outer_;
}

void MemoryBudget::Observe(int64_t bytes) {
  if (static_cast<uint64_t>(bytes) <= limit_) return;
  exceeded_ = true;
  reached_ = std::max(reached_, bytes);
}

bool MemoryBudget::ThreadExceeded() {
  return t_budget != nullptr && t_budget->exceeded_;
}

void LocalBox::Add(int x, int y, int z) {
  x0 = std::min<uint8_t>(x0, x), y0 = std::min<uint8_t>(y0, y);
  z0 = std::min<uint8_t>(z0, z), x1 = std::max<uint8_t>(x1, x);
  y1 = std::max<uint8_t>(y1, y), z1 = std::max<uint8_t>(z1, z);
}

bool LocalBox::OnFace(int x, int y, int z) const {
  return x == x0 || x == x1 || y == y0 || y == y1 || z == z0 || z == z1;
}

uint32_t Block::Pack(Rgba c) {
  return uint32_t{c.r} | uint32_t{c.g} << 8 | uint32_t{c.b} << 16 |
         uint32_t{c.a} << 24;
}

Rgba Block::Unpack(uint32_t v) {
  return Rgba{uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)};
}

// A slab: one 2 MiB-aligned mapping, this header first, then Blocks. A
// block finds its slab by rounding its address down.
class BlockSlab {
 public:
  static constexpr size_t kBytes = size_t{2} << 20;
  static constexpr size_t kFirst = 64;  // offset of the first block
  static constexpr uint32_t kCapacity = (kBytes - kFirst) / sizeof(Block);

  static BlockSlab* New() {
    // Twice the size, then trimmed to an aligned 2 MiB: one huge page when
    // the kernel has one (transparent huge pages, madvise mode).
    void* raw = mmap(nullptr, 2 * kBytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) return nullptr;
    const uintptr_t at = reinterpret_cast<uintptr_t>(raw);
    const uintptr_t start = (at + kBytes - 1) & ~(kBytes - 1);
    if (start > at) munmap(raw, start - at);
    if (start + kBytes < at + 2 * kBytes)
      munmap(reinterpret_cast<void*>(start + kBytes), at + kBytes - start);
    void* mem = reinterpret_cast<void*>(start);
    madvise(mem, kBytes, MADV_HUGEPAGE);  // advice: failure is harmless
    g_slabs.fetch_add(1, std::memory_order_relaxed);
    AccountEngineBytes(int64_t{kBytes});
    return new (mem) BlockSlab();
  }
  static BlockSlab* Of(const Block* b) {
    return reinterpret_cast<BlockSlab*>(reinterpret_cast<uintptr_t>(b) &
                                        ~(kBytes - 1));
  }
  // Room for one more block (counted live), or null when full.
  void* Take() {
    if (used_ == kCapacity) return nullptr;
    live_.fetch_add(1, std::memory_order_relaxed);
    return reinterpret_cast<char*>(this) + kFirst + sizeof(Block) * used_++;
  }
  // Drops one holder (a block or the allocator); the last unmaps the slab.
  void Release() {
    if (live_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    this->~BlockSlab();
    munmap(this, kBytes);
    AccountEngineBytes(-int64_t{kBytes});
    g_slabs.fetch_sub(1, std::memory_order_relaxed);
  }

  static std::atomic<int64_t> g_slabs;

 private:
  std::atomic<int64_t> live_{1};  // the allocator's hold
  uint32_t used_ = 0;
};
static_assert(sizeof(BlockSlab) <= BlockSlab::kFirst);
static_assert(BlockSlab::kFirst % alignof(Block) == 0);

std::atomic<int64_t> BlockSlab::g_slabs{0};

int64_t BlockSlabCount() {
  return BlockSlab::g_slabs.load(std::memory_order_relaxed);
}

BlockSlabAllocator::~BlockSlabAllocator() {
  if (slab_) slab_->Release();
}

void* BlockSlabAllocator::Allocate() {
  void* p = slab_ ? slab_->Take() : nullptr;
  if (p) return p;
  if (slab_) slab_->Release();
  slab_ = BlockSlab::New();
  return slab_ ? slab_->Take() : nullptr;
}

Block::Block() : sparse_cap_(uint16_t(SparseCap(1))) { Account(); }

Block::Block(InSlab) : sparse_cap_(uint16_t(SparseCap(1))), in_slab_(true) {
  Account();
}

Block* Block::NewEmpty(BlockSlabAllocator* slab) {
  if (void* p = slab ? slab->Allocate() : nullptr)
    return new (p) Block(InSlab{});
  return new Block();
}

void Block::Destroy(Block* b) {
  if (!b->in_slab_) {
    delete b;
    return;
  }
  BlockSlab* slab = BlockSlab::Of(b);
  b->~Block();
  slab->Release();
}

Block* Block::NewUniform(Rgba c) {
  Block* b = new Block();
  b->kind_ = Kind::kUniform;
  b->uniform_ = c;
  b->count_ = kBlockVoxels;
  b->bounds_ = {0, 0, 0, 15, 15, 15};
  return b;
}

Block* Block::FromCells(const Rgba* cells, BlockSlabAllocator* slab) {
  Block* b = NewEmpty(slab);
  b->Assign(cells);
  return b;
}

Block* Block::FromSortedCells(const uint64_t* words, int n,
                              BlockSlabAllocator* slab) {
  if (n <= kMaxSparse) {
    // The choice Assign makes for a sparse list, from the distinct colours.
    uint32_t colours[kMaxSparse];
    for (int i = 0; i < n; ++i) colours[i] = uint32_t(words[i]);
    std::sort(colours, colours + n);
    const size_t distinct = size_t(std::unique(colours, colours + n) - colours);
    const size_t sparse = size_t(n) * 8;
    const size_t palette =
        distinct < 256 ? PaletteBytes(int(distinct) + 1) : SIZE_MAX;
    if (sparse <= palette && sparse <= size_t{kFullBytes}) {
      Block* b = NewEmpty(slab);
      b->count_ = n;
      b->sparse_cap_ = uint16_t(SparseCap(distinct));
      b->words_.assign(words, words + n);
      b->RecomputeBounds();
      b->Account();
      return b;
    }
  }
  auto cells = std::make_unique<Rgba[]>(kBlockVoxels);
  for (int i = 0; i < n; ++i)
    cells[words[i] >> 32] = Unpack(uint32_t(words[i]));
  return FromCells(cells.get(), slab);
}

Block::Block(const Block& o)
    : count_(o.count_),
      kind_(o.kind_),
      bits_(o.bits_),
      sparse_cap_(o.sparse_cap_),
      bounds_(o.bounds_),
      uniform_(o.uniform_),
      words_(o.words_),
      palette_(o.palette_) {
  if (o.full_) {
    full_ = std::make_unique<Rgba[]>(kBlockVoxels);
    std::memcpy(full_.get(), o.full_.get(), kFullBytes);
  }
  Account();
}

Block::~Block() { AccountEngineBytes(-int64_t{accounted_}); }

size_t Block::Bytes() const {
  return sizeof(Block) + words_.capacity() * 8 + palette_.capacity() * 4 +
         (full_ ? kFullBytes : 0);
}

size_t Block::OwnBytes() const {
  return Bytes() - (in_slab_ ? sizeof(Block) : 0);
}

void Block::Account() {
  const uint32_t now = static_cast<uint32_t>(OwnBytes());
  if (now == accounted_) return;
  AccountEngineBytes(int64_t{now} - int64_t{accounted_});
  accounted_ = now;
}

Rgba Block::GetSparse(int i) const {
  const uint64_t key = uint64_t(i) << 32;
  auto it = std::lower_bound(words_.begin(), words_.end(), key);
  if (it == words_.end() || (*it >> 32) != uint64_t(i)) return {};
  return Unpack(uint32_t(*it));
}

void Block::SetPaletteIndex(int i, int k) {
  const int bit = i * bits_;
  const uint64_t mask = ((uint64_t{1} << bits_) - 1) << (bit & 63);
  uint64_t& w = words_[bit >> 6];
  w = (w & ~mask) | (uint64_t(k) << (bit & 63));
}

void Block::ReleaseStorage() {
  std::vector<uint64_t>().swap(words_);
  std::vector<Rgba>().swap(palette_);
  full_.reset();
}

void Block::Assign(const Rgba* cells) {
  int n = 0;
  for (int i = 0; i < kBlockVoxels; ++i) n += cells[i].a != 0;
  const std::vector<uint32_t> colours = DistinctColours(cells);
  const int entries = int(colours.size()) + 1;  // + empty
  ReleaseStorage();
  count_ = n;
  bits_ = 0;
  const size_t sparse = size_t(n) * 8;
  const size_t palette = entries <= 256 ? PaletteBytes(entries) : SIZE_MAX;
  if (n == kBlockVoxels && colours.size() == 1) {
    kind_ = Kind::kUniform;
    uniform_ = Unpack(colours[0]);
  } else if (n <= kMaxSparse && sparse <= palette && sparse <= kFullBytes) {
    kind_ = Kind::kSparse;
    sparse_cap_ = uint16_t(SparseCap(colours.size()));
    words_.reserve(n);
    for (int i = 0; i < kBlockVoxels; ++i)
      if (cells[i].a) words_.push_back(uint64_t(i) << 32 | Pack(cells[i]));
  } else if (palette <= kFullBytes) {
    kind_ = Kind::kPalette;
    bits_ = uint8_t(BitsFor(entries));
    palette_.reserve(size_t{1} << bits_);
    palette_.push_back(Rgba{});
    for (uint32_t v : colours) palette_.push_back(Unpack(v));
    words_.assign(size_t{64} * bits_, 0);
    for (int i = 0; i < kBlockVoxels; ++i) {
      if (!cells[i].a) continue;
      const uint32_t v = Pack(cells[i]);
      const int k =
          int(std::find(colours.begin(), colours.end(), v) - colours.begin()) +
          1;
      SetPaletteIndex(i, k);
    }
  } else {
    kind_ = Kind::kFull;
    full_ = std::make_unique<Rgba[]>(kBlockVoxels);
    for (int i = 0; i < kBlockVoxels; ++i)
      full_[i] = cells[i].a ? cells[i] : Rgba{};
  }
  RecomputeBounds();
  Account();
}

bool Block::SetInPlace(int i, Rgba c, Rgba old) {
  switch (kind_) {
    case Kind::kUniform:
      return false;
    case Kind::kSparse: {
      const uint64_t key = uint64_t(i) << 32;
      auto it = std::lower_bound(words_.begin(), words_.end(), key);
      if (old.a) {  // *it is cell i.
        if (c.a)
          *it = key | Pack(c);
        else
          words_.erase(it);
        return true;
      }
      if (int(words_.size()) + 1 > sparse_cap_) return false;
      words_.insert(it, key | Pack(c));
      return true;
    }
    case Kind::kPalette: {
      int k = 0;
      if (c.a) {
        auto it = std::find(palette_.begin() + 1, palette_.end(), c);
        if (it == palette_.end()) {
          if (palette_.size() >= (size_t{1} << bits_)) return false;
          palette_.push_back(c);
          it = palette_.end() - 1;
        }
        k = int(it - palette_.begin());
      }
      SetPaletteIndex(i, k);
      return true;
    }
    case Kind::kFull:
      full_[i] = c;
      return true;
  }
  return false;
}

Rgba Block::Set(int i, Rgba c) {
  if (!c.a) c = Rgba{};
  const Rgba old = Get(i);
  if (old == c) return old;
  if (!SetInPlace(i, c, old)) {
    Rgba cells[kBlockVoxels];
    Decode(cells);
    cells[i] = c;
    Assign(cells);
    return old;
  }
  count_ += (c.a != 0) - (old.a != 0);
  const int x = LocalX(i), y = LocalY(i), z = LocalZ(i);
  if (c.a) {
    bounds_.Add(x, y, z);
  } else if (count_ == 0) {
    bounds_ = LocalBox{};
  } else if (!old.a || bounds_.OnFace(x, y, z)) {
    RecomputeBounds();
  }
  // Fewer voxels now: back to a sparse list when that is much smaller.
  if (!c.a && kind_ != Kind::kSparse && size_t(count_) * 16 < Bytes() &&
      count_ <= kMaxSparse) {
    Rgba cells[kBlockVoxels];
    Decode(cells);
    Assign(cells);
    return old;
  }
  Account();
  return old;
}

void Block::Decode(Rgba* out) const {
  switch (kind_) {
    case Kind::kUniform:
      std::fill_n(out, kBlockVoxels, uniform_);
      return;
    case Kind::kSparse:
      std::fill_n(out, kBlockVoxels, Rgba{});
      for (uint64_t e : words_) out[e >> 32] = Unpack(uint32_t(e));
      return;
    case Kind::kPalette:
      for (int i = 0; i < kBlockVoxels; ++i) out[i] = palette_[PaletteIndex(i)];
      return;
    case Kind::kFull:
      std::memcpy(out, full_.get(), kFullBytes);
      return;
  }
}

int Block::CountEqual(Rgba c) const {
  if (!c.a) return kBlockVoxels - count_;
  int n = 0;
  ForEachCell([&n, c](int, Rgba v) { n += v == c; });
  return n;
}

void Block::RecomputeBounds() {
  bounds_ = LocalBox{};
  if (kind_ == Kind::kUniform) {
    bounds_ = {0, 0, 0, 15, 15, 15};
    return;
  }
  ForEachCell(
      [this](int i, Rgba) { bounds_.Add(LocalX(i), LocalY(i), LocalZ(i)); });
}

}  // namespace goxel::voxel
