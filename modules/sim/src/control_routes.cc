// The control API (/_control/…): request log, stats, faults, clock, identities, federated
// credentials, workload tokens, scheduled events, health. Plain JSON, never faulted or logged.
#include <algorithm>
#include <type_traits>

#include "request_journal.h"
#include "sim_internal.h"

namespace agentboot::sim::detail {

namespace {

HttpResponse BadRequest(const std::string& message) {
  return HttpResponse::Json(400, {{"error", message}});
}

std::optional<nlohmann::json> JsonBody(const HttpRequest& request) {
  if (Trim(request.body).empty()) return nlohmann::json::object();
  auto body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return std::nullopt;
  return body;
}

template <typename Map>
nlohmann::json CountsJson(const Map& counts) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, count] : counts) {
    if constexpr (std::is_same_v<typename Map::key_type, int>) {
      out[std::to_string(key)] = count;
    } else {
      out[key] = count;
    }
  }
  return out;
}

// GET /_control/requests[?path_prefix=P][&after=SEQ][&limit=N]: exact counts over every request
// since the last DELETE ("count", "count_by_path", "count_by_identity", "count_by_status") and the
// kept detailed entries ("requests", at most the log's capacity). The entries are formatted one
// by one into the body, never as one JSON tree.
HttpResponse Requests(const SimContext& context, const HttpRequest& request) {
  const std::string prefix = request.Query("path_prefix").value_or("");
  const int64_t after = ParseInt64(request.Query("after").value_or("0")).value_or(0);
  const int64_t limit = ParseInt64(request.Query("limit").value_or("0")).value_or(0);
  const RequestJournal& journal = context.request_journal();
  const RequestJournal::Counts counts = journal.Count(prefix);
  const std::vector<LoggedRequest> entries =
      journal.Entries(prefix, after, static_cast<size_t>(std::max<int64_t>(0, limit)));
  nlohmann::json head = {{"count", counts.total},
                         {"kept", entries.size()},
                         {"capacity", journal.capacity()},
                         {"count_by_path", CountsJson(counts.by_path)},
                         {"count_by_identity", CountsJson(counts.by_identity)},
                         {"count_by_status", CountsJson(counts.by_status)}};
  std::string body = head.dump();
  body.pop_back();  // the closing brace: "requests" follows
  body += ",\"requests\":[";
  for (size_t i = 0; i < entries.size(); ++i) {
    const LoggedRequest& entry = entries[i];
    if (i != 0) body += ',';
    body += nlohmann::json{{"sequence", entry.sequence}, {"method", entry.method},
                           {"path", entry.path},         {"query", entry.query_string},
                           {"status", entry.status},     {"identity", entry.identity},
                           {"at", FormatUtc(entry.at)}}
                .dump();
  }
  body += "]}";
  return HttpResponse::Text(200, "application/json; charset=utf-8", std::move(body));
}

HttpResponse AddFault(SimContext& context, const HttpRequest& request) {
  const auto body = JsonBody(request);
  if (!body) return BadRequest("body must be a JSON object");
  try {
    Fault fault;
    fault.method = body->value("method", "*");
    fault.path_prefix = body->value("path_prefix", "");
    fault.statuses = body->value("statuses", std::vector<int>{});
    if (body->contains("headers")) {
      for (const auto& [name, value] : (*body)["headers"].items()) {
        fault.headers.emplace_back(name,
                                   value.is_string() ? value.get<std::string>() : value.dump());
      }
    }
    fault.latency = Duration(body->value("latency_ms", int64_t{0}));
    const int64_t outage = body->value("outage_seconds", int64_t{0});
    if (outage > 0) {
      const TimePoint now = context.Now();
      fault.outage_from = now;
      fault.outage_until = now + std::chrono::seconds(outage);
    }
    fault.outage_status = body->value("outage_status", 503);
    context.AddFault(std::move(fault));
  } catch (const nlohmann::json::exception& e) {
    return BadRequest(std::string("bad fault: ") + e.what());
  }
  return HttpResponse::Json(200, {{"ok", true}});
}

SimIdentity ToIdentity(const nlohmann::json& body) {
  SimIdentity identity;
  identity.kind = body.value("kind", "user");
  identity.client_id = body.value("client_id", RandomGuid());
  identity.object_id = body.value("object_id", RandomGuid());
  identity.resource_id = body.value("resource_id", "");
  return identity;
}

