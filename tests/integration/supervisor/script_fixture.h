// A temp directory per test with executable /bin/sh scripts as the stand-in listener, and an Env
// over the real clock and file system (the loop waits on real descriptors).
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "agentboot/base.h"
#include "agentboot/base_testing.h"
#include "agentboot/supervisor.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

namespace agentboot::supervisor {

class ScriptFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "supervisor-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  // Writes `body` after a #!/bin/sh line and makes it executable; returns its path.
  std::string WriteScript(const std::string& name, const std::string& body) {
    const std::string path = Path(name);
    std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
    ::chmod(path.c_str(), 0755);
    return path;
  }

  LaunchSpec SpecFor(const std::string& script) const {
    LaunchSpec spec;
    spec.argv = {script, dir_};
    spec.env = {{"PATH", "/usr/bin:/bin"}};
    return spec;
  }

  // Fast policy: tests never wait seconds for a restart.
  static Options FastOptions(const std::string& agent_root) {
    Options options;
    options.agent_root = agent_root;
    options.policy.initial_backoff = std::chrono::milliseconds(20);
    options.policy.max_backoff = std::chrono::milliseconds(100);
    options.policy.min_restart_spacing = std::chrono::milliseconds(10);
    options.policy.kill_timeout = std::chrono::seconds(20);
    options.policy.update_timeout = std::chrono::seconds(20);
    options.update_poll_interval = std::chrono::milliseconds(50);
    return options;
  }

  Result<RunResult> RunSupervisor(const LaunchSpec& spec, Options options, Hooks hooks = {}) {
    hooks.make_launch_spec = [spec] { return Result<LaunchSpec>(spec); };
    if (!hooks.on_line) {
      hooks.on_line = [this](std::string_view line, Stream stream) {
        lines_.push_back({stream, std::string(line)});
      };
    }
    return NewSupervisor(env_, PosixChildLauncher(), std::move(options), std::move(hooks))->Run();
  }

  bool SawLine(const std::string& text) const {
    for (const auto& [stream, line] : lines_) {
      if (line == text) return true;
    }
    return false;
  }

  std::string dir_;
  std::vector<std::pair<Stream, std::string>> lines_;
  testing::FakeEnvironment vars_;
  testing::RecordingLogger log_;
  Env env_{SystemClock(), PosixFileSystem(), vars_, log_, SystemRandom(), PosixProcessRunner()};
};

}  // namespace agentboot::supervisor
