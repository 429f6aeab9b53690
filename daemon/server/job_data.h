// JobData: the pool job of one connection, and the texts it runs.
//
// A connection has at most one job in flight, so it keeps one JobData for
// its whole life and reuses it (texts, reply buffer): a pooled request
// allocates nothing here.
//
// The hand-off:
//   loop:   Connection::TakeJob fills `texts`, sets `self` and `state`; the
//           server submits the job to the pool
//   worker: Run() (or Drop() when the pool shuts down) writes every reply
//           into `out`; then either answers directly (below) or calls
//           JobSink::JobDone(this), which moves `self` into the server's
//           completion queue: the worker's last touch
//   loop:   the server drains the queue; Connection::FinishJob swaps `out`
//           into the connection's output and puts `unrun` back in front of
//           its backlog.
//
// The direct reply (`state`). A job submitted while it is the only work of
// the pool and nothing else is due on its connection (no output pending or
// being written, an empty backlog, not at end of input, not paused, not
// draining) starts kRunning: its worker may send() `out` on `fd` itself and
// finish the job (kRunning -> kDone) without waking the loop. This saves a
// sequential client the loop's wake-up per pooled request. Invariants:
// - While a job is in flight the loop writes nothing to its connection
//   (Pump starts nothing; the conditions above held at submit), so replies
//   keep their order whichever thread sends them.
// - The worker sends only in kRunning and finishes only by the CAS
//   kRunning -> kDone; a failed, partial or refused send, unrun texts or a
//   cancelled job post the completion instead (the loop writes the rest).
// - When the loop needs the job's end (new input, end of input, close,
//   drain: Connection::SettleJob) it CASes kRunning -> kNeedLoop, and the
//   worker then posts. A job found kDone is the loop's again at once.
// - `fd` is the worker's own dup of the socket: it can never reach a
//   descriptor number the loop closed and reused; Close shuts it down so a
//   late send fails (EPIPE) instead of reaching a dropped client.
// A job whose text answered with a streamed reply always posts.
// Under load (other jobs queued or running) jobs start kNeedLoop: the loop
// writing a burst of replies at once is what batches the clients' next
// requests.
//
// Invariants of the hand-off: between submit and the end above only the
// worker touches the job (except `cancelled` and `state`, atomics). Workers
// never touch a Connection, a libuv handle or the server's maps. `self`
// keeps the job alive past its connection's close until the loop has
// drained its completion.
//
// Thread contract: as above; the fields are not locked, the hand-off (the
// pool's queue, the completion queue's mutex, `state`) orders every access.
#ifndef GOXEL_SERVER_JOB_DATA_H_
#define GOXEL_SERVER_JOB_DATA_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rpc/envelope.h"
#include "rpc/method_table.h"
#include "server/options.h"

namespace goxel::server {

// A framed text waiting to run: parsed on the loop, or (large texts) kept
// raw and parsed by the worker so the loop stays responsive.
struct PendingText {
  rpc::ParsedTextPtr parsed;
  std::string raw;
  Status rejected;           // answered with this error instead of running
  bool close_after = false;  // close the connection once answered

  // The parsed text, parsing `raw` (taking its storage) the first time.
  rpc::ParsedText& Parse(const rpc::MethodTable& table) {
    if (!parsed) parsed = rpc::ParseOwnedRequestText(std::move(raw), table);
    return *parsed;
  }
};

// An output buffer grown past this is freed once empty, not kept for reuse.
inline constexpr size_t kKeptBufferBytes = 1u << 20;

// Answers every request of `parsed` with `why` (their own envelope error
// first) and observes each one as run requests are (metrics, logs). Any
// thread.
void AnswerRejected(const rpc::ParsedText& parsed, const Status& why,
                    const rpc::CallerInfo& caller,
                    const rpc::ExecuteHooks& hooks, std::string* out);

struct JobData;

// Where a finished job goes (the server's completion queue).
class JobSink {
 public:
  // Any thread; takes `job->self`. The worker does not touch `job` after.
  virtual void JobDone(JobData* job) = 0;

 protected:
  ~JobSink() = default;
};

// How a job in flight ends (see the direct reply above).
enum class JobState : uint8_t {
  kIdle,      // no job in flight
  kRunning,   // queued or running; the worker may answer directly
  kNeedLoop,  // queued or running; the worker posts a completion
  kDone,      // the worker answered directly; the loop has not seen it
};

struct JobData {
  JobData(const rpc::MethodTable* table, const rpc::ExecuteHooks* hooks,
          JobSink* sink, ServerStats* stats, uint64_t connection_id)
      : table(table),
        hooks(hooks),
        sink(sink),
        stats(stats),
        connection_id(connection_id) {}
  JobData(const JobData&) = delete;
  JobData& operator=(const JobData&) = delete;
  ~JobData();

  const rpc::MethodTable* const table;
  const rpc::ExecuteHooks* const hooks;
  JobSink* const sink;
  ServerStats* const stats;
  const uint64_t connection_id;

  rpc::CallerInfo caller;
  std::vector<PendingText> texts;
  // Texts not run because `out` passed `reply_cap` (max_pending_reply_mb):
  // the loop puts them back at the front of the backlog, to run once the
  // client has read its replies.
  std::vector<PendingText> unrun;
  size_t reply_cap = SIZE_MAX;
  std::string out;  // the replies; swapped into the connection's output
  // The rest of a streamed reply (rpc::ExecuteText), begun at the end of
  // `out`: the job stops after its text (the later ones go to `unrun`) and
  // never answers directly; the loop's FinishJob takes it over.
  std::unique_ptr<rpc::ReplyStream> stream;
  size_t requests = 0;  // requests answered (for ServerStats)
  uint64_t created_nanos = 0;
  // Set by the loop when the connection closes: nobody will read the rest.
  std::atomic<bool> cancelled{false};
  std::shared_ptr<JobData> self;  // set while queued or running
  // The connection's socket, duplicated the first time a direct reply is
  // allowed; -1 until then or when the dup failed (then jobs post).
  int fd = -1;
  std::atomic<JobState> state{JobState::kIdle};

  void Run();   // on a worker; ends directly or with sink->JobDone(this)
  void Drop();  // on the thread shutting the pool down; answers, JobDone
  // Every request of every text only reads (kReadOnly): such a job may
  // overtake edits when the pool's priority queue is on.
  bool ReadOnly() const;
  // Answers every text with `why` instead of running it.
  void Reject(const Status& why, std::string* to);
  // On the loop once the completion is drained: empties the buffers
  // (keeping capacity up to kKeptBufferBytes).
  void Reset();

 private:
  // On a worker, after Run's texts: writes `out` to `fd` when `state`
  // allows it. True when the job is finished (kDone) and nothing may touch
  // it any more; false when the completion must be posted.
  bool AnswerDirectly();
};

}  // namespace goxel::server

#endif  // GOXEL_SERVER_JOB_DATA_H_
