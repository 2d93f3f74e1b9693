// agentboot::base — error values and the seams through which every module reaches the OS.
//
// Nothing in agentboot touches time, files, environment variables, randomness or child processes
// except through the interfaces below. Production code uses Env::Default(); tests use the fakes in
// modules/base/testing. Seams are passed by reference and must outlive their users. Unless stated
// otherwise, every seam is safe for concurrent use.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

#include "agentboot/thread_annotations.h"

namespace agentboot {

// ---------------------------------------------------------------------------------------------
// Errors are values. No exception crosses a public header.

enum class ErrorCode {
  kInvalidArgument,   // bad input or configuration: fix the command line or the environment
  kNotFound,          // a named thing (pool, agent, file) does not exist
  kAlreadyExists,     // e.g. an agent with that name exists and --replace was not given
  kUnauthenticated,   // the credential was refused (401, 203 sign-in page, AADSTS)
  kPermissionDenied,  // authenticated, but not allowed (403)
  kThrottled,         // 429 / rate limited
  kUnavailable,       // the endpoint or identity source is not there or not answering
  kDeadlineExceeded,  // a time limit passed
  kInternal,          // a bug or an unexpected answer
};

std::string_view ErrorCodeName(ErrorCode code) noexcept;

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string context;  // what was being done: "GET …/connectionData", "read /path"
  std::string detail;   // what went wrong, for logs (never a secret)
  std::string advice;   // one actionable sentence for the user; may be empty
  bool retryable = false;
  std::optional<std::chrono::milliseconds> retry_after;  // from the server, when it said so
  int http_status = 0;                                   // 0 when not an HTTP answer

  // "context: detail" and, when present, " — advice".
  std::string ToString() const;
};

Error MakeError(ErrorCode code, std::string context, std::string detail, std::string advice = {});

template <typename T>
using Result = tl::expected<T, Error>;
using Status = tl::expected<void, Error>;

inline tl::unexpected<Error> Fail(ErrorCode code, std::string context, std::string detail,
                                  std::string advice = {}) {
  return tl::unexpected<Error>(
      MakeError(code, std::move(context), std::move(detail), std::move(advice)));
}
inline tl::unexpected<Error> Fail(Error error) { return tl::unexpected<Error>(std::move(error)); }

// ---------------------------------------------------------------------------------------------
// Secret: a string that never prints. Reveal() is the one place a token or key leaves it; grep
// for it in review.

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  Secret(const Secret& other) : value_(other.value_) {}
  Secret(Secret&& other) noexcept : value_(std::move(other.value_)) { other.Wipe(); }
  Secret& operator=(const Secret& other) {
    if (this != &other) {
      Wipe();
      value_ = other.value_;
    }
    return *this;
  }
  Secret& operator=(Secret&& other) noexcept {
    if (this != &other) {
      Wipe();
      value_ = std::move(other.value_);
      other.Wipe();
    }
    return *this;
  }
  ~Secret() { Wipe(); }  // the bytes are zeroed before the memory is given back
  const std::string& Reveal() const noexcept { return value_; }
  bool empty() const noexcept { return value_.empty(); }
  friend std::ostream& operator<<(std::ostream& out, const Secret&) { return out << "***"; }
  friend bool operator==(const Secret& a, const Secret& b) { return a.value_ == b.value_; }

 private:
  void Wipe() noexcept;  // zeroes the whole buffer (explicit_bzero), then empties it
  std::string value_;
};

// ---------------------------------------------------------------------------------------------
// Clock: wall time (token expiry is absolute UTC) and waiting. FakeClock's SleepFor advances
// virtual time and returns at once.

using TimePoint = std::chrono::system_clock::time_point;
using Duration = std::chrono::milliseconds;

class Clock {
 public:
  Clock() = default;
  Clock(const Clock&) = delete;
  Clock& operator=(const Clock&) = delete;
  virtual ~Clock() = default;
  virtual TimePoint Now() = 0;
  virtual void SleepFor(Duration duration) = 0;
};

int64_t ToUnixSeconds(TimePoint t) noexcept;
// Saturates at the TimePoint range (about 1678 to 2262) instead of overflowing.
TimePoint FromUnixSeconds(int64_t seconds) noexcept;
std::string FormatUtc(TimePoint t);  // "2026-11-29T12:00:00Z"

// ---------------------------------------------------------------------------------------------
// Random: uniform numbers for jitter. Production is seeded from the OS; tests seed it.

class Random {
 public:
  Random() = default;
  Random(const Random&) = delete;
  Random& operator=(const Random&) = delete;
  virtual ~Random() = default;
  virtual double Uniform(double low, double high) = 0;  // in [low, high]
};

// ---------------------------------------------------------------------------------------------
// Environment: a read-only view of environment variables, captured once at start in production
// (getenv is not safe in a threaded daemon).

class Environment {
 public:
  Environment() = default;
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;
  virtual ~Environment() = default;
  // The value, or nullopt when unset. An empty value is returned as "".
  virtual std::optional<std::string> Get(std::string_view name) const = 0;
  // All variables, for building a scrubbed child environment.
  virtual std::map<std::string, std::string> All() const = 0;
  // Non-empty value or nullopt.
  std::optional<std::string> GetNonEmpty(std::string_view name) const;
};

