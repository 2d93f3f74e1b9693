// Scheduled Events documents (identity-contract §7.2): parsing and the per-event predicates.
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "agentboot/imds.h"

namespace agentboot::imds {
namespace {

using Json = nlohmann::json;

Error Malformed(std::string detail) {
  return MakeError(ErrorCode::kInvalidArgument, "parse scheduled events", std::move(detail),
                   "IMDS sent a Scheduled Events document agentboot does not understand.");
}

// Reads the fields of one JSON object. Absent and null fields give the defaults of the older
// api-versions that lack them; the first field of the wrong type or format is kept as error().
class FieldReader {
 public:
  FieldReader(const Json& object, std::string where) : object_(object), where_(std::move(where)) {}

  std::string String(const char* name) {
    const Json* value = Find(name);
    if (value == nullptr) return {};
    if (value->is_string()) return value->get<std::string>();
    Note(std::string(name) + " is not a string");
    return {};
  }

  std::string RequiredString(const char* name) {
    std::string value = Trim(String(name));
    if (value.empty()) Note(std::string("has no ") + name);
    return value;
  }

  // A JSON integer or a numeric string.
  int64_t Integer(const char* name, int64_t fallback) {
    const Json* value = Find(name);
    if (value == nullptr) return fallback;
    if (value->is_number_integer()) return value->get<int64_t>();
    if (value->is_string()) {
      if (const auto parsed = ParseInt64(Trim(value->get<std::string>()))) return *parsed;
    }
    Note(std::string(name) + " is not an integer: " + value->dump());
    return fallback;
  }

  std::vector<std::string> Strings(const char* name) {
    std::vector<std::string> out;
    const Json* value = Find(name);
    if (value == nullptr) return out;
    if (!value->is_array()) {
      Note(std::string(name) + " is not an array");
      return out;
    }
    for (const Json& item : *value) {
      if (!item.is_string()) {
        Note(std::string(name) + " has a non-string entry");
        return {};
      }
      out.push_back(item.get<std::string>());
    }
    return out;
  }

  // RFC 1123 GMT; "" (or absent) is nullopt.
  std::optional<TimePoint> Date(const char* name) {
    const std::string text = Trim(String(name));
    if (text.empty()) return std::nullopt;
    auto time = http::ParseHttpDate(text);
    if (!time) Note(std::string(name) + " is not an RFC 1123 date: \"" + text + "\"");
    return time;
  }

  void set_where(std::string where) { where_ = std::move(where); }
  const std::optional<Error>& error() const { return error_; }

 private:
  const Json* Find(const char* name) const {
    const auto it = object_.find(name);
    return it == object_.end() || it->is_null() ? nullptr : &*it;
  }
  void Note(const std::string& problem) {
    if (!error_) error_ = Malformed(where_ + " " + problem);
  }

  const Json& object_;
  std::string where_;
  std::optional<Error> error_;
};

Result<ScheduledEvent> ParseEvent(const Json& json, size_t index) {
  const std::string position = "Events[" + std::to_string(index) + "]";
  if (!json.is_object()) return Fail(Malformed(position + " is not an object"));
  FieldReader reader(json, position);
  ScheduledEvent event;
  event.id = reader.RequiredString("EventId");
  if (reader.error()) return Fail(*reader.error());
  reader.set_where("event " + event.id);
  event.type = reader.RequiredString("EventType");
  event.status = Trim(reader.String("EventStatus"));
  event.resource_type = reader.String("ResourceType");
  event.description = reader.String("Description");
  event.source = reader.String("EventSource");
  event.resources = reader.Strings("Resources");
  event.not_before = reader.Date("NotBefore");
  event.duration_seconds = reader.Integer("DurationInSeconds", -1);
  if (reader.error()) return Fail(*reader.error());
  return event;
}

}  // namespace

Result<ScheduledEventsDocument> ParseScheduledEvents(std::string_view body) {
  const Json json = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return Fail(Malformed("the body is not JSON"));
  if (!json.is_object()) return Fail(Malformed("the body is not a JSON object"));
  const auto events = json.find("Events");
  if (events == json.end() || !events->is_array()) {
    return Fail(Malformed("the body has no Events array"));
  }
  FieldReader reader(json, "the document's");
  ScheduledEventsDocument document;
  document.incarnation = reader.Integer("DocumentIncarnation", 0);
  if (reader.error()) return Fail(*reader.error());
  for (size_t i = 0; i < events->size(); ++i) {
    auto event = ParseEvent((*events)[i], i);
    if (!event) return Fail(std::move(event.error()));
    document.events.push_back(std::move(*event));
  }
  return document;
}

bool AppliesTo(const ScheduledEvent& event, std::string_view vm_name) {
  const std::string wanted = Trim(vm_name);
  if (wanted.empty()) return false;
  for (const std::string& resource : event.resources) {
    if (EqualsIgnoreCase(Trim(resource), wanted)) return true;
  }
  return false;
}

bool RequiresDrain(const ScheduledEvent& event) {
  return EqualsIgnoreCase(event.type, "Terminate") || EqualsIgnoreCase(event.type, "Preempt");
}

}  // namespace agentboot::imds
