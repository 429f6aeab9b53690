// Stdin mode (`call -`, or `call` with piped input): requests in, replies
// out, one per line, over one connection.
//
// Input holds full JSON-RPC texts (objects or batches, over one or many
// lines, sent verbatim) and shorthand lines "METHOD [PARAMS...]" (given ids
// 1, 2, ...); blank lines and lines starting with '#' are skipped. Requests
// are sent as they are read and replies printed as they arrive, so the
// daemon's own rules decide what is answered (notifications are not).
// At the end of input the client half-closes; the daemon answers the rest
// and closes, which ends the loop. --timeout bounds the silence after the
// end of input.
#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include <optional>

#include "client/commands.h"
#include "client/connection.h"
#include "client/exit_codes.h"
#include "client/params.h"
#include "rpc/framer.h"

namespace goxel::client {
namespace {

using rpc::JsonDocument;
using rpc::JsonValue;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Cuts requests out of the input and sends them.
class InputCutter {
 public:
  explicit InputCutter(Connection* conn) : conn_(conn) {}

  // Sends every complete request in the buffer; at `eof`, also the last
  // unterminated line. A shorthand line with bad params is reported and
  // skipped (exit code 2 at the end).
  Status Pump(bool eof) {
    for (;;) {
      if (framer_) {
        rpc::Framer::Frame f = framer_->Next(in_);
        if (f.kind == rpc::Framer::Kind::kNeedMore) {
          if (!eof) return Status::Ok();
          return Fail(kExitUsage, "input ends inside a JSON text");
        }
        if (f.kind != rpc::Framer::Kind::kText) {
          return Fail(kExitUsage,
                      "a JSON text in the input is too deep or "
                      "too large");
        }
        std::string text = in_.substr(f.begin, f.end - f.begin) + "\n";
        in_.erase(0, f.end);
        framer_.reset();
        GOXEL_RETURN_IF_ERROR(conn_->SendAll(text, std::nullopt));
        continue;
      }
      size_t start = 0;
      while (start < in_.size() && IsSpace(in_[start])) ++start;
      in_.erase(0, start);
      if (in_.empty()) return Status::Ok();
      if (in_[0] == '{' || in_[0] == '[') {
        framer_.emplace(rpc::FramerLimits{1u << 30, 512});
        continue;
      }
      size_t nl = in_.find('\n');
      if (nl == std::string::npos && !eof) return Status::Ok();
      std::string line = in_.substr(0, nl);
      in_.erase(0, nl == std::string::npos ? in_.size() : nl + 1);
      if (line[0] == '#') continue;
      GOXEL_RETURN_IF_ERROR(SendShorthand(line));
    }
  }

  std::string& buffer() { return in_; }
  bool had_bad_line() const { return bad_line_; }

 private:
  Status SendShorthand(const std::string& line) {
    std::vector<std::string> words = SplitShorthand(line);
    std::string method = words[0];
    words.erase(words.begin());
    JsonDocument params;
    Status st = BuildParams(words, &params);
    if (!st.ok()) {
      PrintError("skipped '" + line + "': " + st.message());
      bad_line_ = true;
      return Status::Ok();
    }
    return conn_->SendAll(RequestText(method, params, next_id_++) + "\n",
                          std::nullopt);
  }

  Connection* conn_;
  std::string in_;
  std::optional<rpc::Framer> framer_;
  int64_t next_id_ = 1;
  bool bad_line_ = false;
};

// True when a reply (object or batch array) holds an error.
bool HasError(const JsonValue& reply) {
  if (reply.IsArray()) {
    for (const auto& r : reply.GetArray()) {
      if (HasError(r)) return true;
    }
    return false;
  }
  return reply.IsObject() && reply.HasMember("error");
}

}  // namespace

int RunStream(const Session& s, int fd) {
  Connection conn;
  Status st = conn.Open(s.socket_path, DeadlineIn(s.timeout_seconds));
  if (!st.ok()) return Report(st);
  Deadline deadline;  // none until the input ends
  InputCutter cutter(&conn);
  bool input_open = true;
  bool any_error = false;
  OutputOptions out = s.out;
  if (!s.json_requested) out.style = JsonStyle::kShort;
  for (;;) {
    pollfd p[2] = {{conn.fd(), POLLIN, 0}, {fd, POLLIN, 0}};
    int timeout_ms = -1;
    if (deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      *deadline - Clock::now())
                      .count();
      if (left <= 0) {
        return Report(Fail(kExitTimeout, "timed out waiting for replies from " +
                                             s.socket_path +
                                             " (raise --timeout)"));
      }
      timeout_ms = static_cast<int>(left);
    }
    int rc = poll(p, input_open ? 2 : 1, timeout_ms);
    if (rc < 0 && errno != EINTR) {
      return Report(Fail(kExitConnect, "poll failed"));
    }
    if (rc <= 0) continue;
    if (input_open && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      char buf[65536];
      ssize_t n = read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n > 0) cutter.buffer().append(buf, static_cast<size_t>(n));
      bool eof = n <= 0;
      st = cutter.Pump(eof);
      if (!st.ok()) return Report(st);
      if (eof) {
        input_open = false;
        conn.ShutdownWrite();
        deadline = DeadlineIn(s.timeout_seconds);
      }
    }
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      bool eof = false;
      st = conn.Fill(std::nullopt, &eof);
      std::string text;
      for (;;) {
        Result<bool> got = conn.TakeText(&text);
        if (!got.ok()) return Report(got.status());
        if (!*got) break;
        JsonDocument reply;
        if (!ParseJsonValue(text, &reply)) {
          return Report(Fail(kExitRpcError, "the daemon sent invalid JSON"));
        }
        any_error = any_error || HasError(reply);
        PrintReply(reply, out);
      }
      if (eof) {
        if (input_open) {
          return Report(Fail(kExitConnect, "the daemon at " + s.socket_path +
                                               " closed the connection "
                                               "before the input ended"));
        }
        break;
      }
      if (!st.ok()) return Report(st);
      if (!input_open) deadline = DeadlineIn(s.timeout_seconds);
    }
  }
  if (cutter.had_bad_line()) return kExitUsage;
  return any_error ? kExitRpcError : kExitOk;
}

}  // namespace goxel::client
