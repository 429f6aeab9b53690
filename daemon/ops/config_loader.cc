#include "ops/config_loader.h"

#include <limits.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "ops/config_schema.h"

namespace goxel::ops {
namespace {

using rapidjson::Document;
using rapidjson::SizeType;
using rapidjson::Value;

// Builds a Document from SAX events while recording, for every value, the
// byte offset where the parser was when it saw it (keyed by dotted path).
class LocatingHandler {
 public:
  LocatingHandler(Document* doc, const rapidjson::MemoryStream* stream,
                  std::map<std::string, size_t>* offsets)
      : doc_(doc), stream_(stream), offsets_(offsets) {}

  bool Null() { return Mark(), doc_->Null(); }
  bool Bool(bool b) { return Mark(), doc_->Bool(b); }
  bool Int(int i) { return Mark(), doc_->Int(i); }
  bool Uint(unsigned u) { return Mark(), doc_->Uint(u); }
  bool Int64(int64_t i) { return Mark(), doc_->Int64(i); }
  bool Uint64(uint64_t u) { return Mark(), doc_->Uint64(u); }
  bool Double(double d) { return Mark(), doc_->Double(d); }
  bool RawNumber(const char* s, SizeType n, bool copy) {
    return Mark(), doc_->RawNumber(s, n, copy);
  }
  bool String(const char* s, SizeType n, bool copy) {
    return Mark(), doc_->String(s, n, copy);
  }
  bool StartObject() {
    frames_.push_back({Mark(), false, 0, {}});
    return doc_->StartObject();
  }
  bool Key(const char* s, SizeType n, bool copy) {
    frames_.back().key.assign(s, n);
    return doc_->Key(s, n, copy);
  }
  bool EndObject(SizeType n) {
    frames_.pop_back();
    return doc_->EndObject(n);
  }
  bool StartArray() {
    frames_.push_back({Mark(), true, 0, {}});
    return doc_->StartArray();
  }
  bool EndArray(SizeType n) {
    frames_.pop_back();
    return doc_->EndArray(n);
  }

 private:
  struct Frame {
    std::string path;
    bool array;
    size_t index;
    std::string key;
  };

  std::string Mark() {
    std::string path;
    if (!frames_.empty()) {
      Frame& f = frames_.back();
      if (f.array) {
        path = f.path + "[" + std::to_string(f.index++) + "]";
      } else {
        path = f.path.empty() ? f.key : f.path + "." + f.key;
      }
    }
    (*offsets_)[path] = stream_->Tell();
    return path;
  }

  Document* doc_;
  const rapidjson::MemoryStream* stream_;
  std::map<std::string, size_t>* offsets_;
  std::vector<Frame> frames_;
};

// Where values of one parsed text came from, for messages.
struct Source {
  std::string_view text;
  std::string_view file_name;  // "" when not a file
  std::map<std::string, size_t> offsets;

