#include "listener_http.h"

#include <memory>
#include <sstream>

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

namespace agentboot::fake_agent {

std::string HttpAnswer::Header(std::string_view name) const {
  std::string joined;
  for (const auto& [key, value] : headers) {
    if (!EqualsIgnoreCase(key, name)) continue;
    if (!joined.empty()) joined += ", ";
    joined += value;
  }
  return joined;
}

Result<HttpAnswer> Send(const std::string& method, const std::string& url,
                        const std::vector<std::pair<std::string, std::string>>& headers,
                        const std::string& body, const std::string& ca_file) {
  try {
    Poco::URI uri(url);
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    if (uri.getScheme() == "https") {
      Poco::Net::Context::Ptr context =
          new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", ca_file,
                                 Poco::Net::Context::VERIFY_RELAXED, 9, ca_file.empty());
      session =
          std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), context);
    } else {
      session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
    }
    session->setTimeout(Poco::Timespan(100, 0));  // VSTS_HTTP_TIMEOUT's default
    Poco::Net::HTTPRequest request(method, uri.getPathAndQuery(), Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [key, value] : headers) request.add(key, value);
    if (!body.empty() || method == "POST")
      request.setContentLength(static_cast<std::streamsize>(body.size()));
    session->sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    std::istream& in = session->receiveResponse(response);
    HttpAnswer answer;
    answer.status = static_cast<int>(response.getStatus());
    for (const auto& [key, value] : response) answer.headers.emplace_back(key, value);
    std::ostringstream text;
    Poco::StreamCopier::copyStream(in, text);
    answer.body = text.str();
    return answer;
  } catch (const Poco::Exception& e) {
    return Fail(ErrorCode::kUnavailable, method + " " + url,
                "System.Net.Http.HttpRequestException: " + e.displayText());
  }
}

}  // namespace agentboot::fake_agent
