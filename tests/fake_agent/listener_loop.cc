#include "listener_loop.h"

#include <atomic>
#include <csignal>
#include <iostream>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "listener_host.h"
#include "listener_job.h"
#include "listener_session.h"
#include "listener_update.h"
#include <pthread.h>
#include <unistd.h>

namespace agentboot::fake_agent {
namespace {

using nlohmann::json;

Duration EnvMillis(const char* name, int64_t fallback) { return KnobMillis(name, fallback); }

class Listener {
 public:
  Listener(ServerConnection& server, std::string root, RunOptions options)
      : server_(server),
        root_(std::move(root)),
        options_(options),
        runner_(server, EnvMillis("FAKE_AGENT_RENEW_MS", 60'000)) {}

  int Run(const sigset_t& stop_signals);

 private:
  // Cancels a running job, deletes the session and exits with `code`, or, with `end_signal`,
  // ends the way the runtime ends on that signal.
  [[noreturn]] void Finish(int code, int end_signal = 0);
  [[noreturn]] void FinishLocked(int code, int end_signal);  // finish_mu_ held
  std::string session_id() {
    std::lock_guard lock(session_mu_);
    return session_id_;
  }
  std::string MessagesPath(int64_t last_message_id) {
    std::string path = "_apis/distributedtask/pools/" + std::to_string(server_.settings().pool_id) +
                       "/messages?sessionId=" + session_id();
    if (last_message_id > 0) path += "&lastMessageId=" + std::to_string(last_message_id);
    return path;
  }
  void DeleteMessage(int64_t id);
  // Runs or records the message, then deletes it (AgentRefresh: before updating).
  void Handle(int64_t id, const std::string& type, const std::string& body);
  void Update(const std::string& body);
  void StartSignalThread(const sigset_t& stop_signals);
  void StartKeepAlive();
  bool OpenSession();
  void OnPollFailure(const std::string& type, const std::string& text);

  ServerConnection& server_;
  const std::string root_;
  const RunOptions options_;
  JobRunner runner_;
  std::mutex session_mu_;
  std::string session_id_;
  std::mutex finish_mu_;
  std::atomic<bool> exiting_{false};  // Finish has begun: the loop must not react any more
  bool job_taken_ = false;            // --once: only the first job runs
  int64_t last_request_id_ = 0;       // a message delivered again is not run twice
  bool poll_error_reported_ = false;  // QueueConError is printed once per outage
};

void Listener::Finish(int code, int end_signal) {
  finish_mu_.lock();  // never released: the first caller ends the process
  FinishLocked(code, end_signal);
}

void Listener::FinishLocked(int code, int end_signal) {
  exiting_ = true;
  if (runner_.busy()) {
    std::cout << "Canceling the running job." << std::endl;
    runner_.Cancel();
  }
  // A finished job's thread is joined too: not joining it is a thread leak, which
  // ThreadSanitizer reports at _exit and turns into exit status 66.
  runner_.Join();
  DeleteSession(server_, session_id());
  std::cout.flush();
  std::cerr.flush();
  if (end_signal != 0) {
    // After its handlers ran, the .NET runtime ends a SIGTERMed process with the signal's default
    // action (exit status 143 as a shell shows it; agent-contract §4, agent-audit row 6).
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, end_signal);
    std::signal(end_signal, SIG_DFL);
    pthread_sigmask(SIG_UNBLOCK, &only, nullptr);
    ::raise(end_signal);
  }
  _exit(code);
}

void Listener::DeleteMessage(int64_t id) {
  Result<HttpAnswer> answer = server_.Call(
      "DELETE", "_apis/distributedtask/pools/" + std::to_string(server_.settings().pool_id) +
                    "/messages/" + std::to_string(id) + "?sessionId=" + session_id());
  if (!answer)
    std::cerr << "Failed to delete message " << id << ": " << answer.error().detail << "\n";
}

void Listener::Update(const std::string& body) {
  json refresh = json::parse(body, nullptr, false);
  const std::string target = refresh.is_object() ? refresh.value("targetVersion", "") : "";
  if (ProcessEnvironment().GetNonEmpty("agent.disableupdate")) {
    std::cout << "Agent update is disabled (agent.disableupdate is set); ignoring the request "
                 "to update to "
              << target << "." << std::endl;
    return;
  }
  if (target.empty()) return;
  std::cout << "Agent update in progress, do not shutdown agent." << std::endl;
  runner_.Join();  // SelfUpdater waits for the running job to finish
  // SelfUpdater restarts an interactive agent through run.sh (Agent.cs:578).
  const bool restart_interactive = !options_.once && !options_.service;
  Status updated = SelfUpdate(server_, root_, target, restart_interactive);
  if (!updated) {
    std::cerr << "Agent update failed: " << updated.error().ToString() << "\n";
    return;
  }
  std::cout << "Agent update to " << target << " started; exiting." << std::endl;
  Finish(options_.once ? kRunOnceUpdating : kUpdating);
}

void Listener::Handle(int64_t id, const std::string& type, const std::string& body) {
  if (type == "PipelineAgentJobRequest" || type == "AgentJobRequest") {
    // --once: messages that arrive after the job started stay undeleted (Agent.cs).
    if (options_.once && job_taken_) return;
    Result<JobMessage> job = ParseJobMessage(body);
    if (!job) {
      std::cerr << "Ignoring a malformed job message: " << job.error().detail << "\n";
    } else if (job->request_id == last_request_id_) {
      std::cerr << "Ignoring job request " << job->request_id << ": already dispatched\n";
    } else {
      // The server assigns the next job while the previous one's completion is still on its way
      // back (the finishing PATCH dispatches it): like the agent's JobDispatcher, wait for the
      // previous job, never drop the new one. The server never assigns two jobs at once.
      runner_.Join();
      job_taken_ = true;
      last_request_id_ = job->request_id;
      runner_.Start(*job, [this](const std::string&) {
        // --once: the job's end ends the process, unless a stop already does: that thread
        // waits for this one (Finish joins the job), so this one must return.
        if (options_.once && finish_mu_.try_lock()) FinishLocked(kSuccess, 0);
      });
    }
  } else if (type == "JobCancellation") {
    json cancel = json::parse(body, nullptr, false);
    if (runner_.busy() && cancel.is_object() && cancel.value("jobId", "") == runner_.job().job_id) {
      runner_.Cancel();
    }
  } else if (type == "AgentRefresh") {
    DeleteMessage(id);
    Update(body);
    return;
  }
  DeleteMessage(id);
}

void Listener::StartSignalThread(const sigset_t& stop_signals) {
  std::thread([this, stop_signals] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    std::cout << "Exiting..." << std::endl;
    // SIGINT: Console.CancelKeyPress -> ShutdownAgent, exit 0. SIGTERM: AssemblyLoadContext
    // .Unloading -> ShutdownAgent (the job is cancelled), then the runtime's default SIGTERM end
    // (agent-audit row 6: Agent.cs:62-63,326-333; HostContext.cs:113,715-721).
    Finish(kSuccess, signal_number == SIGTERM ? SIGTERM : 0);
  }).detach();
}

// The keep-alive poll (MessageListener lines 357-390): its answer is thrown away, which is why
// the server must keep a message until it is deleted.
void Listener::StartKeepAlive() {
  const Duration keep_alive = EnvMillis("FAKE_AGENT_KEEPALIVE_MS", 3'000);
  std::thread([this, keep_alive] {
    for (;;) {
      std::this_thread::sleep_for(keep_alive);
      (void)server_.Call("GET", MessagesPath(0));
    }
  }).detach();
}

bool Listener::OpenSession() {
  SessionOutcome session = CreateSession(server_, root_, SessionTimingFromKnobs());
  if (session.session_id.empty()) Finish(session.exit_code);
  std::lock_guard lock(session_mu_);
  session_id_ = session.session_id;
  return true;
}

// GetNextMessageAsync (MessageListener.cs:229-318): an expired session is created again; the
// agent, its pool or its access gone (IsGetNextMessageExceptionRetriable) is rethrown, and the
// process ends through Program's generic handler with exit 2 (Program.cs:188-194); everything
// else (socket errors, a refused token request, 5xx) is retried with a back-off.
void Listener::OnPollFailure(const std::string& type, const std::string& text) {
  if (type == "TaskAgentSessionExpiredException") {
    OpenSession();
    return;
  }
  if (type == "TaskAgentNotFoundException" || type == "TaskAgentPoolNotFoundException" ||
      type == "AccessDeniedException" || type == "VssUnauthorizedException") {
    std::cerr << "An error occurred: " << type << " " << text << std::endl;
    Finish(kRetryable);
  }
  if (!poll_error_reported_) {
    std::cerr << FormatUtc(SystemClock().Now()) << ": Agent connect error: " << type << " " << text
              << ". Retrying until reconnected." << std::endl;
    poll_error_reported_ = true;
  }
  std::this_thread::sleep_for(EnvMillis("FAKE_AGENT_POLL_RETRY_MS", 15'000));
}

int Listener::Run(const sigset_t& stop_signals) {
  StartSignalThread(stop_signals);  // a stop during session creation ends the retries
  OpenSession();
  std::cout << FormatUtc(SystemClock().Now()) << ": Listening for Jobs" << std::endl;
  StartKeepAlive();
  int64_t last_message_id = 0;
  for (;;) {
    Result<HttpAnswer> answer = server_.Call("GET", MessagesPath(last_message_id));
    while (exiting_) {
      // The session is being deleted; a poll answered "expired" must not open a new one.
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    if (!answer) {
      OnPollFailure("HttpRequestException", answer.error().ToString());
      continue;
    }
    if (answer->status == 202 || answer->status == 204) {
      // Against a server that does not long-poll, do not spin.
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    if (answer->status != 200) {
      const std::string type = ExceptionType(*answer);
      OnPollFailure(type.empty() && answer->status == 401 ? "VssUnauthorizedException" : type,
                    "HTTP " + std::to_string(answer->status));
      continue;
    }
    if (poll_error_reported_) {
      std::cout << FormatUtc(SystemClock().Now()) << ": Agent reconnected." << std::endl;
      poll_error_reported_ = false;
    }
    json message = json::parse(answer->body, nullptr, false);
    if (!message.is_object() || !message.contains("messageId")) continue;
    last_message_id = message["messageId"].get<int64_t>();
    Handle(last_message_id, message.value("messageType", ""), message.value("body", ""));
  }
}

}  // namespace

int RunListener(const std::string& root, const RunOptions& options) {
  // Block the stop signals before any thread exists so only the signal thread sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  Result<AgentSettings> settings = ReadAgentSettings(root);
  if (!settings) {
    if (settings.error().code == ErrorCode::kNotFound) {
      std::cerr << "Agent is not configured. Run config.sh first.\n";
      return kTerminated;
    }
    std::cerr << settings.error().ToString() << "\n";
    return kRetryable;
  }
  Result<OAuthCredentials> credentials = ReadCredentials(root);
  if (!credentials) {
    std::cerr << credentials.error().ToString() << "\n";
    return kRetryable;
  }
  Result<jose::RsaKey> key = ReadRsaParams(root);
  if (!key) {
    std::cerr << key.error().ToString() << "\n";
    return kRetryable;
  }
  ServerConnection server(*settings, *credentials, std::move(*key));
  if (options.check) {
    ServerConnection::Outcome connected = server.Connect();
    if (connected.verdict != ServerConnection::Verdict::kOk) {
      std::cerr << connected.message << "\n";
      return connected.verdict == ServerConnection::Verdict::kTerminate ? kTerminated : kRetryable;
    }
    std::cout << FormatUtc(SystemClock().Now()) << ": Listening for Jobs" << std::endl;
    return kSuccess;
  }
  static Listener* listener = nullptr;  // lives until _exit
  listener = new Listener(server, root, options);
  return listener->Run(stop_signals);
}

}  // namespace agentboot::fake_agent
