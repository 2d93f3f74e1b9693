#include "agentboot/base_testing.h"

namespace agentboot::testing {

TimePoint FakeClock::Now() {
  std::lock_guard lock(mu_);
  return now_;
}

void FakeClock::SleepFor(Duration duration) {
  std::function<void(TimePoint)> hook;
  TimePoint now;
  {
    std::lock_guard lock(mu_);
    sleeps_.push_back(duration);
    now_ += duration;
    now = now_;
    hook = on_sleep_;
  }
  if (hook) hook(now);
}

void FakeClock::Advance(Duration duration) {
  std::lock_guard lock(mu_);
  now_ += duration;
}

void FakeClock::Set(TimePoint t) {
  std::lock_guard lock(mu_);
  now_ = t;
}

std::vector<Duration> FakeClock::sleeps() const {
  std::lock_guard lock(mu_);
  return sleeps_;
}

void FakeClock::OnSleep(std::function<void(TimePoint)> hook) {
  std::lock_guard lock(mu_);
  on_sleep_ = std::move(hook);
}

double SeededRandom::Uniform(double low, double high) {
  if (fixed_) return low + *fixed_ * (high - low);
  std::uniform_real_distribution<double> distribution(low, high);
  return distribution(engine_);
}

std::optional<std::string> FakeEnvironment::Get(std::string_view name) const {
  const auto it = vars_.find(std::string(name));
  if (it == vars_.end()) return std::nullopt;
  return it->second;
}

std::map<std::string, MemFileSystem::File>::iterator MemFileSystem::Follow(
    const std::string& path) {
  auto it = files_.find(path);
  for (int hops = 0; it != files_.end() && it->second.kind == Kind::kSymlink; ++hops) {
    if (hops == 8) return files_.end();
    it = files_.find(it->second.content);
  }
  return it;
}

Result<std::string> MemFileSystem::ReadFile(const std::string& path) {
  std::lock_guard lock(mu_);
  const auto it = Follow(path);
  if (it == files_.end())
    return Fail(ErrorCode::kNotFound, "read " + path, "No such file or directory");
  if (it->second.kind == Kind::kDirectory) {
    return Fail(ErrorCode::kInternal, "read " + path, "Is a directory");
  }
  ++reads_[path];
  if (it->second.kind == Kind::kFifo) return std::string();
  return it->second.content;
}

Result<FileInfo> MemFileSystem::Stat(const std::string& path) {
  std::lock_guard lock(mu_);
  const auto it = Follow(path);
  if (it != files_.end()) {
    const bool directory = it->second.kind == Kind::kDirectory;
    return FileInfo{directory ? 0 : it->second.content.size(), it->second.mode, directory};
  }
  const std::string prefix = path + "/";
  for (const auto& [name, file] : files_) {
    if (StartsWith(name, prefix)) return FileInfo{0, 0755, true};
  }
  return Fail(ErrorCode::kNotFound, "stat " + path, "No such file or directory");
}

Status MemFileSystem::WriteFileAtomic(const std::string& path, std::string_view content,
                                      uint32_t mode) {
  std::lock_guard lock(mu_);
  if (fail_prefix_ && StartsWith(path, *fail_prefix_)) {
    return Fail(ErrorCode::kInternal, "write " + path, "injected write failure");
  }
  files_[path] = File{std::string(content), mode, Kind::kRegular, std::nullopt, next_id_++};
  return {};
}

Status MemFileSystem::WriteFileAtomicOwned(const std::string& path, std::string_view content,
                                           uint32_t mode, FileOwner owner) {
  if (auto written = WriteFileAtomic(path, content, mode); !written) return written;
  std::lock_guard lock(mu_);
  files_[path].owner = owner;
  return {};
}

Status MemFileSystem::ChownNoFollow(const std::string& dir, const std::string& name,
                                    FileOwner owner, std::optional<uint32_t> mode) {
  std::lock_guard lock(mu_);
  const std::string path = dir + "/" + name;
  const auto it = files_.find(path);
  if (it == files_.end()) {
    return Fail(ErrorCode::kNotFound, "chown " + path, "No such file or directory");
  }
  if (it->second.kind != Kind::kRegular) {
    return Fail(ErrorCode::kInvalidArgument, "chown " + path,
                "not a regular file with one link; left as it is");
  }
  it->second.owner = owner;
  if (mode) it->second.mode = *mode;
  return {};
}

Result<std::string> MemFileSystem::ReadRegularFile(const std::string& path, uint64_t max_size) {
  std::lock_guard lock(mu_);
  const auto it = files_.find(path);
  if (it == files_.end()) {
    return Fail(ErrorCode::kNotFound, "read " + path, "No such file or directory");
  }
  if (it->second.kind == Kind::kSymlink) {
    return Fail(ErrorCode::kInvalidArgument, "read " + path, "is a symlink; not followed");
  }
  if (it->second.kind != Kind::kRegular) {
    return Fail(ErrorCode::kInvalidArgument, "read " + path, "not a regular file");
  }
  if (it->second.content.size() > max_size) {
    return Fail(ErrorCode::kInvalidArgument, "read " + path,
                "larger than " + std::to_string(max_size) + " bytes");
  }
  ++reads_[path];
  return it->second.content;
}

Status MemFileSystem::Remove(const std::string& path) {
  std::lock_guard lock(mu_);
  const auto it = files_.find(path);
  if (it != files_.end() && it->second.kind == Kind::kDirectory) {
    return Fail(ErrorCode::kInternal, "remove " + path, "Is a directory");
  }
  if (it != files_.end()) files_.erase(it);
  return {};
}

// mkdir -p: an existing entry of any kind is left as it is (EEXIST is not an error).
Status MemFileSystem::CreateDirectories(const std::string& path, uint32_t mode) {
  std::lock_guard lock(mu_);
  if (fail_prefix_ && StartsWith(path, *fail_prefix_)) {
    return Fail(ErrorCode::kInternal, "mkdir " + path, "injected write failure");
  }
  std::string partial;
  for (const auto& part : Split(path, '/')) {
    partial += part;
    if (!partial.empty() && files_.find(partial) == files_.end()) {
      files_[partial] = File{"", mode, Kind::kDirectory, std::nullopt, next_id_++};
    }
    partial += '/';
  }
  return {};
}

Result<std::vector<std::string>> MemFileSystem::ListDirectory(const std::string& path) {
  std::lock_guard lock(mu_);
  std::vector<std::string> names;
  const std::string prefix = path + "/";
  for (const auto& [name, file] : files_) {
    if (!StartsWith(name, prefix)) continue;
    const std::string rest = name.substr(prefix.size());
    const std::string first = rest.substr(0, rest.find('/'));
    if (names.empty() || names.back() != first) names.push_back(first);
  }
  return names;
}

void MemFileSystem::Put(const std::string& path, std::string content, uint32_t mode) {
  std::lock_guard lock(mu_);
  files_[path] = File{std::move(content), mode, Kind::kRegular, std::nullopt, next_id_++};
}

void MemFileSystem::PutSymlink(const std::string& path, const std::string& target) {
  std::lock_guard lock(mu_);
  files_[path] = File{target, 0777, Kind::kSymlink, std::nullopt, next_id_++};
}

void MemFileSystem::PutFifo(const std::string& path) {
  std::lock_guard lock(mu_);
  files_[path] = File{"", 0644, Kind::kFifo, std::nullopt, next_id_++};
}

std::optional<FileOwner> MemFileSystem::OwnerOf(const std::string& path) const {
  std::lock_guard lock(mu_);
  const auto it = files_.find(path);
  return it == files_.end() ? std::nullopt : it->second.owner;
}

uint32_t MemFileSystem::ModeOf(const std::string& path) const {
  std::lock_guard lock(mu_);
  const auto it = files_.find(path);
  return it == files_.end() ? 0 : it->second.mode;
}

int MemFileSystem::reads_of(const std::string& path) const {
  std::lock_guard lock(mu_);
  const auto it = reads_.find(path);
  return it == reads_.end() ? 0 : it->second;
}

void RecordingLogger::Log(LogLevel level, std::string_view source, std::string_view message,
                          const std::vector<LogField>& fields) {
  std::lock_guard lock(mu_);
  entries_.push_back(Entry{level, std::string(source), std::string(message), fields});
}

std::vector<RecordingLogger::Entry> RecordingLogger::entries() const {
  std::lock_guard lock(mu_);
  return entries_;
}

std::string RecordingLogger::AllText() const {
  std::lock_guard lock(mu_);
  std::string text;
  for (const auto& entry : entries_) {
    text += entry.source + ": " + entry.message;
    for (const auto& field : entry.fields) text += " " + field.key + "=" + field.value;
    text += "\n";
  }
  return text;
}

bool RecordingLogger::Contains(std::string_view needle) const {
  return AllText().find(needle) != std::string::npos;
}

Result<ProcessOutput> FakeProcessRunner::Run(const ProcessSpec& spec) {
  specs_.push_back(spec);
  if (script_.empty())
    return Fail(ErrorCode::kInternal, "run", "FakeProcessRunner: no scripted result");
  auto result = std::move(script_.front());
  script_.pop_front();
  return result;
}

}  // namespace agentboot::testing
