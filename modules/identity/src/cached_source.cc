// The in-memory token cache (identity-contract §3): refresh early with jitter, keep serving a
// still-valid token when a refresh fails, and let concurrent callers share one fetch.
#include <map>

#include "agentboot/identity.h"

#include "refresh_policy.h"

namespace agentboot::identity {
namespace {

struct Entry {
  std::optional<AccessToken> token;
  TimePoint refresh_at{};
  int failures = 0;
  std::optional<TimePoint> next_retry;
  bool fetching = false;
  uint64_t generation = 0;          // bumped after every fetch
  std::optional<Error> last_error;  // of the last fetch, for callers that waited on it
};

}  // namespace

struct CachedSource::State {
  mutable Mutex mu;
  CondVar fetched;
  std::map<std::string, Entry> entries GUARDED_BY(mu);  // keyed by resource
};

CachedSource::CachedSource(TokenSource& inner, Clock& clock, Random& random, Logger& log,
                           CacheOptions options)
    : inner_(inner),
      clock_(clock),
      random_(random),
      log_(log),
      options_(options),
      state_(std::make_unique<State>()) {}

CachedSource::~CachedSource() = default;

std::string_view CachedSource::Name() const { return inner_.Name(); }
SourceKind CachedSource::Kind() const { return inner_.Kind(); }

Result<AccessToken> CachedSource::GetToken(const TokenRequest& request) {
  MutexLock lock(state_->mu);
  Entry& entry = state_->entries[request.resource];
  const auto servable = [&](TimePoint now) {
    return entry.token && now < entry.token->expires_on - options_.expiry_margin;
  };
  const uint64_t generation = entry.generation;
  while (true) {
    const TimePoint now = clock_.Now();
    if (servable(now)) {
      if (now < entry.refresh_at) return *entry.token;
      // Past refresh time: another caller is refreshing, or we are backing off after a failure.
      if (entry.fetching || (entry.next_retry && now < *entry.next_retry)) return *entry.token;
    }
    if (!entry.fetching) break;
    state_->fetched.Wait(state_->mu);
    // Nothing servable and the fetch we waited for failed: share its error, do not pile on.
    if (entry.generation != generation && entry.last_error && !servable(clock_.Now())) {
      return Fail(*entry.last_error);
    }
  }

  entry.fetching = true;
  lock.Unlock();
  auto fetched = inner_.GetToken(request);
  if (!fetched) fetched = Fail(IdentityError(std::move(fetched.error())));
  lock.Lock();
  entry.fetching = false;
  ++entry.generation;
  state_->fetched.NotifyAll();

  const TimePoint now = clock_.Now();
  if (fetched) {
    const Duration bound = detail::JitterBound(*fetched, now, options_.max_jitter);
    const double fraction =
        bound > Duration::zero() ? random_.Uniform(0, 1) : 0.0;  // drawn once per token
    entry.token = *fetched;
    entry.refresh_at = detail::JitteredRefreshTime(*fetched, now, options_.max_jitter, fraction);
    entry.failures = 0;
    entry.next_retry.reset();
    entry.last_error.reset();
    log_.Log(LogLevel::kInfo, "identity", "access token acquired",
             {{"source", fetched->source},
              {"expires_on", FormatUtc(fetched->expires_on)},
              {"refresh_at", FormatUtc(entry.refresh_at)}});
    return fetched;
  }
  ++entry.failures;
  entry.next_retry =
      now + detail::RefreshRetryDelay(entry.failures, options_.retry_initial, options_.retry_max);
  entry.last_error = fetched.error();
  if (servable(now)) {
    log_.Log(LogLevel::kWarning, "identity", "token refresh failed; still using the current token",
             {{"source", entry.token->source},
              {"error", fetched.error().ToString()},
              {"failures", std::to_string(entry.failures)},
              {"expires_on", FormatUtc(entry.token->expires_on)},
              {"next_retry", FormatUtc(*entry.next_retry)}});
    return *entry.token;
  }
  return fetched;
}

CacheStatus CachedSource::Status(const TokenRequest& request) const {
  MutexLock lock(state_->mu);
  CacheStatus status;
  const auto it = state_->entries.find(request.resource);
  if (it == state_->entries.end()) return status;
  const Entry& entry = it->second;
  if (entry.token) {
    status.expires_on = entry.token->expires_on;
    status.refresh_at = entry.refresh_at;
    status.source = entry.token->source;
  }
  status.consecutive_failures = entry.failures;
  status.next_retry = entry.next_retry;
  return status;
}

}  // namespace agentboot::identity