  // " (/etc/goxel/daemon_config.json line 12)", or "" without a file.
  std::string Where(const std::string& path) const {
    if (file_name.empty()) return "";
    auto it = offsets.find(path);
    if (it == offsets.end()) return " (" + std::string(file_name) + ")";
    return " (" + std::string(file_name) + " line " +
           std::to_string(LineOf(it->second)) + ")";
  }
  size_t LineOf(size_t offset) const {
    size_t line = 1;
    for (size_t i = 0; i < offset && i < text.size(); ++i) {
      line += text[i] == '\n';
    }
    return line;
  }
};

std::string Got(const Value& v) {
  std::string s = JsonText(v);
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return s;
}

Status ValueError(const std::string& who, const Status& s, const Value& v,
                  const std::string& where) {
  return Status::InvalidParams(who + ": " + s.message() + ", got " + Got(v) +
                               where)
      .With("key", who);
}

// True when some key lives under `path` ("logging.rotation").
bool IsSection(const std::string& path) {
  for (const FieldSpec& f : ConfigFields()) {
    if (f.path.size() > path.size() &&
        f.path.compare(0, path.size(), path) == 0 &&
        f.path[path.size()] == '.') {
      return true;
    }
  }
  return false;
}

struct WalkContext {
  const Source* source;
  Config* config;
  std::vector<std::string>* warnings;  // null: unknown keys are errors
};

Status ApplyObject(const Value& obj, const std::string& prefix,
                   const WalkContext& ctx) {
  for (const auto& m : obj.GetObject()) {
    std::string key(m.name.GetString(), m.name.GetStringLength());
    if (key == "_comment") continue;
    std::string path = prefix.empty() ? key : prefix + "." + key;
    std::string where = ctx.source->Where(path);
    if (prefix.empty() && IsIgnoredSection(key) && ctx.warnings) continue;
    if (const FieldSpec* f = FindConfigField(path)) {
      Status s = f->set(m.value, ctx.config);
      if (!s.ok()) return ValueError(path, s, m.value, where);
      continue;
    }
    if (IsSection(path)) {
      if (!m.value.IsObject()) {
        return ValueError(path, Status::InvalidParams("expected an object"),
                          m.value, where);
      }
      GOXEL_RETURN_IF_ERROR(ApplyObject(m.value, path, ctx));
      continue;
    }
    if (!ctx.warnings) {
      return Status::InvalidParams("unknown configuration key " + path)
          .With("key", path);
    }
    ctx.warnings->push_back("unknown configuration key " + path + where +
                            ", ignored");
  }
  return Status::Ok();
}

// Parses `text` strictly (UTF-8 checked) and records value offsets.
Status ParseLocated(std::string_view text, Source* source, Document* doc) {
  rapidjson::MemoryStream stream(text.data(), text.size());
  rapidjson::Reader reader;
  LocatingHandler handler(doc, &stream, &source->offsets);
  auto generate = [&](Document&) {
    return !reader.Parse<rapidjson::kParseValidateEncodingFlag>(stream, handler)
                .IsError();
  };
  doc->Populate(generate);
  if (!reader.HasParseError()) return Status::Ok();
  size_t offset = reader.GetErrorOffset();
  std::string name = source->file_name.empty() ? "configuration"
                                               : std::string(source->file_name);
  return Status::InvalidParams(
             name + " line " + std::to_string(source->LineOf(offset)) +
             ": invalid JSON: " +
             rapidjson::GetParseError_En(reader.GetParseErrorCode()))
      .With("offset", static_cast<int64_t>(offset));
}

// Converts an environment or command-line text to the JSON value a key of
// this kind expects; text that does not convert stays a string so the
// setter's message shows it.
Value FromText(FieldKind kind, const std::string& text,
               Document::AllocatorType& alloc) {
  const char* b = text.data();
  const char* e = b + text.size();
  if (kind == FieldKind::kInt) {
    int64_t i = 0;
    auto r = std::from_chars(b, e, i);
    if (r.ec == std::errc() && r.ptr == e) return Value(i);
  } else if (kind == FieldKind::kDouble) {
    double d = 0;
    auto r = std::from_chars(b, e, d);
    if (r.ec == std::errc() && r.ptr == e) return Value(d);
  } else if (kind == FieldKind::kBool) {
    if (text == "true" || text == "1" || text == "yes") return Value(true);
    if (text == "false" || text == "0" || text == "no") return Value(false);
  }
  return Value(text.c_str(), alloc);
}

Status ApplyText(const std::string& key, const std::string& who,
                 const std::string& text, Config* config) {
  const FieldSpec* f = FindConfigField(key);
  if (f == nullptr) return Status::Internal("no configuration key " + key);
  Document scratch;
  Value v = FromText(f->kind, text, scratch.GetAllocator());
  Status s = f->set(v, config);
  if (!s.ok()) return ValueError(who, s, v, "");
  return Status::Ok();
}

struct EnvVar {
  const char* name;
  const char* key;
};
constexpr EnvVar kEnvVars[] = {
    {"GOXEL_SOCKET_PATH", "daemon.socket_path"},
    {"GOXEL_PID_FILE", "daemon.pid_file"},
    {"GOXEL_LOG_FILE", "daemon.log_file"},
    {"GOXEL_LOG_LEVEL", "logging.level"},
    {"GOXEL_MAX_WORKERS", "server.workers"},
    {"GOXEL_QUEUE_SIZE", "server.queue_size"},
    {"GOXEL_MAX_CONNECTIONS", "server.max_connections"},
    {"GOXEL_WORKING_DIR", "daemon.working_dir"},
    {"GOXEL_DATA_DIR", "paths.data_directory"},
    {"GOXEL_DAEMON_USER", "daemon.user"},
    {"GOXEL_DAEMON_GROUP", "daemon.group"},
    {"GOXEL_LOCK_TIMEOUT_MS", "performance.lock_timeout_ms"},
    {"GOXEL_MAX_READ_MEMORY_MB", "performance.max_read_memory_mb"},
};

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::InvalidParams("config file " + path +
                                 ": cannot read: " + std::strerror(errno))
        .With("file", path);
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::IoError("config file " + path + ": read failed");
  return ss.str();
}

std::string Absolute(const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  char cwd[PATH_MAX];
  if (getcwd(cwd, sizeof cwd) == nullptr) return path;
  return std::string(cwd) + "/" + path;
}

// The first directory of a systemd directory variable (RUNTIME_DIRECTORY
// and friends list one per RuntimeDirectory= entry, separated by ':'), or "".
std::string ServiceDirectory(const EnvLookup& env, const char* name) {
  std::optional<std::string> v = env(name);
  if (!v || v->empty() || (*v)[0] != '/') return "";
  return v->substr(0, v->find(':'));
}

// Paths a service manager gave us: systemd sets RUNTIME_DIRECTORY,
// STATE_DIRECTORY and CACHE_DIRECTORY for RuntimeDirectory=goxel and
// friends. They fill only what every other layer left empty, so a unit
// started without a config file still serves on /run/goxel.
void ServiceManagerDefaults(const EnvLookup& env, Config* c) {
  std::string run = ServiceDirectory(env, "RUNTIME_DIRECTORY");
  if (c->socket_path.empty() && !run.empty()) {
    c->socket_path = run + "/" + kServiceSocketName;
  }
  std::string state = ServiceDirectory(env, "STATE_DIRECTORY");
  if (c->data_directory.empty() && !state.empty()) c->data_directory = state;
  std::string cache = ServiceDirectory(env, "CACHE_DIRECTORY");
  if (c->cache_directory.empty() && !cache.empty()) {
    c->cache_directory = cache;
  }
}

Status FinishDefaults(Config* c) {
  c->foreground = !c->daemonize;
#ifdef __APPLE__
  const PlatformDefaults& os = c->darwin_defaults;
#else
  const PlatformDefaults& os = c->linux_defaults;
#endif
  if (c->daemonize) {
    if (c->socket_path.empty()) c->socket_path = os.socket_path;
    if (c->pid_file.empty()) c->pid_file = os.pid_file;
    if (c->log_file.empty()) c->log_file = os.log_file;
  } else if (c->socket_path.empty()) {
    c->socket_path = kForegroundSocketPath;
  }
  // A daemon changes directory: relative paths would move under it.
  if (c->daemonize || !c->working_dir.empty()) {
    c->socket_path = Absolute(c->socket_path);
    c->pid_file = Absolute(c->pid_file);
    c->log_file = Absolute(c->log_file);
    c->working_dir = Absolute(c->working_dir);
    if (c->socket_path.size() > 107) {
      return Status::InvalidParams(
          "daemon.socket_path: expected a path of at most 107 bytes (the Unix "
          "socket limit), got \"" +
          c->socket_path + "\" once made absolute");
    }
  }
  return Status::Ok();
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

EnvLookup MapEnv(std::map<std::string, std::string> vars) {
  return
      [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
      };
}

Status ApplyConfigText(std::string_view json, std::string_view file_name,
                       Config* config, std::vector<std::string>* warnings) {
  Source source{json, file_name, {}};
  Document doc;
  GOXEL_RETURN_IF_ERROR(ParseLocated(json, &source, &doc));
  if (!doc.IsObject()) {
    return Status::InvalidParams(std::string(file_name) +
                                 ": expected a JSON object at the top level");
  }
  return ApplyObject(doc, "", WalkContext{&source, config, warnings});
}

Result<LoadedConfig> LoadConfig(const CommandLine& cli, const EnvLookup& env) {
  LoadedConfig out;
  Config& c = out.config;
  std::optional<std::string> file = cli.config_file;
  if (!file) {
    file = env("GOXEL_CONFIG_FILE");
    if (file && file->empty()) file.reset();
  }
  if (!file && cli.optional_config_file) {
    file = cli.optional_config_file;
    if (access(file->c_str(), F_OK) != 0 && errno == ENOENT) {
      out.warnings.push_back("no config file " + *file +
                             " (--optional-config): using the defaults");
      file.reset();
    }
  }
  if (file) {
    Result<std::string> text = ReadFile(*file);
    if (!text.ok()) return text.status();
    GOXEL_RETURN_IF_ERROR(ApplyConfigText(*text, *file, &c, &out.warnings));
    c.config_file = Absolute(*file);
  }
  for (const EnvVar& var : kEnvVars) {
    std::optional<std::string> v = env(var.name);
    if (!v || v->empty()) continue;
    GOXEL_RETURN_IF_ERROR(ApplyText(
        var.key, std::string(var.name) + " (" + var.key + ")", *v, &c));
  }
  for (const CliSetting& s : cli.settings) {
    GOXEL_RETURN_IF_ERROR(ApplyText(s.key, s.flag, s.text, &c));
  }
  ServiceManagerDefaults(env, &c);
  GOXEL_RETURN_IF_ERROR(FinishDefaults(&c));
  return out;
}

std::string ConfigToJson(const Config& config) {
  Document doc(rapidjson::kObjectType);
  auto& alloc = doc.GetAllocator();
  for (const FieldSpec& f : ConfigFields()) {
    if (!f.output) continue;
    Value* node = &doc;
    size_t start = 0;
    for (size_t dot; (dot = f.path.find('.', start)) != std::string::npos;
         start = dot + 1) {
      std::string part = f.path.substr(start, dot - start);
      // HasMember, not FindMember == MemberEnd: clang in C++20 finds that
      // comparison of RapidJSON's iterators ambiguous.
      if (!node->HasMember(part.c_str())) {
        node->AddMember(Value(part.c_str(), alloc),
                        Value(rapidjson::kObjectType), alloc);
      }
      node = &(*node)[part.c_str()];
    }
    node->AddMember(Value(f.path.substr(start).c_str(), alloc),
                    f.get(config, alloc), alloc);
  }
  rapidjson::StringBuffer buf;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buf);
  writer.SetIndent(' ', 2);
  doc.Accept(writer);
  return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

ConfigChange DiffConfigs(const Config& before, const Config& after) {
  ConfigChange change;
  Document scratch;
  auto& alloc = scratch.GetAllocator();
  for (const FieldSpec& f : ConfigFields()) {
    if (!f.output) continue;
    if (JsonText(f.get(before, alloc)) == JsonText(f.get(after, alloc))) {
      continue;
    }
    (f.live ? change.applied : change.restart_required).push_back(f.path);
  }
  return change;
}

Result<ConfigChange> ApplyConfigPatch(std::string_view patch_json,
                                      Config* config) {
  Source source{patch_json, "", {}};
  Document doc;
  GOXEL_RETURN_IF_ERROR(ParseLocated(patch_json, &source, &doc));
  if (!doc.IsObject()) {
    return Status::InvalidParams("expected an object of configuration keys");
  }
  Config next = *config;
  GOXEL_RETURN_IF_ERROR(
      ApplyObject(doc, "", WalkContext{&source, &next, nullptr}));
  ConfigChange change = DiffConfigs(*config, next);
  Document scratch;
  for (const std::string& path : change.applied) {
    const FieldSpec* f = FindConfigField(path);
    Status s = f->set(f->get(next, scratch.GetAllocator()), config);
    if (!s.ok()) return s;  // cannot happen: `next` passed the same check
  }
  return change;
}

}  // namespace goxel::ops