nlohmann::json IdentityJson(const SimIdentity& identity) {
  return {{"kind", identity.kind},
          {"client_id", identity.client_id},
          {"object_id", identity.object_id},
          {"resource_id", identity.resource_id}};
}

HttpResponse AddFederatedCredential(SimContext& context, const HttpRequest& request) {
  const auto body = JsonBody(request);
  if (!body) return BadRequest("body must be a JSON object");
  try {
    FederatedCredential credential;
    credential.client_id = body->value("client_id", std::string(kWorkloadClientId));
    credential.name = body->value("name", "fic-" + RandomHex(4));
    credential.issuer = body->value("issuer", context.oidc_issuer());
    credential.subject = body->value("subject", std::string(kWorkloadSubject));
    if (body->contains("audiences")) {
      credential.audiences = (*body)["audiences"].get<std::vector<std::string>>();
    } else if (body->contains("audience")) {
      credential.audiences = {(*body)["audience"].get<std::string>()};
    }
    context.AddFederatedCredential(credential);
    return HttpResponse::Json(200, {{"client_id", credential.client_id},
                                    {"name", credential.name},
                                    {"issuer", credential.issuer},
                                    {"subject", credential.subject},
                                    {"audiences", credential.audiences}});
  } catch (const nlohmann::json::exception& e) {
    return BadRequest(std::string("bad federated credential: ") + e.what());
  }
}

HttpResponse WorkloadToken(const SimContext& context, const HttpRequest& request) {
  const auto body = JsonBody(request);
  if (!body) return BadRequest("body must be a JSON object");
  WorkloadTokenSpec spec;
  try {
    spec.subject = body->value("subject", spec.subject);
    spec.audience = body->value("audience", spec.audience);
    spec.issuer = body->value("issuer", spec.issuer);
    spec.lifetime = std::chrono::seconds(body->value("lifetime_seconds", int64_t{3600}));
    spec.path = body->value("path", spec.path);
  } catch (const nlohmann::json::exception& e) {
    return BadRequest(std::string("bad workload token request: ") + e.what());
  }
  auto minted = MintWorkloadToken(context, spec);
  if (!minted) return HttpResponse::Json(500, {{"error", minted.error().ToString()}});
  // The token itself stays in the file: the control API never returns credentials.
  return HttpResponse::Json(
      200, {{"path", minted->path}, {"expires_on", ToUnixSeconds(minted->expires_on)}});
}

HttpResponse ScheduleEvent(const SimContext& context, const HttpRequest& request) {
  const auto body = JsonBody(request);
  if (!body) return BadRequest("body must be a JSON object");
  try {
    return HttpResponse::Json(200, {{"EventId", context.imds().AddEvent(*body, context.Now())}});
  } catch (const nlohmann::json::exception& e) {
    return BadRequest(std::string("bad event: ") + e.what());
  }
}

nlohmann::json ImdsLimitCountersJson(const ImdsLimits::Counters& counters) {
  return {{"admitted", counters.admitted},
          {"refused_rate", counters.refused_rate},
          {"refused_concurrency", counters.refused_concurrency},
          {"peak_in_flight", counters.peak_in_flight}};
}

nlohmann::json ImdsLimitsJson(ImdsLimits& limits) {
  const ImdsLimitSettings settings = limits.settings();
  return {{"enabled", settings.enabled},
          {"identity_per_second", settings.identity_per_second},
          {"identity_concurrent", settings.identity_concurrent},
          {"per_second", settings.other_per_second},
          {"identity", ImdsLimitCountersJson(limits.counters(ImdsCategory::kIdentity))},
          {"other", ImdsLimitCountersJson(limits.counters(ImdsCategory::kOther))}};
}

// {"enabled": bool, "identity_per_second": n, "identity_concurrent": n, "per_second": n}; the
// numbers default to IMDS's documented limits. Resets the counters.
HttpResponse ConfigureImdsLimits(const SimContext& context, const HttpRequest& request) {
  const auto body = JsonBody(request);
  if (!body) return BadRequest("body must be a JSON object");
  ImdsLimitSettings settings;
  try {
    settings.enabled = body->value("enabled", true);
    settings.identity_per_second = body->value("identity_per_second", 20);
    settings.identity_concurrent = body->value("identity_concurrent", 5);
    settings.other_per_second = body->value("per_second", 5);
  } catch (const nlohmann::json::exception& e) {
    return BadRequest(std::string("bad IMDS limits: ") + e.what());
  }
  if (settings.identity_per_second < 1 || settings.identity_concurrent < 1 ||
      settings.other_per_second < 1) {
    return BadRequest("IMDS limits must be at least 1");
  }
  context.imds().limits().Configure(settings);
  return HttpResponse::Json(200, ImdsLimitsJson(context.imds().limits()));
}

}  // namespace

