#include "app.h"

namespace agentboot::cli {
namespace {

// start.sh's AZP_TOKEN/AZP_TOKEN_FILE mean nothing to the identity sources: say so rather than
// leave a migrating user guessing which credential was used.
void WarnAboutIgnoredPat(identity::SourceKind kind, const Environment& vars, Logger& log) {
  if (kind == identity::SourceKind::kPat) return;
  for (const char* name : {"AZP_TOKEN", "AZP_TOKEN_FILE"}) {
    if (!vars.GetNonEmpty(name)) continue;
    log.Log(LogLevel::kWarning, "identity",
            std::string(name) +
                " is set and ignored: agentboot uses the host's identity; to keep using the PAT "
                "while migrating, pass --identity pat (or AGENTBOOT_IDENTITY=pat)",
            {{"identity", std::string(identity::SourceKindName(kind))}});
  }
}

Result<telemetry::LoggerOptions> LoggerOptionsFrom(const GlobalOptions& options) {
  telemetry::LoggerOptions log_options;
  if (options.log_format == "json") {
    log_options.format = telemetry::LogFormat::kJson;
  } else if (options.log_format != "text") {
    return Fail(ErrorCode::kInvalidArgument, "--log-format",
                "unknown format '" + options.log_format + "'", "Use --log-format text or json.");
  }
  log_options.min_level = options.verbose ? LogLevel::kDebug : LogLevel::kInfo;
  return log_options;
}

Result<identity::IdentityOptions> IdentityOptionsFrom(const GlobalOptions& options) {
  auto kind = identity::ParseSourceKind(options.identity);
  if (!kind) return Fail(kind.error());
  identity::IdentityOptions identity_options;
  identity_options.kind = *kind;
  identity_options.client_id = options.client_id;
  identity_options.object_id = options.object_id;
  identity_options.resource_id = options.resource_id;
  if (!options.arc_key_directory.empty()) {
    identity_options.arc_key_directory = options.arc_key_directory;
  }
  if (!options.az_path.empty()) identity_options.az_path = options.az_path;
  return identity_options;
}

}  // namespace

App::~App() = default;

Result<std::unique_ptr<App>> App::Create(const GlobalOptions& options) {
  std::unique_ptr<App> app(new App());  // NOLINT: private constructor
  app->options_ = options;
  auto log_options = LoggerOptionsFrom(options);
  if (!log_options) return Fail(log_options.error());
  app->logger_ = std::make_unique<telemetry::StreamLogger>(std::cerr, SystemClock(), *log_options);
  app->OpenTransports();
  app->BuildEnv();
  auto identity_options = IdentityOptionsFrom(options);
  if (!identity_options) return Fail(identity_options.error());
  WarnAboutIgnoredPat(identity_options->kind, app->env_->vars, *app->logger_);
  auto source = identity::MakeSource(*identity_options, {*app->env_, *app->counting_});
  if (!source) return Fail(source.error());
  app->source_ = std::move(*source);
  app->cache_ = std::make_unique<identity::CachedSource>(*app->source_, app->env_->clock,
                                                         app->env_->random, *app->logger_);
  return app;
}

void App::OpenTransports() {
  auto curl_options = http::CurlOptionsFromEnvironment(ProcessEnvironment(), options_.ca_file);
  curl_options.user_agent = "agentboot/" + std::string(kVersion);
  curl_options.log = logger_.get();
  curl_ = http::MakeCurlTransport(curl_options);
  downloader_ = http::MakeCurlDownloader(curl_options);
  polling_ = http::MakeKeepAliveCurlTransport(curl_options);
}

void App::BuildEnv() {
  http::Transport* transport = curl_.get();
  FileSystem* fs = &PosixFileSystem();
#ifdef AGENTBOOT_TEST_HOOKS  // agentboot-testhooks only (agentboot/CMakeLists.txt)
  if (auto crash_after = ProcessEnvironment().GetNonEmpty("AGENTBOOT_TEST_CRASH_AFTER")) {
    crash_counter_ =
        std::make_unique<TEST_CrashCounter>(static_cast<int>(ParseInt64(*crash_after).value_or(0)));
    crashing_fs_ = std::make_unique<TEST_CrashingFileSystem>(*fs, *crash_counter_);
    crashing_transport_ = std::make_unique<TEST_CrashingTransport>(*transport, *crash_counter_);
    fs = crashing_fs_.get();
    transport = crashing_transport_.get();
  }
#endif
  counting_ = std::make_unique<http::CountingTransport>(*transport);
  env_ = std::make_unique<Env>(Env{SystemClock(), *fs, ProcessEnvironment(), *logger_,
                                   SystemRandom(), PosixProcessRunner()});
}

}  // namespace agentboot::cli
