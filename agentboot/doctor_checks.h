// The checks of `agentboot doctor` that observe this host and the organization; each returns a
// doctor::Check (the judgements themselves are in modules/doctor).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agentboot/devops.h"
#include "agentboot/doctor.h"

#include "app.h"

namespace agentboot::cli {

struct DoctorFlags {
  std::string url;
  std::string pool = "Default";
  std::string agent_dir = ".";
  std::string cache_dir;
  std::string run_as;
  std::string output = "table";
};

// Local: the token file, proxy and CA settings, directories, disk space, the --run-as user.
doctor::Check CheckWorkloadFile(App& app);
doctor::Check CheckProxyAndCa(App& app);
doctor::Check CheckAgentDirectory(App& app, const DoctorFlags& flags);
doctor::Check CheckPackageCache(App& app, const DoctorFlags& flags);
doctor::Check CheckDiskSpace(App& app, const DoctorFlags& flags);
doctor::Check CheckRunAsUser(App& app, const DoctorFlags& flags);

// Against Azure DevOps (`client` uses app's token source).
doctor::Check CheckOrganization(devops::Client& client);
doctor::Check CheckClock(App& app, const std::string& url);
doctor::Check CheckPool(devops::Client& client, const std::string& pool);
doctor::Check CheckAgentOnServer(App& app, devops::Client& client, const DoctorFlags& flags);

// A check that could not run because an earlier one failed.
doctor::Check Skipped(std::string name, std::string why);

}  // namespace agentboot::cli
