#include "rpc/method_table.h"

namespace goxel::rpc {

Status MethodTable::Add(MethodSpec spec) {
  if (spec.name.empty() || !spec.handler) {
    return Status::Internal("method spec needs a name and a handler")
        .With("method", spec.name);
  }
  if (by_name_.count(spec.name)) {
    return Status::Internal("method registered twice")
        .With("method", spec.name);
  }
  specs_.push_back(std::make_unique<MethodSpec>(std::move(spec)));
  by_name_.emplace(specs_.back()->name, specs_.back().get());
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
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return;
  const MethodSpec* spec = it->second;
  by_name_.erase(it);
  for (auto s = specs_.begin(); s != specs_.end(); ++s) {
    if (s->get() == spec) {
      specs_.erase(s);
      break;
    }
  }
}

const MethodSpec* MethodTable::Find(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

std::vector<const MethodSpec*> MethodTable::All() const {
  std::vector<const MethodSpec*> out;
  out.reserve(specs_.size());
  for (const auto& s : specs_) out.push_back(s.get());
  return out;
}

}  // namespace goxel::rpc