// ---------------------------------------------------------------------------------------------
// FileSystem: what agentboot does with files. Errors carry the path and errno text.

struct FileInfo {
  uint64_t size = 0;
  uint32_t mode = 0;  // permission bits
  bool is_directory = false;
};

// Who a file is given to (WriteFileAtomicOwned, ChownNoFollow).
struct FileOwner {
  uint32_t uid = 0;
  uint32_t gid = 0;
};

class FileSystem {
 public:
  FileSystem() = default;
  FileSystem(const FileSystem&) = delete;
  FileSystem& operator=(const FileSystem&) = delete;
  virtual ~FileSystem() = default;
  // Whole file. kNotFound when absent.
  [[nodiscard]] virtual Result<std::string> ReadFile(const std::string& path) = 0;
  [[nodiscard]] virtual Result<FileInfo> Stat(const std::string& path) = 0;
  // Writes a temp file beside `path`, fsyncs it, sets `mode`, renames it over `path` and fsyncs
  // the directory: readers see the old or the new content, never a mix.
  [[nodiscard]] virtual Status WriteFileAtomic(const std::string& path, std::string_view content,
                                               uint32_t mode) = 0;
  // WriteFileAtomic whose temp file gets `owner` (fchown) and `mode` (fchmod) on its descriptor
  // before the rename: `path` never names the file with another owner or mode, and nothing is
  // changed by path afterwards.
  [[nodiscard]] virtual Status WriteFileAtomicOwned(const std::string& path,
                                                    std::string_view content, uint32_t mode,
                                                    FileOwner owner) = 0;
  // Gives the regular file `name` in directory `dir` to `owner` (and sets `mode` when given)
  // through descriptors: `dir` opened O_DIRECTORY|O_NOFOLLOW, `name` opened relative to it with
  // O_NOFOLLOW, fstat, then fchown/fchmod. A symlink or anything but a regular file is refused
  // (kInvalidArgument) and left as it is, and so is its target; kNotFound when absent.
  [[nodiscard]] virtual Status ChownNoFollow(const std::string& dir, const std::string& name,
                                             FileOwner owner, std::optional<uint32_t> mode) = 0;
  // Reads a regular file of at most `max_size` bytes without following a final symlink and
  // without blocking on a FIFO or a device (O_NOFOLLOW|O_NONBLOCK, fstat on the descriptor).
  // kInvalidArgument for a symlink, a non-regular file or a larger file; kNotFound when absent.
  [[nodiscard]] virtual Result<std::string> ReadRegularFile(const std::string& path,
                                                            uint64_t max_size) = 0;
  // Removing a missing file succeeds.
  [[nodiscard]] virtual Status Remove(const std::string& path) = 0;
  [[nodiscard]] virtual Status CreateDirectories(const std::string& path, uint32_t mode) = 0;
  // Names (not paths) of the entries of a directory.
  [[nodiscard]] virtual Result<std::vector<std::string>> ListDirectory(const std::string& path) = 0;
  bool Exists(const std::string& path) { return Stat(path).has_value(); }
};

// ---------------------------------------------------------------------------------------------
// Logger: structured events. Modules log through this; the executable chooses text or JSON lines.
// Never pass a token or key: fields are printed as given.

enum class LogLevel { kDebug, kInfo, kWarning, kError };

struct LogField {
  std::string key;
  std::string value;
};

class Logger {
 public:
  Logger() = default;
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;
  virtual ~Logger() = default;
  // `source` names the module ("identity", "devops", "listener"); `message` is one human sentence.
  virtual void Log(LogLevel level, std::string_view source, std::string_view message,
                   const std::vector<LogField>& fields = {}) = 0;
};

// ---------------------------------------------------------------------------------------------
// ProcessRunner: run a short-lived command and capture its output (az CLI, --version probes).
// The supervisor's long-lived child launcher is a separate seam in its own module.

struct ProcessSpec {
  std::vector<std::string> argv;           // argv[0] is looked up on PATH when it has no '/'
  std::map<std::string, std::string> env;  // the child's whole environment
  Duration timeout{std::chrono::seconds(30)};
  std::string working_directory;  // empty: inherit
};

struct ProcessOutput {
  int exit_code = -1;      // exit status, or 128+signal when killed
  bool timed_out = false;  // killed because the timeout passed
  std::string stdout_text;
  std::string stderr_text;
};

class ProcessRunner {
 public:
  ProcessRunner() = default;
  ProcessRunner(const ProcessRunner&) = delete;
  ProcessRunner& operator=(const ProcessRunner&) = delete;
  virtual ~ProcessRunner() = default;
  // kNotFound when the program cannot be executed (exec failure is reported synchronously).
  [[nodiscard]] virtual Result<ProcessOutput> Run(const ProcessSpec& spec) = 0;
};

// ---------------------------------------------------------------------------------------------
// Env: the bundle of seams. Default() is the real OS, owned by base and never deleted.

