#include "ops/log.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace goxel::ops {
namespace {

class LogFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/goxel-ops-log-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/daemon.log";
  }
  void TearDown() override {
    unlink(path_.c_str());
    unlink((path_ + ".1").c_str());
    rmdir(dir_.c_str());
  }
  std::vector<std::string> Lines(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    return lines;
  }
  std::string dir_, path_;
};

rapidjson::Document ParseLine(const std::string& line) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(line.c_str());
  EXPECT_FALSE(doc.HasParseError()) << line;
  return doc;
}

TEST_F(LogFileTest, StatusDetailsBecomeFieldsOfTheLine) {
  Logger log;
  ASSERT_TRUE(log.OpenFile(path_).ok());
  Status why = Status::InvalidParams("bad socket")
                   .With("socket", std::string("/run/x.sock"))
                   .With("limit", int64_t{108})
                   .With("names", std::vector<std::string>{"a", "b"})
                   .With("sizes", std::vector<int64_t>{1, 2})
                   .With("message", std::string("own key"));
  log.Log(LogLevel::kError, "daemon-main", why.message(), why.details());
  std::vector<std::string> lines = Lines(path_);
  ASSERT_EQ(lines.size(), 1u);
  rapidjson::Document doc = ParseLine(lines[0]);
  EXPECT_FALSE(doc.HasMember("detail")) << lines[0];
  EXPECT_STREQ(doc["message"].GetString(), "bad socket");
  EXPECT_STREQ(doc["socket"].GetString(), "/run/x.sock");
  EXPECT_EQ(doc["limit"].GetInt64(), 108);
  ASSERT_TRUE(doc["names"].IsArray());
  EXPECT_STREQ(doc["names"][1].GetString(), "b");
  ASSERT_TRUE(doc["sizes"].IsArray());
  EXPECT_EQ(doc["sizes"][1].GetInt64(), 2);
  EXPECT_STREQ(doc["field_message"].GetString(), "own key");
}

TEST_F(LogFileTest, WritesOneJsonObjectPerEventWithStandardFields) {
  Logger log;
  log.SetJournalMode(true);  // ignored: not on stderr
  ASSERT_TRUE(log.OpenFile(path_).ok());
  log.Info("server", "slow request",
           {{"method", "goxel.export"},
            {"id", 7},
            {"processing_time_ms", 812.5},
            {"ok", false}});
  std::vector<std::string> lines = Lines(path_);
  ASSERT_EQ(lines.size(), 1u);
  rapidjson::Document doc = ParseLine(lines[0]);
  std::string ts = doc["timestamp"].GetString();
  ASSERT_EQ(ts.size(), 24u) << ts;  // 2025-01-26T10:30:00.000Z
  EXPECT_EQ(ts[10], 'T');
  EXPECT_EQ(ts[19], '.');
  EXPECT_EQ(ts.back(), 'Z');
  EXPECT_STREQ(doc["level"].GetString(), "info");
  EXPECT_STREQ(doc["component"].GetString(), "server");
  EXPECT_STREQ(doc["message"].GetString(), "slow request");
  EXPECT_EQ(doc["pid"].GetInt(), getpid());
  EXPECT_GT(doc["tid"].GetInt(), 0);
  EXPECT_STREQ(doc["method"].GetString(), "goxel.export");
  EXPECT_EQ(doc["id"].GetInt(), 7);
  EXPECT_DOUBLE_EQ(doc["processing_time_ms"].GetDouble(), 812.5);
  EXPECT_FALSE(doc["ok"].GetBool());
}

TEST_F(LogFileTest, CreatesTheFileWithMode0640) {
  mode_t old = umask(0);
  Logger log;
  Status s = log.OpenFile(path_);
  umask(old);
  ASSERT_TRUE(s.ok());
  struct stat st;
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
}

TEST_F(LogFileTest, LevelsBelowTheThresholdAreDropped) {
  Logger log;
  ASSERT_TRUE(log.OpenFile(path_).ok());
  log.SetLevel(LogLevel::kWarning);
  log.Debug("t", "d");
  log.Info("t", "i");
  log.Warning("t", "w");
  log.Error("t", "e");
  std::vector<std::string> lines = Lines(path_);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_STREQ(ParseLine(lines[0])["level"].GetString(), "warning");
  EXPECT_STREQ(ParseLine(lines[1])["level"].GetString(), "error");
}

