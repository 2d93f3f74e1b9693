// agentboot::base — The ProcessRunner seam: short-lived commands. Included through
// agentboot/base.h.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "agentboot/base/clock.h"
#include "agentboot/base/error.h"

namespace agentboot {

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

}  // namespace agentboot
