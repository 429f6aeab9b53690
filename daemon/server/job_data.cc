#include "server/job_data.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/clock.h"

namespace goxel::server {

void AnswerRejected(const rpc::ParsedText& parsed, const Status& why,
                    const rpc::CallerInfo& caller,
                    const rpc::ExecuteHooks& hooks, std::string* out) {
  rpc::AppendRejection(parsed, why, out);
  if (!hooks.observe) return;
  if (!parsed.text_error.ok()) {
    hooks.observe(rpc::RequestItem{}, parsed.text_error, 0, caller);
    return;
  }
  for (const rpc::RequestItem& item : parsed.items)
    hooks.observe(item, item.error.ok() ? why : item.error, 0, caller);
}

void JobData::Run() {
  caller.queue_wait_nanos = MonotonicNanos() - created_nanos;
  for (size_t i = 0; i < texts.size(); ++i) {
    if (cancelled.load(std::memory_order_relaxed)) break;
    if (out.size() > reply_cap) {
      // Unsent replies past the cap: start nothing more.
      for (size_t j = i; j < texts.size(); ++j)
        unrun.push_back(std::move(texts[j]));
      texts.resize(i);
      break;
    }
    PendingText& t = texts[i];
    rpc::ParsedText& parsed = t.Parse(*table);
    if (!t.rejected.ok()) {
      AnswerRejected(parsed, t.rejected, caller, *hooks, &out);
    } else {
      rpc::ExecuteText(parsed, caller, *hooks, &out, &stream);
    }
    requests += parsed.RequestCount();
    if (stream != nullptr) {
      // A streamed reply: its rest goes out before anything later, so the
      // texts after it wait for the loop to finish sending it.
      for (size_t j = i + 1; j < texts.size(); ++j)
        unrun.push_back(std::move(texts[j]));
      texts.resize(i + 1);
      break;
    }
  }
  // Small texts go back to the loop, which allocated them, and are freed
  // there (memory returns to the allocating thread's cache). Large ones are
  // freed here, off the loop.
  std::erase_if(texts, [](const PendingText& t) {
    return t.parsed == nullptr || !rpc::ReusableParsedText(*t.parsed);
  });
  if (unrun.empty() && stream == nullptr && AnswerDirectly()) return;
  sink->JobDone(this);
}

JobData::~JobData() {
  if (fd >= 0) close(fd);
}

bool JobData::AnswerDirectly() {
  if (fd < 0 || cancelled.load(std::memory_order_relaxed) ||
      state.load(std::memory_order_acquire) != JobState::kRunning) {
    return false;
  }
  // Counted before the reply leaves, as the loop does: a client that asks
  // for `status` after its reply sees its request served.
  stats->requests_served.fetch_add(requests, std::memory_order_relaxed);
  requests = 0;
  if (!out.empty()) {  // notifications only: nothing to send
    ssize_t n;
    do {
      n = send(fd, out.data(), out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) return false;  // full or failing: the loop writes or closes
    stats->bytes_out.fetch_add(static_cast<uint64_t>(n),
                               std::memory_order_relaxed);
    if (static_cast<size_t>(n) < out.size()) {
      out.erase(0, static_cast<size_t>(n));  // the loop writes the rest
      return false;
    }
    out.clear();
    if (out.capacity() > kKeptBufferBytes) std::string().swap(out);
    stats->replies_direct.fetch_add(1, std::memory_order_relaxed);
  }
  // The worker's last touch when it succeeds; when the loop asked for the
  // completion meanwhile (kNeedLoop), it is posted.
  JobState expected = JobState::kRunning;
  return state.compare_exchange_strong(expected, JobState::kDone,
                                       std::memory_order_acq_rel);
}

void JobData::Drop() {
  Reject(Status::ServerError("server is shutting down"), &out);
  sink->JobDone(this);
}

bool JobData::ReadOnly() const {
  for (const auto& t : texts) {
    if (!t.parsed) return false;
    for (const auto& item : t.parsed->items) {
      if (item.method && !(item.method->flags & rpc::kReadOnly)) return false;
    }
  }
  return true;
}

void JobData::Reject(const Status& why, std::string* to) {
  for (auto& t : texts) {
    rpc::ParsedText& parsed = t.Parse(*table);
    AnswerRejected(parsed, why, caller, *hooks, to);
    requests += parsed.RequestCount();
  }
  texts.clear();
}

void JobData::Reset() {
  texts.clear();  // the small ones the worker handed back
  unrun.clear();
  stream.reset();  // a connection that has gone drops its stream here
  out.clear();
  if (out.capacity() > kKeptBufferBytes) std::string().swap(out);
  requests = 0;
  state.store(JobState::kIdle, std::memory_order_relaxed);
}

}  // namespace goxel::server
