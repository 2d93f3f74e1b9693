#include "request_journal.h"

#include <gtest/gtest.h>

namespace agentboot::sim::detail {
namespace {

LoggedRequest Entry(std::string path, std::string identity, int status) {
  LoggedRequest entry;
  entry.method = "GET";
  entry.path = std::move(path);
  entry.identity = std::move(identity);
  entry.status = status;
  return entry;
}

TEST(RequestJournal, KeepsTheNewestEntriesAndExactCounts) {
  RequestJournal journal(3);
  for (int i = 0; i < 10; ++i) journal.Record(Entry("/a/" + std::to_string(i % 2), "id", 200));
  journal.Record(Entry("/b", "", 429));
  const std::vector<LoggedRequest> kept = journal.Entries();
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_EQ(kept.front().sequence, 9);
  EXPECT_EQ(kept.back().sequence, 11);
  EXPECT_EQ(kept.back().path, "/b");
  const RequestJournal::Counts all = journal.Count();
  EXPECT_EQ(all.total, 11);
  EXPECT_EQ(all.by_path.at("/a/0"), 5);
  EXPECT_EQ(all.by_path.at("/a/1"), 5);
  EXPECT_EQ(all.by_identity.at("id"), 10);
  EXPECT_EQ(all.by_identity.count(""), 0u);
  EXPECT_EQ(all.by_status.at(429), 1);
  const RequestJournal::Counts only_a = journal.Count("/a/");
  EXPECT_EQ(only_a.total, 10);
  EXPECT_EQ(only_a.by_status.count(429), 0u);
  EXPECT_EQ(journal.last_sequence(), 11);
}

TEST(RequestJournal, ReadsFilterByPrefixSequenceAndLimit) {
  RequestJournal journal(100);
  for (int i = 0; i < 6; ++i) journal.Record(Entry(i % 2 ? "/odd" : "/even", "", 200));
  EXPECT_EQ(journal.Entries("/odd").size(), 3u);
  const std::vector<LoggedRequest> after = journal.Entries("", 4);
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[0].sequence, 5);
  const std::vector<LoggedRequest> last = journal.Entries("/even", 0, 2);
  ASSERT_EQ(last.size(), 2u);
  EXPECT_EQ(last[0].sequence, 3);
  EXPECT_EQ(last[1].sequence, 5);
}

TEST(RequestJournal, ClearEmptiesBothButSequencesGoOn) {
  RequestJournal journal(2);
  journal.Record(Entry("/x", "", 200));
  journal.Clear();
  EXPECT_TRUE(journal.Entries().empty());
  EXPECT_EQ(journal.Count().total, 0);
  journal.Record(Entry("/x", "", 200));
  EXPECT_EQ(journal.Entries().at(0).sequence, 2);
}

TEST(RequestJournal, ZeroCapacityKeepsCountsOnly) {
  RequestJournal journal(0);
  journal.Record(Entry("/x", "", 200));
  EXPECT_TRUE(journal.Entries().empty());
  EXPECT_EQ(journal.Count().total, 1);
}

}  // namespace
}  // namespace agentboot::sim::detail
