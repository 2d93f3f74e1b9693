#include "sim_client.h"

#include <cstdlib>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

namespace agentboot::sim::testing {

Reply Send(const std::string& method, const std::string& url, const Headers& headers,
           const std::string& body, const std::string& ca_file) {
  const Poco::URI uri(url);
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  if (uri.getScheme() == "https") {
    Poco::Net::Context::Ptr tls =
        new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", ca_file,
                               Poco::Net::Context::VERIFY_RELAXED, 9, false);
    session = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), tls);
  } else {
    session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
  }
  session->setTimeout(Poco::Timespan(20, 0));
  Poco::Net::HTTPRequest request(method, uri.getPathAndQuery(), Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [name, value] : headers) request.add(name, value);
  if (!body.empty() || method == "POST") {
    request.setContentLength64(static_cast<Poco::Int64>(body.size()));
  }
  session->sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::istream& in = session->receiveResponse(response);
  Reply reply;
  reply.status = static_cast<int>(response.getStatus());
  for (const auto& [name, value] : response) reply.headers[ToLower(name)] = value;
  Poco::StreamCopier::copyToString(in, reply.body);
  return reply;
}

Simulator& SharedSimulator() {
  static std::unique_ptr<Simulator> simulator = [] {
    SimConfig config;
    config.quiet = true;
    auto started = Simulator::Start(config);
    if (!started) {
      std::fprintf(stderr, "simulator did not start: %s\n", started.error().ToString().c_str());
      std::abort();
    }
    return std::move(*started);
  }();
  return *simulator;
}

std::string Env(const std::string& key) { return SharedSimulator().EnvVars().at(key); }

}  // namespace agentboot::sim::testing
