#include "https_fetch.h"

#include <sstream>

#include <Poco/Crypto/X509Certificate.h>
#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

namespace agentboot::sim::detail {

Result<nlohmann::json> FetchJson(const std::string& url, const std::string& ca_file,
                                 const std::string& extra_ca_file) {
  const std::string context = "GET " + url;
  try {
    const Poco::URI uri(url);
    if (uri.getScheme() != "https") {
      return Fail(ErrorCode::kInvalidArgument, context, "only https URLs are fetched");
    }
    Poco::Net::Context::Ptr tls =
        new Poco::Net::Context(Poco::Net::Context::CLIENT_USE, "", "", ca_file,
                               Poco::Net::Context::VERIFY_RELAXED, 9, false);
    if (!extra_ca_file.empty()) {
      for (const auto& cert : Poco::Crypto::X509Certificate::readPEM(extra_ca_file)) {
        tls->addCertificateAuthority(cert);
      }
    }
    Poco::Net::HTTPSClientSession session(uri.getHost(), uri.getPort(), tls);
    session.setTimeout(Poco::Timespan(5, 0));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, uri.getPathAndQuery(),
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("Accept", "application/json");
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    std::string body;
    Poco::StreamCopier::copyToString(in, body);
    if (response.getStatus() != Poco::Net::HTTPResponse::HTTP_OK) {
      return Fail(ErrorCode::kUnavailable, context,
                  "status " + std::to_string(static_cast<int>(response.getStatus())));
    }
    auto json = nlohmann::json::parse(body, nullptr, false);
    if (json.is_discarded() || !json.is_object()) {
      return Fail(ErrorCode::kInvalidArgument, context, "body is not a JSON object");
    }
    return json;
  } catch (const Poco::Exception& e) {
    return Fail(ErrorCode::kUnavailable, context, e.displayText());
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kUnavailable, context, e.what());
  }
}

}  // namespace agentboot::sim::detail
