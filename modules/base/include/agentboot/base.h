// agentboot::base — error values and the seams through which every module reaches the OS.
//
// Nothing in agentboot touches time, files, environment variables, randomness or child processes
// except through the interfaces below. Production code uses Env::Default(); tests use the fakes in
// modules/base/testing. Seams are passed by reference and must outlive their users. Unless stated
// otherwise, every seam is safe for concurrent use.
#pragma once

#include "agentboot/base/clock.h"
#include "agentboot/base/env.h"
#include "agentboot/base/environment.h"
#include "agentboot/base/error.h"
#include "agentboot/base/files.h"
#include "agentboot/base/forwarding_file_system.h"
#include "agentboot/base/logging.h"
#include "agentboot/base/process.h"
#include "agentboot/base/secret.h"
#include "agentboot/base/stop.h"
#include "agentboot/base/strings.h"
#include "agentboot/base/trust.h"
#include "agentboot/thread_annotations.h"
