// Instance metadata and scheduled events of the simulated VM.
#include <cctype>

#include "sim_internal.h"

namespace agentboot::sim::detail {

ImdsState::ImdsState()
    : compute_({
          {"azEnvironment", "AzurePublicCloud"},
          {"location", "westeurope"},
          {"name", "agentboot-sim-vm"},
          {"osType", "Linux"},
          {"resourceGroupName", "agentboot-sim"},
          {"resourceId", std::string(kSystemAssignedResourceId)},
          {"subscriptionId", "00000000-0000-4000-8000-000000000000"},
          {"vmId", "44444444-0000-4000-8000-000000000001"},
          {"vmScaleSetName", ""},
          {"vmSize", "Standard_D2s_v5"},
          {"zone", ""},
          {"tags", ""},
          {"tagsList", nlohmann::json::array()},
          {"osProfile", {{"computerName", "agentboot-sim-vm"}}},
      }) {}

nlohmann::json ImdsState::Compute() const {
  MutexLock lock(mu_);
  return compute_;
}

void ImdsState::UpdateCompute(const nlohmann::json& fields) {
  MutexLock lock(mu_);
  for (const auto& [key, value] : fields.items()) {
    // IMDS returns every primitive as a string.
    if (value.is_string()) {
      compute_[key] = value;
    } else if (value.is_primitive()) {
      compute_[key] = value.dump();
    } else {
      compute_[key] = value;
    }
  }
}

nlohmann::json ImdsState::EventsDocument() const {
  MutexLock lock(mu_);
  return {{"DocumentIncarnation", incarnation_}, {"Events", events_}};
}

std::string ImdsState::AddEvent(const nlohmann::json& spec, TimePoint now) {
  std::string id = RandomGuid();
  for (char& c : id) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  MutexLock lock(mu_);
  TimePoint not_before = now + std::chrono::minutes(15);
  if (spec.contains("not_before_seconds") && spec["not_before_seconds"].is_number_integer()) {
    not_before = now + std::chrono::seconds(spec["not_before_seconds"].get<int64_t>());
  }
  nlohmann::json resources = nlohmann::json::array({compute_.value("name", "")});
  if (spec.contains("Resources") && spec["Resources"].is_array()) resources = spec["Resources"];
  nlohmann::json event = {
      {"EventId", id},
      {"EventStatus", spec.value("EventStatus", "Scheduled")},
      {"EventType", spec.value("EventType", "Reboot")},
      {"ResourceType", "VirtualMachine"},
      {"Resources", resources},
      {"NotBefore", spec.value("NotBefore", FormatRfc1123(not_before))},
      {"Description", spec.value("Description", "Simulated maintenance event.")},
      {"EventSource", spec.value("EventSource", "Platform")},
      {"DurationInSeconds", spec.value("DurationInSeconds", -1)},
  };
  if (event["EventStatus"] == "Started") event["NotBefore"] = "";
  events_.push_back(std::move(event));
  ++incarnation_;
  return id;
}

bool ImdsState::StartEvents(const std::vector<std::string>& event_ids, TimePoint now) {
  MutexLock lock(mu_);
  for (const std::string& id : event_ids) {
    bool known = false;
    for (const auto& event : events_) {
      known = known || EqualsIgnoreCase(event["EventId"].get<std::string>(), id);
    }
    if (!known) return false;
  }
  for (const std::string& id : event_ids) {
    acks_.push_back({{"EventId", id}, {"at", FormatUtc(now)}});
    for (auto& event : events_) {
      if (EqualsIgnoreCase(event["EventId"].get<std::string>(), id) &&
          event["EventStatus"] != "Started") {
        event["EventStatus"] = "Started";
        event["NotBefore"] = "";
        ++incarnation_;
      }
    }
  }
  return true;
}

nlohmann::json ImdsState::Acks() const {
  MutexLock lock(mu_);
  return acks_;
}

void ImdsState::ClearEvents() {
  MutexLock lock(mu_);
  if (!events_.empty()) ++incarnation_;
  events_ = nlohmann::json::array();
  acks_ = nlohmann::json::array();
}

}  // namespace agentboot::sim::detail