void RegisterControlRoutes(Router& router, SimContext& context) {
  SimContext* ctx = &context;
  context.AddStatsSource("request_log", [ctx] {
    const RequestJournal& journal = ctx->request_journal();
    return nlohmann::json{{"recorded", journal.last_sequence()},
                          {"counted", journal.Count().total},
                          {"capacity", journal.capacity()}};
  });
  router.Add("GET", "/_control/health", [ctx](const HttpRequest&) {
    return HttpResponse::Json(
        200, {{"status", "ok"}, {"http", ctx->http_base()}, {"https", ctx->https_base()}});
  });
  router.Add("GET", "/_control/requests",
             [ctx](const HttpRequest& r) { return Requests(*ctx, r); });
  router.Add("GET", "/_control/stats",
             [ctx](const HttpRequest&) { return HttpResponse::Json(200, ctx->Stats()); });
  router.Add("DELETE", "/_control/requests", [ctx](const HttpRequest&) {
    ctx->ClearRequestLog();
    return HttpResponse::Json(200, {{"ok", true}});
  });
  router.Add("POST", "/_control/faults", [ctx](const HttpRequest& r) { return AddFault(*ctx, r); });
  router.Add("DELETE", "/_control/faults", [ctx](const HttpRequest&) {
    ctx->ClearFaults();
    return HttpResponse::Json(200, {{"ok", true}});
  });
  router.Add("POST", "/_control/clock", [ctx](const HttpRequest& r) {
    const auto body = JsonBody(r);
    if (!body || !(*body)["advance_seconds"].is_number_integer()) {
      return BadRequest("expected {\"advance_seconds\": n}");
    }
    ctx->AdvanceClock(std::chrono::seconds((*body)["advance_seconds"].get<int64_t>()));
    return HttpResponse::Json(200, {{"now", FormatUtc(ctx->Now())}});
  });
  router.Add("GET", "/_control/identities", [ctx](const HttpRequest&) {
    nlohmann::json list = nlohmann::json::array();
    for (const SimIdentity& identity : ctx->identities()) list.push_back(IdentityJson(identity));
    return HttpResponse::Json(200, {{"identities", list}});
  });
  router.Add("POST", "/_control/identities", [ctx](const HttpRequest& r) {
    const auto body = JsonBody(r);
    if (!body) return BadRequest("body must be a JSON object");
    try {
      SimIdentity identity = ToIdentity(*body);
      ctx->AddIdentity(identity);
      return HttpResponse::Json(200, IdentityJson(identity));
    } catch (const nlohmann::json::exception& e) {
      return BadRequest(std::string("bad identity: ") + e.what());
    }
  });
  router.Add("POST", "/_control/federated-credentials",
             [ctx](const HttpRequest& r) { return AddFederatedCredential(*ctx, r); });
  router.Add("POST", "/_control/workload-token",
             [ctx](const HttpRequest& r) { return WorkloadToken(*ctx, r); });
  router.Add("POST", "/_control/instance", [ctx](const HttpRequest& r) {
    const auto body = JsonBody(r);
    if (!body) return BadRequest("body must be a JSON object");
    ctx->imds().UpdateCompute(*body);
    return HttpResponse::Json(200, ctx->imds().Compute());
  });
  router.Add("POST", "/_control/scheduled-events",
             [ctx](const HttpRequest& r) { return ScheduleEvent(*ctx, r); });
  router.Add("GET", "/_control/scheduled-events", [ctx](const HttpRequest&) {
    return HttpResponse::Json(
        200, {{"document", ctx->imds().EventsDocument()}, {"acks", ctx->imds().Acks()}});
  });
  router.Add("POST", "/_control/imds-limits",
             [ctx](const HttpRequest& r) { return ConfigureImdsLimits(*ctx, r); });
  router.Add("GET", "/_control/imds-limits", [ctx](const HttpRequest&) {
    return HttpResponse::Json(200, ImdsLimitsJson(ctx->imds().limits()));
  });
  router.Add("DELETE", "/_control/scheduled-events", [ctx](const HttpRequest&) {
    ctx->imds().ClearEvents();
    return HttpResponse::Json(200, {{"ok", true}});
  });
}

}  // namespace agentboot::sim::detail
