// HTTP/1.1 request framing of the simulator's server: a request with neither Content-Length
// nor Transfer-Encoding has an empty body (RFC 9112 §6.3). azure-devops-node-api sends its
// OPTIONS location queries that way on a kept-alive connection; reading "until close" would
// stall it for the server timeout.
#include <string>

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>
#include <Poco/URI.h>
#include <gtest/gtest.h>

#include "sim_client.h"

namespace agentboot::sim::testing {
namespace {

// Sends `head` verbatim on a fresh connection and returns what arrives before the server
// has answered one response head, or throws Poco::TimeoutException after 5 s.
std::string ExchangeRaw(const std::string& head) {
  const Poco::URI base(Env("AGENTBOOT_SIM_HTTP"));
  Poco::Net::StreamSocket socket(Poco::Net::SocketAddress(base.getHost(), base.getPort()));
  socket.setReceiveTimeout(Poco::Timespan(5, 0));
  socket.sendBytes(head.data(), static_cast<int>(head.size()));
  std::string received;
  char buffer[4096];
  while (received.find("\r\n\r\n") == std::string::npos) {
    const int n = socket.receiveBytes(buffer, sizeof buffer);
    if (n <= 0) break;
    received.append(buffer, static_cast<size_t>(n));
  }
  return received;
}

TEST(SimRequestFraming, OptionsWithoutContentLengthIsAnsweredWithoutWaitingForABody) {
  const Poco::URI org(Env("AZP_URL"));
  const std::string reply =
      ExchangeRaw("OPTIONS " + org.getPath() + "/_apis/distributedtask HTTP/1.1\r\nHost: " +
                  org.getAuthority() + "\r\nConnection: keep-alive\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 200", 0), 0u) << reply;
}

TEST(SimRequestFraming, PostWithoutContentLengthIsReadAsEmpty) {
  // Anonymous and without the redirect-suppress header: the sign-in page, sent at once.
  const Poco::URI org(Env("AZP_URL"));
  const std::string reply =
      ExchangeRaw("POST " + org.getPath() + "/_apis/distributedtask/pools/1/agents HTTP/1.1\r\n" +
                  "Host: " + org.getAuthority() + "\r\nConnection: keep-alive\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 203", 0), 0u) << reply;
}

}  // namespace
}  // namespace agentboot::sim::testing
