#include "methods/workspace.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>

#include "methods/status_codes.h"

namespace goxel::methods {

Workspace::Workspace(WorkspaceOptions options) : options_(std::move(options)) {
  if (options_.create_default_project) {
    voxel::Project p("Untitled");
    p.SetHistoryDepth(options_.history_depth);
    Open(std::move(p), /*activate=*/true);
  }
}

std::string Workspace::NewUuid() {
  std::random_device rd;  // getrandom(2) / /dev/urandom on Linux.
  uint8_t b[16];
  for (int i = 0; i < 16; i += 4) {
    uint32_t r = rd();
    for (int k = 0; k < 4; ++k) b[i + k] = static_cast<uint8_t>(r >> (8 * k));
  }
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  char out[37];
  snprintf(
      out, sizeof out,
      "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
      b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
      b[12], b[13], b[14], b[15]);
  return out;
}

std::vector<std::string> Workspace::IdsLocked() const {
  std::vector<std::string> ids;
  ids.reserve(projects_.size());
  for (const auto& p : projects_) ids.push_back(p->id);
  return ids;
}

Status Workspace::NotFoundLocked(std::string_view project_id) const {
  std::string msg =
      !project_id.empty() ? "project not found: " + std::string(project_id)
      : projects_.empty()
          ? std::string("no project open: create_project or load_project first")
          : std::string(
                "no active project: set_active_project or pass "
                "project_id");
  return Status::Error(kProjectNotFound, std::move(msg))
      .With("project_id", std::string(project_id))
      .With("open_projects", IdsLocked());
}

Result<ProjectRef> Workspace::Find(std::string_view project_id) const {
  ProjectRef found;
  {
    ReaderLock lock(&mu_);
    if (project_id.empty() || (active_ && active_->id == project_id)) {
      found = active_;
    } else {
      for (const auto& p : projects_)
        if (p->id == project_id) found = p;
    }
    if (!found) return NotFoundLocked(project_id);
  }
  if (found->restoring.load(std::memory_order_acquire))
    return ProjectRestoring(found->id);
  return found;
}

bool Workspace::Has(std::string_view project_id) const {
  ReaderLock lock(&mu_);
  for (const auto& p : projects_)
    if (p->id == project_id) return true;
  return false;
}

void Workspace::Discard(std::string_view project_id) {
  WriterLock lock(&mu_);
  auto it =
      std::find_if(projects_.begin(), projects_.end(),
                   [&](const ProjectRef& p) { return p->id == project_id; });
  if (it == projects_.end()) return;
  const bool was_active = *it == active_;
  projects_.erase(it);
  if (was_active) active_ = projects_.empty() ? nullptr : projects_.back();
}

Result<ProjectRef> Workspace::FindOrOpenDefault() {
  WriterLock lock(&mu_);
  if (active_) return active_;
  if (!projects_.empty()) return NotFoundLocked({});
  voxel::Project p("Untitled");
  p.SetHistoryDepth(options_.history_depth);
  auto op = std::make_shared<OpenProject>(NewUuid(), std::move(p));
  projects_.push_back(op);
  active_ = op;
  return op;
}

ProjectRef Workspace::Open(voxel::Project project, bool activate) {
  auto ref = std::make_shared<OpenProject>(NewUuid(), std::move(project));
  WriterLock lock(&mu_);
  projects_.push_back(ref);
  if (activate || !active_) active_ = ref;
  return ref;
}

Result<ProjectRef> Workspace::OpenWithId(std::string id, voxel::Project project,
                                         bool activate) {
  WriterLock lock(&mu_);
  for (const auto& p : projects_) {
    if (p->id == id) {
      return Status::InvalidParams("project id already open: " + id)
          .With("project_id", id);
    }
  }
  auto ref = std::make_shared<OpenProject>(std::move(id), std::move(project));
  projects_.push_back(ref);
  if (activate || !active_) active_ = ref;
  return ref;
}

Status Workspace::SetActive(std::string_view project_id) {
  WriterLock lock(&mu_);
  for (const auto& p : projects_) {
    if (p->id == project_id) {
      active_ = p;
      return Status::Ok();
    }
  }
  return NotFoundLocked(project_id);
}

Result<std::string> Workspace::Close(std::string_view project_id, bool force) {
  std::string closed_id;
  Result<std::string> next = CloseLocked(project_id, force, &closed_id);
  if (next.ok() && on_close_) on_close_(closed_id);
  return next;
}

Result<std::string> Workspace::CloseLocked(std::string_view project_id,
                                           bool force, std::string* closed_id) {
  // The project's lock is only tried under the workspace lock (order:
  // workspace -> project): waiting there for a busy project would stall
  // every call that looks a project up, the loop thread's inline ones too.
  // A busy project is waited for outside it, then the whole check runs
  // again, all within one lock timeout.
  const int64_t timeout_ms = options_.lock_timeout_ms;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    ProjectRef busy;
    {
      WriterLock lock(&mu_);
      const ProjectRef active = active_;  // the lambda below is not analysed
      auto it = std::find_if(
          projects_.begin(), projects_.end(), [&](const ProjectRef& p) {
            return project_id.empty() ? p == active : p->id == project_id;
          });
      if (it == projects_.end()) return NotFoundLocked(project_id);
      ProjectRef target = *it;
      if (target->restoring.load(std::memory_order_acquire))
        return ProjectRestoring(target->id);
      if (!force) {
        CallReaderLock plock(&target->mu, LockWait{true, 0});
        if (!plock.held()) {
          busy = target;
        } else if (target->project.dirty()) {
          return Status::ServerError(
                     "project has unsaved changes; save it or pass force:true")
              .With("reason", std::string("unsaved_changes"))
              .With("project_id", target->id);
        }
      }
      if (!busy) {
        *closed_id = target->id;
        projects_.erase(it);
        if (active_ == target) {
          active_ = projects_.empty() ? nullptr : projects_.back();
        }
        return active_ ? active_->id : std::string();
      }
    }
    int64_t left_ms = 0;  // 0: no bound
    if (timeout_ms > 0) {
      left_ms = std::chrono::ceil<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
      if (left_ms <= 0) return ProjectBusy(busy->id, timeout_ms);
    }
    CallReaderLock wait(&busy->mu, LockWait{false, left_ms});
    if (!wait.held()) return ProjectBusy(busy->id, timeout_ms);
  }
}

std::vector<ProjectRef> Workspace::List(ProjectRef* active) const {
  ReaderLock lock(&mu_);
  if (active) *active = active_;
  return projects_;
}

}  // namespace goxel::methods
