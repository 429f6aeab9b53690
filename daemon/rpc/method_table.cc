#include "rpc/method_table.h"

namespace goxel::rpc {

Status MethodTable::Add(MethodSpec spec) {
  if (spec.name.empty() || !spec.handler) {
    return Status::Internal("method spec needs a name and a handler")
        .With("method", spec.name);
  }
  if (Find(spec.name) != nullptr) {
    return Status::Internal("method registered twice")
        .With("method", spec.name);
  }
  specs_.push_back(std::make_unique<MethodSpec>(std::move(spec)));
  Rebuild();
  return Status::Ok();
}

Status MethodTable::AddAlias(std::string alias, std::string_view target) {
  const MethodSpec* t = Find(target);
  if (t == nullptr) {
    return Status::Internal("alias of an unknown method")
        .With("method", std::string(target));
  }
  MethodSpec copy = *t;
  copy.name = std::move(alias);
  copy.description = "Alias of " + t->name + ". " + t->description;
  return Add(std::move(copy));
}

void MethodTable::Remove(std::string_view name) {
  const MethodSpec* spec = Find(name);
  if (spec == nullptr) return;
  for (auto s = specs_.begin(); s != specs_.end(); ++s) {
    if (s->get() == spec) {
      specs_.erase(s);
      break;
    }
  }
  Rebuild();
}

uint64_t MethodTable::HashName(std::string_view name) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  return h ^ (h >> 29);  // the mask keeps low bits: mix the high ones in
}

void MethodTable::Rebuild() {
  size_t n = 8;
  while (n < specs_.size() * 2) n *= 2;  // at most half full
  slots_.assign(n, nullptr);
  for (const auto& spec : specs_) {
    size_t i = HashName(spec->name) & (n - 1);
    while (slots_[i] != nullptr) i = (i + 1) & (n - 1);
    slots_[i] = spec.get();
  }
}

const MethodSpec* MethodTable::Find(std::string_view name) const {
  if (slots_.empty()) return nullptr;
  const size_t mask = slots_.size() - 1;
  for (size_t i = HashName(name) & mask;; i = (i + 1) & mask) {
    const MethodSpec* spec = slots_[i];
    if (spec == nullptr) return nullptr;
    if (spec->name == name) return spec;
  }
}

std::vector<const MethodSpec*> MethodTable::All() const {
  std::vector<const MethodSpec*> out;
  out.reserve(specs_.size());
  for (const auto& s : specs_) out.push_back(s.get());
  return out;
}

}  // namespace goxel::rpc
