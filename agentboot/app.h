// Wiring shared by every command: the seams, the logger, the HTTP transport and the cached token
// source, built from the global options. Owns everything it creates.
#pragma once

#include <iostream>
#include <memory>
#include <string>

#include "agentboot/base.h"
#include "agentboot/http.h"
#include "agentboot/identity.h"
#include "agentboot/telemetry.h"

#include "test_hooks.h"

namespace agentboot::cli {

inline constexpr std::string_view kVersion = "0.1.0";

struct GlobalOptions {
  std::string identity = "auto";
  std::string client_id;
  std::string object_id;
  std::string resource_id;
  std::string ca_file;
  std::string log_format = "text";
  bool verbose = false;
  std::string arc_key_directory;  // tests and unusual Arc installs
  std::string az_path;
};

class App {
 public:
  // kInvalidArgument for a bad --identity, --log-format or selector combination.
  [[nodiscard]] static Result<std::unique_ptr<App>> Create(const GlobalOptions& options);
  App(const App&) = delete;
  App& operator=(const App&) = delete;
  ~App();

  Env& env() { return *env_; }
  Logger& log() { return *logger_; }
  http::Transport& transport() { return *counting_; }
  http::Downloader& downloader() { return *downloader_; }
  // One kept-alive connection for one background poller (Scheduled Events): Sends are serialised.
  http::Transport& polling_transport() { return *polling_; }
  identity::TokenSource& tokens() { return *cache_; }
  identity::CachedSource& cache() { return *cache_; }
  int round_trips() const { return counting_->count(); }
  const GlobalOptions& options() const { return options_; }

 private:
  App() = default;
  // The curl transports and downloader, from options_ and the process environment.
  void OpenTransports();
  // The seams (clock, files, environment, ...) and the counting transport every command uses;
  // agentboot-testhooks wraps files and transport in crash injectors first.
  void BuildEnv();
  GlobalOptions options_;
  std::unique_ptr<telemetry::StreamLogger> logger_;
  std::unique_ptr<TEST_CrashCounter> crash_counter_;
  std::unique_ptr<TEST_CrashingFileSystem> crashing_fs_;
  std::unique_ptr<TEST_CrashingTransport> crashing_transport_;
  std::unique_ptr<Env> env_;
  std::unique_ptr<http::Transport> curl_;
  std::unique_ptr<http::CountingTransport> counting_;
  std::unique_ptr<http::Downloader> downloader_;
  std::unique_ptr<http::Transport> polling_;
  std::unique_ptr<identity::TokenSource> source_;
  std::unique_ptr<identity::CachedSource> cache_;
};

}  // namespace agentboot::cli
