#include <cmath>
#include <cstdio>

#include "agentboot/telemetry.h"

namespace agentboot::telemetry {

namespace {

// Label values and HELP text use the same escapes; HELP leaves '"' alone (format 0.0.4).
std::string Escape(std::string_view text, bool quotes) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quotes) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // Whole numbers print without an exponent or fraction so counters read naturally.
  if (std::fabs(value) < 1e15 && value == std::trunc(value)) {
    return std::to_string(static_cast<int64_t>(value));
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

std::string_view TypeName(std::optional<MetricType> type) {
  if (!type) return "untyped";
  return *type == MetricType::kCounter ? "counter" : "gauge";
}

}  // namespace

void Metrics::Describe(std::string_view name, MetricType type, std::string_view help) {
  MutexLock lock(mu_);
  auto& family = families_[std::string(name)];
  family.type = type;
  family.help = std::string(help);
}

void Metrics::Increment(std::string_view name, const Labels& labels, double by) {
  MutexLock lock(mu_);
  auto& family = families_[std::string(name)];
  if (!family.type) family.type = MetricType::kCounter;
  // A counter never goes down: a negative step is a caller bug, ignored rather than exposed.
  if (family.type == MetricType::kCounter && by < 0) return;
  family.series[labels] += by;
}

void Metrics::Set(std::string_view name, const Labels& labels, double value) {
  MutexLock lock(mu_);
  auto& family = families_[std::string(name)];
  if (!family.type) family.type = MetricType::kGauge;
  family.series[labels] = value;
}

void Metrics::SetOneOf(std::string_view name, const std::string& label_key,
                       const std::vector<std::string>& all, const std::string& current) {
  MutexLock lock(mu_);
  auto& family = families_[std::string(name)];
  if (!family.type) family.type = MetricType::kGauge;
  for (const auto& value : all) family.series[Labels{{label_key, value}}] = 0.0;
  family.series[Labels{{label_key, current}}] = 1.0;
}

std::optional<double> Metrics::Value(std::string_view name, const Labels& labels) const {
  MutexLock lock(mu_);
  auto family = families_.find(name);
  if (family == families_.end()) return std::nullopt;
  auto series = family->second.series.find(labels);
  if (series == family->second.series.end()) return std::nullopt;
  return series->second;
}

std::string Metrics::RenderPrometheus() const {
  MutexLock lock(mu_);
  std::string out;
  for (const auto& [name, family] : families_) {
    // A described family with no series yet is left out: HELP/TYPE without samples says nothing.
    if (family.series.empty()) continue;
    if (!family.help.empty()) out += "# HELP " + name + " " + Escape(family.help, false) + "\n";
    out += "# TYPE " + name + " " + std::string(TypeName(family.type)) + "\n";
    for (const auto& [labels, value] : family.series) {
      out += name;
      if (!labels.empty()) {
        out += '{';
        bool first = true;
        for (const auto& [key, label_value] : labels) {
          if (!first) out += ',';
          first = false;
          out += key + "=\"" + Escape(label_value, true) + "\"";
        }
        out += '}';
      }
      out += ' ' + FormatValue(value) + '\n';
    }
  }
  return out;
}

void DescribeAgentbootMetrics(Metrics& metrics) {
  using enum MetricType;
  metrics.Describe(metric::kUp, kGauge, "1 while agentboot is running.");
  metrics.Describe(metric::kListenerState, kGauge,
                   "Agent.Listener supervision state: 1 for the current state, 0 otherwise.");
  metrics.Describe(metric::kListenerRestarts, kCounter,
                   "Times the supervisor restarted Agent.Listener.");
  metrics.Describe(metric::kJobs, kCounter, "Jobs finished by the listener, by result.");
  metrics.Describe(metric::kDrainDuration, kGauge, "Duration of the last drain in seconds.");
  metrics.Describe(metric::kTokenExpiry, kGauge,
                   "Expiry of the current access token as a Unix timestamp.");
  metrics.Describe(metric::kIdentityFailures, kCounter,
                   "Failed attempts to obtain a token from the identity source.");
  metrics.Describe(metric::kRegistrationTime, kGauge,
                   "When the agent was registered, as a Unix timestamp.");
  metrics.Describe(metric::kLastServerContact, kGauge,
                   "Last successful Azure DevOps server call, as a Unix timestamp.");
}

}  // namespace agentboot::telemetry
