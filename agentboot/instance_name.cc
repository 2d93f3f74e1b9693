#include "instance_name.h"

#include <nlohmann/json.hpp>

namespace agentboot::cli {

std::string DefaultAgentName(App& app, const std::string& host_name) {
  if (app.tokens().Name() != "imds") return host_name;
  // Same base URL as the IMDS token source (AZURE_POD_IDENTITY_AUTHORITY_HOST overrides it).
  const std::string base = app.env()
                               .vars.GetNonEmpty("AZURE_POD_IDENTITY_AUTHORITY_HOST")
                               .value_or("http://169.254.169.254");
  http::Request request;
  request.url = JoinUrl(base, "metadata/instance/compute?api-version=2021-02-01");
  request.headers = {{"Metadata", "true"}};
  request.bypass_proxy = true;
  request.timeout = std::chrono::seconds(5);
  auto response = app.transport().Send(request);
  std::string name;
  if (response && response->status == 200) {
    const auto compute = nlohmann::json::parse(response->body, nullptr, false);
    if (compute.is_object() && compute.contains("name") && compute["name"].is_string()) {
      name = Trim(compute["name"].get<std::string>());
    }
  }
  if (name.empty()) {
    app.log().Log(LogLevel::kWarning, "register",
                  "could not read the VM's name from IMDS; using the host name",
                  {{"host", host_name}});
    return host_name;
  }
  return name;
}

}  // namespace agentboot::cli
