// ImdsClient: instance metadata (identity-contract §7.1) and Scheduled Events (§7.2) over a
// Transport, with IMDS's request rules: Metadata: true, never through a proxy.
#include <chrono>
#include <utility>

#include <nlohmann/json.hpp>

#include "agentboot/imds.h"

namespace agentboot::imds {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kDefaultBase = "http://169.254.169.254";
constexpr std::string_view kComputePath = "metadata/instance/compute?api-version=2021-02-01";
constexpr std::string_view kEventsPath = "metadata/scheduledevents?api-version=2020-07-01";
constexpr size_t kMaxExcerpt = 200;

std::string Context(const http::Request& request) { return request.method + " " + request.url; }

// IMDS's own words from an error body: {"error","error_description"}, {"message"}, or an excerpt.
std::string MessageOf(std::string_view body) {
  const Json json = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_object()) {
    std::string message;
    for (const char* key : {"error", "error_description", "message"}) {
      const auto it = json.find(key);
      if (it == json.end() || !it->is_string() || it->get<std::string>().empty()) continue;
      message += (message.empty() ? "" : ": ") + it->get<std::string>();
    }
    if (!message.empty()) return message;
  }
  std::string excerpt = Trim(body.substr(0, kMaxExcerpt));
  return excerpt.empty() ? "(empty body)" : excerpt;
}

Error TransportFailure(const Error& cause, std::string context) {
  const ErrorCode code = cause.code == ErrorCode::kInvalidArgument ? ErrorCode::kInvalidArgument
                                                                   : ErrorCode::kUnavailable;
  return MakeError(code, std::move(context), cause.detail,
                   "This host is not an Azure VM, or IMDS is blocked: 169.254.169.254 must be "
                   "reachable without a proxy.");
}

Error HttpFailure(const http::Response& response, std::string context) {
  const int status = response.status;
  const std::string detail = "HTTP " + std::to_string(status) + ": " + MessageOf(response.body);
  Error error;
  if (status == 400) {
    error = MakeError(ErrorCode::kInvalidArgument, std::move(context), detail,
                      "IMDS refused the request as malformed (or an EventId it does not know).");
  } else if (status == 404 || status == 410 || status == 429 || status >= 500) {
    error = MakeError(ErrorCode::kUnavailable, std::move(context), detail,
                      "IMDS is busy or being updated; try again shortly.");
  } else {
    error = MakeError(ErrorCode::kInternal, std::move(context), detail,
                      "IMDS gave an answer agentboot does not expect.");
  }
  error.http_status = status;
  return error;
}

// Sends `request`; a 2xx answer or the mapped error.
Result<http::Response> Exchange(http::Transport& transport, const http::Request& request) {
  auto response = transport.Send(request);
  if (!response) return Fail(TransportFailure(response.error(), Context(request)));
  if (response->status < 200 || response->status > 299) {
    return Fail(HttpFailure(*response, Context(request)));
  }
  return response;
}

}  // namespace

std::string ImdsBaseUrl(const Environment& env) {
  return env.GetNonEmpty("AZURE_POD_IDENTITY_AUTHORITY_HOST").value_or(std::string(kDefaultBase));
}

ImdsClient::ImdsClient(http::Transport& transport, std::string base_url)
    : transport_(transport), base_url_(std::move(base_url)) {}

http::Request ImdsClient::MakeRequest(std::string method, std::string_view path_and_query) const {
  http::Request request;
  request.method = std::move(method);
  request.url = JoinUrl(base_url_, path_and_query);
  request.headers = {{"Metadata", "true"}};
  request.bypass_proxy = true;  // IMDS rejects proxied requests (§7.1)
  request.timeout = std::chrono::seconds(5);
  request.connect_timeout = std::chrono::seconds(5);
  return request;
}

Result<Json> ImdsClient::Compute() {
  const http::Request request = MakeRequest("GET", kComputePath);
  auto response = Exchange(transport_, request);
  if (!response) return Fail(std::move(response.error()));
  Json compute = Json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  if (!compute.is_object()) {
    Error error = MakeError(ErrorCode::kInvalidArgument, Context(request),
                            "the answer is not a JSON object: " + MessageOf(response->body),
                            "IMDS gave an answer agentboot does not expect.");
    error.http_status = response->status;
    return Fail(std::move(error));
  }
  return compute;
}

Result<std::string> ImdsClient::VmName() {
  auto compute = Compute();
  if (!compute) return Fail(std::move(compute.error()));
  const auto name = compute->find("name");
  std::string value;
  if (name != compute->end() && name->is_string()) value = Trim(name->get<std::string>());
  if (value.empty()) {
    return Fail(ErrorCode::kNotFound, "IMDS compute metadata", "compute.name is missing or empty",
                "IMDS did not report the VM's name.");
  }
  return value;
}

Result<ScheduledEventsDocument> ImdsClient::GetScheduledEvents() {
  const http::Request request = MakeRequest("GET", kEventsPath);
  auto response = Exchange(transport_, request);
  if (!response) return Fail(std::move(response.error()));
  auto document = ParseScheduledEvents(response->body);
  if (!document) {
    document.error().context = Context(request);
    document.error().http_status = response->status;
  }
  return document;
}

Status ImdsClient::AcknowledgeEvents(const std::vector<std::string>& event_ids) {
  if (event_ids.empty()) return {};
  Json starts = Json::array();
  for (const std::string& id : event_ids) starts.push_back({{"EventId", id}});
  http::Request request = MakeRequest("POST", kEventsPath);
  request.headers.emplace_back("Content-Type", "application/json");
  request.body = Json{{"StartRequests", std::move(starts)}}.dump();
  auto response = Exchange(transport_, request);
  if (!response) return Fail(std::move(response.error()));
  return {};
}

}  // namespace agentboot::imds
