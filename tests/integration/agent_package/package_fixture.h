// Shared set-up for the package tests: a temp directory, a tiny agent tarball built on the fly,
// a Poco server that serves it, and a devops::Client whose packages API is scripted.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include <Poco/Net/HTTPServer.h>
#include <gtest/gtest.h>

#include "agentboot/agent.h"
#include "agentboot/base_testing.h"
#include "agentboot/devops.h"
#include "agentboot/http_testing.h"

namespace agentboot::agent::testing {

// Hands out one fixed token; the packages API is scripted, so its value does not matter.
class StaticTokenSource final : public identity::TokenSource {
 public:
  std::string_view Name() const override { return "static"; }
  identity::SourceKind Kind() const override { return identity::SourceKind::kAuto; }
  Result<identity::AccessToken> GetToken(const identity::TokenRequest&) override;
};

class PackageTest : public ::testing::Test {
 protected:
  PackageTest();
  ~PackageTest() override;

  // Builds <dir>/<name> with bin/Agent.Listener printing `version`, externals/, config.sh and
  // run.sh. Returns its path.
  std::string MakeTarball(const std::string& name, const std::string& version);
  // Serves `tarball` at /pkg/<file name>; returns the URL (via a redirect when asked).
  std::string Serve(const std::string& tarball, bool via_redirect = false);
  // Answers every packages API call with one package.
  void ScriptPackage(const std::string& version, const std::string& url, const std::string& hash);
  // Answers every call with a refused connection.
  void ScriptUnreachable();

  Result<PreparedAgent> Prepare(const PackageOptions& options, const std::string& root,
                                bool with_client = true);
  PackageOptions Options() const;

  static std::string Slurp(const std::string& path);
  static std::string ReadLink(const std::string& path);
  int downloads() const { return hits_->load(); }

  std::string dir_;
  std::string cache_;
  std::string root_;
  agentboot::testing::FakeEnvironment vars_;
  agentboot::testing::RecordingLogger log_;
  agentboot::testing::FakeClock clock_;
  Env env_;
  agentboot::testing::FakeEnv client_env_;
  http::testing::ScriptedTransport transport_;
  StaticTokenSource tokens_;
  std::unique_ptr<devops::Client> client_;
  std::unique_ptr<http::Downloader> downloader_;
  std::shared_ptr<std::atomic<int>> hits_ = std::make_shared<std::atomic<int>>(0);
  std::shared_ptr<std::string> served_ = std::make_shared<std::string>();
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

}  // namespace agentboot::agent::testing
