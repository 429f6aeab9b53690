#include "base/status.h"

#include <gtest/gtest.h>

namespace goxel {
namespace {

TEST(Status, DefaultIsOkAndCarriesNothing) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.message(), "");
  EXPECT_TRUE(s.details().empty());
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(Status, ErrorKeepsCodeMessageAndDetailsInOrder) {
  Status s = Status::InvalidParams("x must be an integer")
                 .With("param", std::string("x"))
                 .With("got", int64_t{3});
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidParams);
  ASSERT_EQ(s.details().size(), 2u);
  EXPECT_EQ(s.details()[0].key, "param");
  EXPECT_EQ(std::get<int64_t>(*s.Find("got")), 3);
  EXPECT_EQ(s.Find("nope"), nullptr);
  EXPECT_EQ(s.ToString(),
            "invalid params: x must be an integer (param=x, got=3)");
}

TEST(Status, WithOnACopyDoesNotChangeTheOriginal) {
  Status a = Status::ServerError("busy");
  Status b = a;
  b.With("queue_size", int64_t{8});
  EXPECT_TRUE(a.details().empty());
  EXPECT_EQ(b.details().size(), 1u);
}

TEST(Status, WithReplacesAnExistingKey) {
  Status s = Status::Internal("x").With("k", int64_t{1}).With("k", int64_t{2});
  ASSERT_EQ(s.details().size(), 1u);
  EXPECT_EQ(std::get<int64_t>(s.details()[0].value), 2);
}

TEST(Result, HoldsAValueOrAStatus) {
  Result<int> good = 7;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 7);
  Result<int> bad = Status::IoError("disk full");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kIoError);
}

Status FailsThenNeverReaches(bool* reached) {
  GOXEL_RETURN_IF_ERROR(Status::Internal("first"));
  *reached = true;
  return Status::Ok();
}

TEST(Status, ReturnIfErrorReturnsEarly) {
  bool reached = false;
  EXPECT_EQ(FailsThenNeverReaches(&reached).message(), "first");
  EXPECT_FALSE(reached);
}

}  // namespace
}  // namespace goxel
