// Fakes for the base seams. Test builds only (target agentboot::base_testing).
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "agentboot/base.h"

namespace agentboot::testing {

// Virtual time. SleepFor advances it and records the sleep; nothing ever blocks.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start = FromUnixSeconds(1'800'000'000)) : now_(start) {}
  TimePoint Now() override;
  void SleepFor(Duration duration) override;
  void Advance(Duration duration);
  void Set(TimePoint t);
  std::vector<Duration> sleeps() const;
  // Called after every SleepFor, with the new time: lets a test change the world mid-backoff.
  void OnSleep(std::function<void(TimePoint)> hook);

 private:
  mutable std::mutex mu_;
  TimePoint now_;
  std::vector<Duration> sleeps_;
  std::function<void(TimePoint)> on_sleep_;
};

// Deterministic randomness: a seeded engine, or a fixed value when set.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(uint64_t seed = 42) : engine_(seed) {}
  double Uniform(double low, double high) override;
  // From now on Uniform returns low + fraction * (high - low).
  void Fix(double fraction) { fixed_ = fraction; }

 private:
  std::mt19937_64 engine_;
  std::optional<double> fixed_;
};

class FakeEnvironment final : public Environment {
 public:
  FakeEnvironment() = default;
  FakeEnvironment(std::initializer_list<std::pair<const std::string, std::string>> vars)
      : vars_(vars) {}
  std::optional<std::string> Get(std::string_view name) const override;
  std::map<std::string, std::string> All() const override { return vars_; }
  void Set(const std::string& name, const std::string& value) { vars_[name] = value; }
  void Unset(const std::string& name) { vars_.erase(name); }

 private:
  std::map<std::string, std::string> vars_;
};

// In-memory files. Directories exist implicitly. Fault injection: FailWrites(path prefix).
// Symlinks (PutSymlink) are followed by ReadFile and Stat, like the real thing, and refused by
// the no-follow operations; a FIFO (PutFifo) reads as empty through ReadFile (where the real one
// would block) and is refused by ReadRegularFile.
class MemFileSystem final : public FileSystem {
 public:
  Result<std::string> ReadFile(const std::string& path) override;
  Result<FileInfo> Stat(const std::string& path) override;
  Status WriteFileAtomic(const std::string& path, std::string_view content, uint32_t mode) override;
  Status WriteFileAtomicOwned(const std::string& path, std::string_view content, uint32_t mode,
                              FileOwner owner) override;
  Status ChownNoFollow(const std::string& dir, const std::string& name, FileOwner owner,
                       std::optional<uint32_t> mode) override;
  Result<std::string> ReadRegularFile(const std::string& path, uint64_t max_size) override;
  Status Remove(const std::string& path) override;
  Status CreateDirectories(const std::string& path, uint32_t mode) override;
  Result<std::vector<std::string>> ListDirectory(const std::string& path) override;

  void Put(const std::string& path, std::string content, uint32_t mode = 0644);
  void PutSymlink(const std::string& path, const std::string& target);
  void PutFifo(const std::string& path);
  uint32_t ModeOf(const std::string& path) const;
  // The owner a file was given (WriteFileAtomicOwned, ChownNoFollow); nullopt when never set.
  std::optional<FileOwner> OwnerOf(const std::string& path) const;
  int reads_of(const std::string& path) const;
  void FailWritesUnder(const std::string& prefix) { fail_prefix_ = prefix; }

 private:
  enum class Kind { kRegular, kSymlink, kFifo };
  struct File {
    std::string content;  // a symlink's target
    uint32_t mode = 0644;
    Kind kind = Kind::kRegular;
    std::optional<FileOwner> owner;
  };
  // The entry `path` names after following symlinks (at most 8); files_.end() when none.
  std::map<std::string, File>::iterator Follow(const std::string& path);
  mutable std::mutex mu_;
  std::map<std::string, File> files_;
  std::map<std::string, int> reads_;
  std::optional<std::string> fail_prefix_;
};

// Records every event; Contains() helps assertions.
class RecordingLogger final : public Logger {
 public:
  struct Entry {
    LogLevel level;
    std::string source;
    std::string message;
    std::vector<LogField> fields;
  };
  void Log(LogLevel level, std::string_view source, std::string_view message,
           const std::vector<LogField>& fields) override;
  std::vector<Entry> entries() const;
  bool Contains(std::string_view needle) const;  // in any message or field value
  std::string AllText() const;

 private:
  mutable std::mutex mu_;
  std::vector<Entry> entries_;
};

// Scripted results, consumed in order; records the specs it was given.
class FakeProcessRunner final : public ProcessRunner {
 public:
  Result<ProcessOutput> Run(const ProcessSpec& spec) override;
  void Push(Result<ProcessOutput> result) { script_.push_back(std::move(result)); }
  const std::vector<ProcessSpec>& specs() const { return specs_; }

 private:
  std::deque<Result<ProcessOutput>> script_;
  std::vector<ProcessSpec> specs_;
};

// An Env over the fakes above, owned by the test.
struct FakeEnv {
  FakeClock clock;
  MemFileSystem fs;
  FakeEnvironment vars;
  RecordingLogger log;
  SeededRandom random;
  FakeProcessRunner processes;
  Env env{clock, fs, vars, log, random, processes};
};

}  // namespace agentboot::testing
