#include "sim_fixture.h"

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

namespace agentboot::simdevops_test {

std::string Answer::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return {};
}

nlohmann::json Answer::Json() const { return nlohmann::json::parse(body, nullptr, false); }

void SimFixture::SetUp() {
  std::string pattern = (std::filesystem::temp_directory_path() / "simdevops-XXXXXX").string();
  ASSERT_NE(mkdtemp(pattern.data()), nullptr);
  temp_dir_ = pattern;
  sim::SimConfig config;
  config.state_dir = temp_dir_ + "/state";
  config.state_file = temp_dir_ + "/devops.json";
  config.quiet = true;
  Result<std::unique_ptr<sim::Simulator>> started = sim::Simulator::Start(config);
  ASSERT_TRUE(started) << started.error().ToString();
  sim_ = std::move(*started);
}

void SimFixture::TearDown() {
  if (sim_) sim_->Stop();
  sim_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(temp_dir_, ignored);
}

Answer SimFixture::Send(const std::string& method, const std::string& url, Headers headers,
                        const std::string& body) const {
  Poco::URI uri(url);
  Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
  session.setTimeout(Poco::Timespan(30, 0));
  Poco::Net::HTTPRequest request(method, uri.getPathAndQuery(), Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [key, value] : headers) request.add(key, value);
  request.setContentLength(static_cast<std::streamsize>(body.size()));
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  Answer answer;
  answer.status = static_cast<int>(response.getStatus());
  for (const auto& [key, value] : response) answer.headers.emplace_back(key, value);
  std::ostringstream text;
  Poco::StreamCopier::copyStream(in, text);
  answer.body = text.str();
  return answer;
}

Answer SimFixture::Control(const std::string& method, const std::string& path,
                           const nlohmann::json& body) const {
  return Send(method, Base() + path, {{"Content-Type", "application/json"}},
              body.is_null() ? "" : body.dump());
}

std::string SimFixture::ImdsToken(const std::string& client_id) const {
  std::string url = Base() + "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=" +
                    std::string(kDevOps);
  if (!client_id.empty()) url += "&client_id=" + client_id;
  Answer answer = Send("GET", url, {{"Metadata", "true"}});
  EXPECT_EQ(answer.status, 200) << answer.body;
  return answer.Json().value("access_token", "");
}

std::string SimFixture::OidOf(const std::string& kind) const {
  Answer answer = Control("GET", "/_control/identities");
  const nlohmann::json identities = answer.Json()["identities"];
  for (const auto& identity : identities) {
    if (identity["kind"] == kind) return identity["object_id"].get<std::string>();
  }
  ADD_FAILURE() << "no identity of kind " << kind << ": " << answer.status << " " << answer.body;
  return {};
}

Answer SimFixture::Api(const std::string& method, const std::string& path, const std::string& token,
                       const nlohmann::json& body) const {
  Headers headers = {{"Accept", "application/json; api-version=6.0-preview.2"},
                     {"X-TFS-FedAuthRedirect", "Suppress"}};
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  if (!body.is_null()) {
    headers.emplace_back("Content-Type", "application/json; charset=utf-8; api-version=6.0");
  }
  return Send(method, Org() + path, headers, body.is_null() ? "" : body.dump());
}

nlohmann::json SimFixture::PublicKeyJson(const jose::RsaKey& key) {
  jose::RsaComponents c = key.Components();
  return {{"exponent", jose::Base64Encode(c.e)}, {"modulus", jose::Base64Encode(c.n)}};
}

const jose::RsaKey& SimFixture::KeyA() {
  static const jose::RsaKey key = jose::RsaKey::Generate(2048).value();
  return key;
}

const jose::RsaKey& SimFixture::KeyB() {
  static const jose::RsaKey key = jose::RsaKey::Generate(2048).value();
  return key;
}

nlohmann::json SimFixture::RegisterAgent(const std::string& token, const std::string& name,
                                         const jose::RsaKey& key) const {
  nlohmann::json body = {{"name", name},
                         {"version", "4.260.0"},
                         {"osDescription", "Linux"},
                         {"maxParallelism", 1},
                         {"provisioningState", "Provisioned"},
                         {"authorization", {{"publicKey", PublicKeyJson(key)}}},
                         {"systemCapabilities", {{"Agent.Name", name}}}};
  Answer answer = Api("POST", "/_apis/distributedtask/pools/1/agents", token, body);
  EXPECT_EQ(answer.status, 200) << answer.body;
  return answer.Json();
}

}  // namespace agentboot::simdevops_test
