#include "admin_fixture.h"

namespace agentboot::admin_test {

int64_t AdminFixture::AddAgent(const Shape& shape) const {
  const auto added = Control("POST", "/devops/agents",
                             {{"pool", shape.pool},
                              {"name", shape.name},
                              {"status", shape.status},
                              {"offline_for_seconds", shape.offline_for_seconds},
                              {"owned", shape.owned},
                              {"placeholder", shape.placeholder}});
  EXPECT_TRUE(added.contains("id")) << added.dump();
  return added.value("id", int64_t{0});
}

void AdminFixture::AssignJob(int64_t agent_id, int64_t pool) const {
  const auto job = Control("POST", "/devops/jobrequests", {{"pool", pool}, {"agent_id", agent_id}});
  EXPECT_TRUE(job.contains("requestId")) << job.dump();
}

int AdminFixture::Occurrences(const std::string& text, const std::string& needle) {
  int count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

}  // namespace agentboot::admin_test
