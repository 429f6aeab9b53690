#include "options.h"

#include <getopt.h>
#include <rapidjson/document.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <string_view>

namespace goxel::bench {
namespace {

constexpr char kUsage[] =
    "usage: goxel-bench [options]\n"
    "A closed-loop JSON-RPC 2.0 load generator for a Unix-socket daemon.\n"
    "Prints one JSON line: method, connections, pipeline, requests, errors,\n"
    "error_replies, seconds, rps, p50_us, p90_us, p99_us, p999_us, max_us.\n"
    "\n"
    "  -s, --socket PATH       daemon socket (default /tmp/goxel-daemon.sock)\n"
    "  -c, --connections N     concurrent connections, 1..10000 (default 1)\n"
    "  -P, --pipeline N        requests in flight per connection, 1..4096\n"
    "                          (default 1)\n"
    "  -n, --requests N        measure N replies after warm-up (default\n"
    "                          100000 unless -d is given)\n"
    "  -d, --duration SECONDS  measure for SECONDS after warm-up instead\n"
    "  -W, --warmup N          replies before measuring (default 1000)\n"
    "  -M, --method NAME       JSON-RPC method (default ping)\n"
    "  -A, --params JSON       params: a JSON object or array\n"
    "  -F, --file PATH         request bodies, one JSON object per line\n"
    "                          ({\"method\":...,\"params\":...}, no id and no\n"
    "                          jsonrpc member); used in turn\n"
    "  -T, --threads N         load threads, 1..64 and <= connections\n"
    "                          (default 1)\n"
    "  -t, --max-seconds S     hard cap on the whole run (default 60, or\n"
    "                          duration + 30)\n"
    "      --raw BYTES         raw echo mode: send BYTES-long lines and\n"
    "                          expect them back (for echo servers)\n"
    "  -h, --help              this text\n"
    "\n"
    "Each reply must be one line holding a JSON-RPC 2.0 response with the\n"
    "request's id and a result: anything else counts in errors, well-formed\n"
    "error replies count in error_replies.\n"
    "Exit status: 0 all replies good, 1 connection or run failure (or the\n"
    "time cap hit), 2 usage error, 3 errors or error replies.\n";

std::string OptionName(int c) {
  switch (c) {
    case 's':
      return "-s/--socket (a path shorter than 108 bytes)";
    case 'c':
      return "-c/--connections (1..10000)";
    case 'P':
      return "-P/--pipeline (1..4096)";
    case 'n':
      return "-n/--requests (1..1000000000)";
    case 'd':
      return "-d/--duration (seconds, > 0)";
    case 'W':
      return "-W/--warmup (0..1000000000)";
    case 'F':
      return "-F/--file (a path)";
    case 'T':
      return "-T/--threads (1..64)";
    case 't':
      return "-t/--max-seconds (seconds, > 0)";
    case 'r':
      return "--raw (2..65536 bytes)";
    default:
      return std::string(1, static_cast<char>(c));
  }
}

bool ParseInt(const char* text, int64_t min, int64_t max, int64_t* out) {
  if (text == nullptr || *text == '\0') return false;
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(text, &end, 10);
  if (errno != 0 || *end != '\0' || v < min || v > max) return false;
  *out = v;
  return true;
}

bool ParseSeconds(const char* text, double* out) {
  if (text == nullptr || *text == '\0') return false;
  char* end = nullptr;
  double v = std::strtod(text, &end);
  if (*end != '\0' || !std::isfinite(v) || v <= 0 || v > 86400) return false;
  *out = v;
  return true;
}

// Appends `s` to `out` as a JSON string body (without quotes).
void AppendEscaped(std::string_view s, std::string* out) {
  static const char kHex[] = "0123456789abcdef";
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (u < 0x20) {
      out->append("\\u00");
      out->push_back(kHex[u >> 4]);
      out->push_back(kHex[u & 15]);
    } else {
      out->push_back(c);
    }
  }
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::string_view(" \t\r\n").find(s.front()) !=
                           std::string_view::npos) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         std::string_view(" \t\r\n").find(s.back()) != std::string_view::npos) {
    s.remove_suffix(1);
  }
  return s;
}

// Turns one request-file line into a template, or explains why not.
bool TemplateFromBody(std::string_view body, RequestTemplate* out,
                      std::string* why) {
  rapidjson::Document d;
  d.Parse<rapidjson::kParseValidateEncodingFlag>(body.data(), body.size());
  if (d.HasParseError() || !d.IsObject()) {
    *why = "not a single valid JSON object";
    return false;
  }
  if (!d.HasMember("method")) {
    *why = "no \"method\" member";
    return false;
  }
  if (d.HasMember("id") || d.HasMember("jsonrpc")) {
    *why = "has an \"id\" or \"jsonrpc\" member (goxel-bench adds both)";
    return false;
  }
  body = Trim(body);
  std::string_view inner = Trim(body.substr(1, body.size() - 2));
  out->prefix = "{\"jsonrpc\":\"2.0\",";
  out->prefix.append(inner);
  out->prefix.append(",\"id\":");
  out->suffix = "}\n";
  return true;
}

bool LoadFile(Options* o, std::string* error) {
  std::ifstream in(o->file);
  if (!in) {
    *error = "cannot read request file " + o->file;
    return false;
  }
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (Trim(line).empty()) continue;
    RequestTemplate t;
    std::string why;
    if (!TemplateFromBody(line, &t, &why)) {
      *error = o->file + ":" + std::to_string(number) + ": " + why;
      return false;
    }
    o->templates.push_back(std::move(t));
  }
  if (o->templates.empty()) {
    *error = "request file " + o->file + " holds no request";
    return false;
  }
  o->label = "file:" + o->file;
  return true;
}