struct Env {
  Clock& clock;
  FileSystem& fs;
  Environment& vars;
  Logger& log;
  Random& random;
  ProcessRunner& processes;

  static Env& Default();
};

// Real implementations, for composing a custom Env in the executable.
Clock& SystemClock();
FileSystem& PosixFileSystem();
Environment& ProcessEnvironment();  // snapshot of environ taken on first call
Random& SystemRandom();
ProcessRunner& PosixProcessRunner();
Logger& NullLogger();

// ---------------------------------------------------------------------------------------------
// StopToken: a stop asked for before the listener runs (security review M8). `run` blocks
// SIGINT/SIGTERM/SIGHUP from the start so supervision can read them from a signalfd later; while
// the token is armed, a pending stop signal is seen (sigpending, nothing consumed) by the retry
// sleeps, identity requests and package downloads, which then give up at once. Disarmed (the
// default, and in every other command) it never asks to stop. Thread-safe.
class StopToken {
 public:
  // The signal asking to stop, if any; called often, so it must be cheap.
  using Probe = std::function<std::optional<int>()>;
  void Arm(Probe probe);
  void Disarm();  // forgets the probe and any stop seen
  bool armed();
  // The stop signal once one was seen while armed (sticky until Disarm), else nullopt.
  std::optional<int> Requested();

 private:
  Mutex mu_;
  Probe probe_ GUARDED_BY(mu_);
  std::optional<int> seen_ GUARDED_BY(mu_);
};

StopToken& ProcessStopToken();  // the one `run` arms; never deleted
// SIGINT, SIGTERM or SIGHUP pending on this process or thread (blocked, not yet read).
std::optional<int> PendingStopSignal();
// clock.SleepFor(duration), in slices of at most 100 ms while `token` is armed; false as soon as
// it asks to stop (then the caller gives up instead of trying again).
bool SleepUnlessStopped(Clock& clock, Duration duration, StopToken& token = ProcessStopToken());
// The error a step returns when it gave up because of a stop: kUnavailable, not retryable.
Error StoppedError(const std::string& context, int signal);

// Trust checks on the real file system (not the seam: they are about owners, which only the OS
// knows). Root never follows, trusts or writes through anything another user can change.

struct DirectoryTrust {
  // Besides root and agentboot's own user, who may own the directory itself (never a parent):
  // the --run-as user of an agent directory that an older release handed over.
  std::optional<uint32_t> also_owner;
  // The directory itself may belong to anyone (still not group/other-writable; parents as
  // always): for commands that run nothing from it and check each file they trust.
  bool any_owner = false;
};

// Like sshd's StrictModes: `path` and every directory above it (both as written and with its
// symlinks resolved) must be owned by root or agentboot's own user and not be writable by group
// or others. A parent that is sticky and root-owned (/tmp) is accepted: others cannot rename or
// remove what agentboot keeps there. A `path` that does not exist yet is judged by its existing
// ancestors. kInvalidArgument naming the directory, with advice.
[[nodiscard]] Status CheckTrustedDirectory(const std::string& path, const DirectoryTrust& trust);

// The content of `path`, read only if it is a file agentboot may trust: opened O_NOFOLLOW (a
// symlink is refused), then fstat on the descriptor: a regular file of at most `max_size` bytes,
// owned by root or agentboot's own user and not writable by group or others. kNotFound when
// absent; kInvalidArgument (with advice) otherwise.
[[nodiscard]] Result<std::string> ReadTrustedFile(const std::string& path, uint64_t max_size);

// No core files and no ptrace/proc access to this process by other users: PR_SET_DUMPABLE 0 and a
// soft RLIMIT_CORE of 0 (the hard limit is kept, so children may raise theirs). Call first thing
// in main; kInternal if the kernel refused.
[[nodiscard]] Status DisableCoreDumps();

// ---------------------------------------------------------------------------------------------
// Small helpers shared by every module.

std::string Trim(std::string_view text);
std::vector<std::string> Split(std::string_view text, char separator);
bool StartsWith(std::string_view text, std::string_view prefix) noexcept;
bool EndsWith(std::string_view text, std::string_view suffix) noexcept;
std::string ToLower(std::string_view text);
bool EqualsIgnoreCase(std::string_view a, std::string_view b) noexcept;
std::string UrlEncode(std::string_view text);  // RFC 3986 unreserved characters kept
std::string UrlDecode(std::string_view text);  // '+' becomes a space
std::optional<int64_t> ParseInt64(std::string_view text) noexcept;
std::optional<double> ParseDouble(std::string_view text) noexcept;
std::string NewGuid(Random& random);  // lower-case D format
// "" when `text` is valid UTF-8 without control characters (C0, DEL, C1); otherwise what is
// wrong and where, e.g. "byte 4 is a control character (0x0a, a line break)". Never echoes the
// text itself.
std::string TextProblem(std::string_view text);
// Joins a base URL and a path with exactly one '/' between them.
std::string JoinUrl(std::string_view base, std::string_view path);

}  // namespace agentboot
