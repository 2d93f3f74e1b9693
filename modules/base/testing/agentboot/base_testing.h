// Fakes for the base seams. Test builds only (target agentboot::base_testing).
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
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

// In-memory files. Directories exist implicitly (any file below them), or explicitly once made
// (CreateDirectories, MakeTempDirectory, PutDirectory). Fault injection: FailWrites(path prefix).
// Symlinks (PutSymlink) are followed by ReadFile and Stat, like the real thing, and refused by
// the no-follow operations (Lstat reports them, RemoveTree unlinks them and never touches their
// target, ChownDirectoryNoFollow and Lock refuse them); a FIFO (PutFifo) reads as empty through
// ReadFile (where the real one would block) and is refused by ReadRegularFile. Locks follow
// flock(2): every Lock call is its own open file, so two locks on one file conflict as two
// processes' would; a request that would have to wait fails with kDeadlineExceeded instead (the
// fake never blocks). Files nobody gave an owner belong to `self` (SetSelf; uid 0 by default).
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
  Result<EntryInfo> Lstat(const std::string& path) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status ReplaceSymlink(const std::string& link, const std::string& target) override;
  Status RemoveTree(const std::string& path) override;
  Result<std::string> MakeTempDirectory(const std::string& prefix) override;
  Status ChownDirectoryNoFollow(const std::string& path, FileOwner owner,
                                std::optional<uint32_t> mode) override;
  Result<std::unique_ptr<FileLock>> Lock(const std::string& path,
                                         const LockRequest& request) override;
  Result<LockProbe> ProbeLock(const std::string& path, bool private_to_self) override;

  void PutDirectory(const std::string& path, uint32_t mode = 0755);
  void SetSelf(FileOwner self);
  void Put(const std::string& path, std::string content, uint32_t mode = 0644);
  void PutSymlink(const std::string& path, const std::string& target);
  void PutFifo(const std::string& path);
  uint32_t ModeOf(const std::string& path) const;
  // The owner a file was given (WriteFileAtomicOwned, ChownNoFollow); nullopt when never set.
  std::optional<FileOwner> OwnerOf(const std::string& path) const;
  int reads_of(const std::string& path) const;
  void FailWritesUnder(const std::string& prefix) { fail_prefix_ = prefix; }

 private:
  enum class Kind { kRegular, kSymlink, kFifo, kDirectory };
  struct File {
    std::string content;  // a symlink's target
    uint32_t mode = 0644;
    Kind kind = Kind::kRegular;
    std::optional<FileOwner> owner;
    uint64_t inode = 0;
  };
  struct LockHolders {
    int exclusive = 0;
    int shared = 0;
  };
  class MemLock;
  // The entry `path` names after following symlinks (at most 8); files_.end() when none.
  std::map<std::string, File>::iterator Follow(const std::string& path);
  // The entry `path` names itself, an implicit directory made explicit; files_.end() when none.
  std::map<std::string, File>::iterator Entry(const std::string& path);
  Result<std::map<std::string, File>::iterator> OpenLockFile(const std::string& path, bool create,
                                                             uint32_t mode, bool private_to_self);
  void Unlock(const std::string& path, bool exclusive);
  mutable std::mutex mu_;
  std::map<std::string, File> files_;
  std::map<std::string, LockHolders> locks_;
  FileOwner self_;
  uint64_t next_id_ = 1;
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