bool BuildTemplates(Options* o, std::string* error) {
  if (o->raw_bytes > 0) {
    RequestTemplate t;
    for (int i = 0; i < o->raw_bytes - 1; ++i) t.prefix.push_back('a' + i % 26);
    t.prefix.push_back('\n');
    o->templates.push_back(std::move(t));
    o->label = "raw";
    return true;
  }
  if (!o->file.empty()) return LoadFile(o, error);
  RequestTemplate t;
  t.prefix = "{\"jsonrpc\":\"2.0\",\"method\":\"";
  AppendEscaped(o->method, &t.prefix);
  t.prefix.append("\"");
  if (!o->params.empty()) t.prefix.append(",\"params\":").append(o->params);
  t.prefix.append(",\"id\":");
  t.suffix = "}\n";
  o->templates.push_back(std::move(t));
  o->label = o->method;
  return true;
}

// Checks the combination of options once each has parsed.
bool Validate(Options* o, bool method_set, std::string* error) {
  if (o->requests > 0 && o->duration_s > 0) {
    *error = "-n and -d are exclusive: measure a count or a duration";
    return false;
  }
  if (o->requests == 0 && o->duration_s == 0) o->requests = 100000;
  if (o->threads > o->connections) {
    *error = "-T must not exceed -c (each thread drives its own connections)";
    return false;
  }
  bool json_source = method_set || !o->params.empty();
  if (!o->file.empty() && json_source) {
    *error = "-F is exclusive with -M and -A";
    return false;
  }
  if (o->raw_bytes > 0 && (json_source || !o->file.empty())) {
    *error = "--raw is exclusive with -M, -A and -F";
    return false;
  }
  if (o->method.empty()) {
    *error = "-M needs a method name";
    return false;
  }
  if (!o->params.empty()) {
    rapidjson::Document d;
    d.Parse<rapidjson::kParseValidateEncodingFlag>(o->params.data(),
                                                   o->params.size());
    if (d.HasParseError() || (!d.IsObject() && !d.IsArray())) {
      *error = "-A must be one valid JSON object or array: " + o->params;
      return false;
    }
  }
  if (o->max_seconds == 0) {
    o->max_seconds = o->duration_s > 0 ? o->duration_s + 30 : 60;
  } else if (o->duration_s > 0 && o->max_seconds <= o->duration_s) {
    *error = "-t must exceed -d";
    return false;
  }
  return BuildTemplates(o, error);
}

}  // namespace

const char* UsageText() { return kUsage; }

ParseResult ParseOptions(int argc, char** argv, Options* o,
                         std::string* error) {
  static const option kLong[] = {
      {"socket", required_argument, nullptr, 's'},
      {"connections", required_argument, nullptr, 'c'},
      {"pipeline", required_argument, nullptr, 'P'},
      {"requests", required_argument, nullptr, 'n'},
      {"duration", required_argument, nullptr, 'd'},
      {"warmup", required_argument, nullptr, 'W'},
      {"method", required_argument, nullptr, 'M'},
      {"params", required_argument, nullptr, 'A'},
      {"file", required_argument, nullptr, 'F'},
      {"threads", required_argument, nullptr, 'T'},
      {"max-seconds", required_argument, nullptr, 't'},
      {"raw", required_argument, nullptr, 'r'},
      {"help", no_argument, nullptr, 'h'},
      {nullptr, 0, nullptr, 0}};
  bool method_set = false;
  int64_t v = 0;
  opterr = 0;
  optind = 1;
  int c;
  while ((c = getopt_long(argc, argv, ":s:c:P:n:d:W:M:A:F:T:t:h", kLong,
                          nullptr)) != -1) {
    std::string arg = optarg != nullptr ? optarg : "";
    bool ok = true;
    switch (c) {
      case 's':
        o->socket_path = arg;
        ok = !arg.empty() && arg.size() < 108;
        break;
      case 'c':
        ok = ParseInt(optarg, 1, 10000, &v);
        o->connections = static_cast<int>(v);
        break;
      case 'P':
        ok = ParseInt(optarg, 1, 4096, &v);
        o->pipeline = static_cast<int>(v);
        break;
      case 'n':
        ok = ParseInt(optarg, 1, 1000000000, &v);
        o->requests = static_cast<uint64_t>(v);
        break;
      case 'd':
        ok = ParseSeconds(optarg, &o->duration_s);
        break;
      case 'W':
        ok = ParseInt(optarg, 0, 1000000000, &v);
        o->warmup = static_cast<uint64_t>(v);
        break;
      case 'M':
        o->method = arg;
        method_set = true;
        break;
      case 'A':
        o->params = arg;
        break;
      case 'F':
        o->file = arg;
        ok = !arg.empty();
        break;
      case 'T':
        ok = ParseInt(optarg, 1, 64, &v);
        o->threads = static_cast<int>(v);
        break;
      case 't':
        ok = ParseSeconds(optarg, &o->max_seconds);
        break;
      case 'r':
        ok = ParseInt(optarg, 2, 65536, &v);
        o->raw_bytes = static_cast<int>(v);
        break;
      case 'h':
        return ParseResult::kHelp;
      case ':':
        *error = std::string("option ") + argv[optind - 1] + " needs a value";
        return ParseResult::kUsageError;
      default:
        *error = std::string("unknown option ") + argv[optind - 1];
        return ParseResult::kUsageError;
    }
    if (!ok) {
      *error = "bad value for " + OptionName(c) + ": '" + arg + "'";
      return ParseResult::kUsageError;
    }
  }
  if (optind < argc) {
    *error = std::string("unexpected argument ") + argv[optind];
    return ParseResult::kUsageError;
  }
  return Validate(o, method_set, error) ? ParseResult::kOk
                                        : ParseResult::kUsageError;
}

}  // namespace goxel::bench
