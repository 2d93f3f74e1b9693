// When to refresh a cached token and how long to wait after a failed refresh. Pure functions of
// their inputs (identity-contract §3), unit-tested directly.
#pragma once

#include "agentboot/base.h"
#include "agentboot/identity.h"

namespace agentboot::identity::detail {

// Refresh time before jitter, for a token obtained at `now`:
//   the source's refresh_on when it gave one (never later than 5 minutes before expiry);
//   else now + lifetime/2 when the lifetime exceeds 2 h;
//   else 5 minutes before expiry, but never earlier than now + lifetime/2 (very short tokens).
TimePoint RefreshTime(const AccessToken& token, TimePoint now);

// Upper bound of the jitter: min(max_jitter, lifetime / 10); zero for an expired token.
Duration JitterBound(const AccessToken& token, TimePoint now, Duration max_jitter);

// RefreshTime moved earlier by `fraction` (in [0, 1]) of JitterBound, never before `now`.
TimePoint JitteredRefreshTime(const AccessToken& token, TimePoint now, Duration max_jitter,
                              double fraction);

// Wait after the n-th consecutive failed refresh (n >= 1): initial * 2^(n-1), capped at max.
Duration RefreshRetryDelay(int failures, Duration initial, Duration max);

}  // namespace agentboot::identity::detail