TEST_F(LogFileTest, ReopenAfterRenameWritesToTheNewFile) {
  Logger log;
  ASSERT_TRUE(log.OpenFile(path_).ok());
  log.Info("t", "before");
  ASSERT_EQ(rename(path_.c_str(), (path_ + ".1").c_str()), 0);
  log.Info("t", "still old");
  ASSERT_TRUE(log.Reopen().ok());
  log.Info("t", "after");
  ASSERT_EQ(Lines(path_ + ".1").size(), 2u);
  std::vector<std::string> fresh = Lines(path_);
  ASSERT_EQ(fresh.size(), 1u);
  EXPECT_STREQ(ParseLine(fresh[0])["message"].GetString(), "after");
}

TEST_F(LogFileTest, OpenFailureNamesThePathAndKeepsOutput) {
  Logger log;
  Status s = log.OpenFile(dir_ + "/missing/dir/x.log");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("missing/dir/x.log"), std::string::npos);
  EXPECT_EQ(log.path(), "");
}

TEST_F(LogFileTest, ConcurrentWritersProduceWholeLines) {
  Logger log;
  ASSERT_TRUE(log.OpenFile(path_).ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&log, t] {
      for (int i = 0; i < 200; ++i)
        log.Info("t", "event", {{"t", t}, {"i", i}});
    });
  }
  for (auto& th : threads) th.join();
  std::vector<std::string> lines = Lines(path_);
  ASSERT_EQ(lines.size(), 800u);
  for (const std::string& l : lines) ParseLine(l);
}

TEST(LogFormat, EscapesControlCharactersAndInvalidUtf8) {
  std::string out;
  // 15 bytes: the literal's own NUL is included and must be escaped.
  AppendJsonString(std::string("a\"b\\c\n\t\x01 \xC3\xA9 \xFF\xC3", 15), &out);
  EXPECT_EQ(
      out,
      "\"a\\\"b\\\\c\\n\\t\\u0001 \xC3\xA9 \xEF\xBF\xBD\xEF\xBF\xBD\\u0000\"");
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(out.c_str());
  EXPECT_FALSE(doc.HasParseError());
}

TEST(LogFormat, Rfc3339Milliseconds) {
  EXPECT_EQ(Rfc3339Millis(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(Rfc3339Millis(1737887400123), "2025-01-26T10:30:00.123Z");
}

TEST_F(LogFileTest, JournalStreamMatchesOnlyTheSameFile) {
  std::FILE* f = std::fopen(path_.c_str(), "w");
  ASSERT_NE(f, nullptr);
  struct stat st;
  ASSERT_EQ(fstat(fileno(f), &st), 0);
  std::string match =
      std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  EXPECT_TRUE(IsJournalStream(match, fileno(f)));
  EXPECT_FALSE(IsJournalStream(
      std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino + 1),
      fileno(f)));
  EXPECT_FALSE(IsJournalStream("garbage", fileno(f)));
  EXPECT_FALSE(IsJournalStream("", fileno(f)));
  std::fclose(f);
}

TEST(LogJournal, PrefixesPriorityAndOmitsTimestampOnStderr) {
  int pipefd[2];
  ASSERT_EQ(pipe(pipefd), 0);
  int saved = dup(2);
  ASSERT_EQ(dup2(pipefd[1], 2), 2);
  {
    Logger log;
    log.SetJournalMode(true);
    log.Error("main", "bind failed");
    log.SetJournalMode(false);
    log.Warning("main", "plain");
  }
  dup2(saved, 2);
  close(saved);
  close(pipefd[1]);
  std::string text;
  char buf[1024];
  for (ssize_t n; (n = read(pipefd[0], buf, sizeof buf)) > 0;)
    text.append(buf, n);
  close(pipefd[0]);
  std::istringstream in(text);
  std::string journal_line, plain_line;
  std::getline(in, journal_line);
  std::getline(in, plain_line);
  ASSERT_EQ(journal_line.substr(0, 3), "<3>");
  rapidjson::Document j = ParseLine(journal_line.substr(3));
  EXPECT_FALSE(j.HasMember("timestamp"));
  EXPECT_STREQ(j["message"].GetString(), "bind failed");
  rapidjson::Document p = ParseLine(plain_line);
  EXPECT_TRUE(p.HasMember("timestamp"));
}

}  // namespace
}  // namespace goxel::ops
