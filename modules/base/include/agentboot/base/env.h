// agentboot::base — Env: the bundle of seams, and the real implementations. Included through
// agentboot/base.h.
#pragma once

#include "agentboot/base/clock.h"
#include "agentboot/base/environment.h"
#include "agentboot/base/files.h"
#include "agentboot/base/logging.h"
#include "agentboot/base/process.h"

namespace agentboot {

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

}  // namespace agentboot
