// Simulator::Start: state directory, keys, TLS material, both listeners on one router.
#include <cstdlib>
#include <filesystem>

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include "poco_server.h"
#include "sim_internal.h"
#include "tls_material.h"

namespace agentboot::sim {

namespace {

using detail::PocoServer;
using detail::Router;
using detail::SimContext;

// A fleet connects at once: a short backlog drops SYNs and costs each dropped client a
// one-second retransmission (the kernel caps it at net.core.somaxconn).
constexpr int kListenBacklog = 1024;

class SimulatorImpl final : public Simulator {
 public:
  SimulatorImpl(std::unique_ptr<SimContext> context, std::string owned_state_dir)
      : context_(std::move(context)),
        router_(context_.get()),
        owned_state_dir_(std::move(owned_state_dir)) {
    detail::RegisterControlRoutes(router_, *context_);
    detail::RegisterImdsRoutes(router_, *context_);
    detail::RegisterAppServiceRoutes(router_, *context_);
    detail::RegisterArcRoutes(router_, *context_);
    detail::RegisterCloudShellRoutes(router_, *context_);
    detail::RegisterEntraRoutes(router_, *context_);
    detail::RegisterDevOpsRoutes(router_, *context_);
  }

  ~SimulatorImpl() override {
    Stop();
    if (!owned_state_dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(owned_state_dir_, ec);
    }
  }

  Status Listen(const detail::TlsFiles& tls) {
    const SimConfig& config = context_->config();
    try {
      // No SO_REUSEPORT (Poco's address constructors set it): a port another process listens on
      // is refused, rather than shared with it.
      Poco::Net::ServerSocket plain;
      plain.bind(Poco::Net::SocketAddress(config.host, config.http_port), true, false);
      plain.listen(kListenBacklog);
      Poco::Net::Context::Ptr server_tls =
          new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, tls.private_key_file,
                                 tls.cert_file, "", Poco::Net::Context::VERIFY_NONE, 9, false);
      Poco::Net::SecureServerSocket secure(server_tls);
      secure.bind(Poco::Net::SocketAddress(config.host, config.https_port), true, false);
      secure.listen(kListenBacklog);
      context_->SetPorts(plain.address().port(), secure.address().port());
      http_ =
          std::make_unique<PocoServer>(router_, plain, false, config.quiet, config.max_connections);
      https_ =
          std::make_unique<PocoServer>(router_, secure, true, config.quiet, config.max_connections);
    } catch (const Poco::Exception& e) {
      return Fail(ErrorCode::kUnavailable, "listen on " + config.host, e.displayText(),
                  "Choose free ports with --http-port/--https-port, or 0 for any.");
    }
    return {};
  }

  void Serve() {
    http_->Start();
    https_->Start();
    PocoServer* http = http_.get();
    PocoServer* https = https_.get();
    context_->AddStatsSource("http", [http] { return http->Stats(); });
    context_->AddStatsSource("https", [https] { return https->Stats(); });
    context_->AddStatsSource("process", [] { return detail::ProcessStats(); });
  }

  SimContext& context() { return *context_; }

  std::map<std::string, std::string> EnvVars() const override {
    return detail::BuildEnvVars(*context_);
  }
  std::string HttpBaseUrl() const override { return context_->http_base(); }
  std::string HttpsBaseUrl() const override { return context_->https_base(); }

  void Stop() override {
    MutexLock lock(stop_mu_);
    context_->RunStopHooks();
    if (http_) http_->Stop();
    if (https_) https_->Stop();
  }

 private:
  std::unique_ptr<SimContext> context_;
  Router router_;
  std::string owned_state_dir_;
  std::unique_ptr<PocoServer> http_;
  std::unique_ptr<PocoServer> https_;
  Mutex stop_mu_;
};

Result<std::string> MakeTempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "agentboot-sim-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Fail(ErrorCode::kUnavailable, "create a temporary state directory", "mkdtemp failed");
  }
  return pattern;
}

}  // namespace

Result<std::unique_ptr<Simulator>> Simulator::Start(const SimConfig& original) {
  SimConfig config = original;
  std::string owned_dir;
  if (config.state_dir.empty()) {
    auto dir = MakeTempDir();
    if (!dir) return Fail(dir.error());
    config.state_dir = owned_dir = *dir;
  }
  config.state_dir = std::filesystem::absolute(config.state_dir).lexically_normal().string();
  FileSystem& fs = PosixFileSystem();
  for (const char* sub : {"", "/arc-tokens", "/workload"}) {
    if (auto made = fs.CreateDirectories(config.state_dir + sub, 0700); !made) {
      return Fail(made.error());
    }
  }

  static std::once_flag ssl_once;
  std::call_once(ssl_once, [] { Poco::Net::initializeSSL(); });

  auto tls = detail::GenerateTlsFiles(config.state_dir);
  if (!tls) return Fail(tls.error());
  auto entra_key = jose::RsaKey::Generate(2048);
  if (!entra_key) return Fail(entra_key.error());
  auto issuer_key = jose::RsaKey::Generate(2048);
  if (!issuer_key) return Fail(issuer_key.error());

  auto context =
      std::make_unique<SimContext>(config, std::move(*entra_key), std::move(*issuer_key));
  auto simulator = std::make_unique<SimulatorImpl>(std::move(context), owned_dir);
  if (auto listening = simulator->Listen(*tls); !listening) return Fail(listening.error());

  SimContext& ctx = simulator->context();
  // The workload app trusts the sim's own issuer (known only now that the TLS port is).
  ctx.AddFederatedCredential(detail::FederatedCredential{std::string(kWorkloadClientId),
                                                         "agentboot-sim-default",
                                                         ctx.oidc_issuer(),
                                                         std::string(kWorkloadSubject),
                                                         {std::string(kWorkloadAudience)}});
  if (auto minted = detail::MintWorkloadToken(ctx, detail::WorkloadTokenSpec{}); !minted) {
    return Fail(minted.error());
  }
  simulator->Serve();
  return std::unique_ptr<Simulator>(std::move(simulator));
}

}  // namespace agentboot::sim
