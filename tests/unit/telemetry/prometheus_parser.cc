#include "prometheus_parser.h"

#include <cmath>
#include <limits>
#include <set>

namespace agentboot::testing {

namespace {

bool IsMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

bool IsLabelName(std::string_view name) {
  return IsMetricName(name) && name.find(':') == std::string_view::npos && !StartsWith(name, "__");
}

std::optional<double> ParseValue(const std::string& text) {
  if (text == "+Inf" || text == "Inf") return std::numeric_limits<double>::infinity();
  if (text == "-Inf") return -std::numeric_limits<double>::infinity();
  if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (text.empty() || text.find_first_not_of("0123456789+-.eE") != std::string::npos) {
    return std::nullopt;
  }
  return ParseDouble(text);
}

struct Parser {
  std::vector<PromFamily> families;
  std::set<std::string> closed;  // families whose block has ended
  std::set<std::string> series;  // name + labels, for duplicates
  int line_no = 0;

  tl::unexpected<Error> Bad(const std::string& why) const {
    return Fail(ErrorCode::kInvalidArgument, "line " + std::to_string(line_no), why);
  }

  // The family `name` belongs to, opening it when new; a family may not come back later.
  Result<PromFamily*> Family(const std::string& name) {
    if (!families.empty() && families.back().name == name) return &families.back();
    if (!families.empty()) closed.insert(families.back().name);
    if (closed.count(name)) return Bad("family " + name + " is split");
    families.push_back(PromFamily{name, "untyped", "", {}});
    return &families.back();
  }

  Status Comment(const std::string& line) {
    const auto words = Split(line, ' ');
    if (words.size() < 3 || (words[1] != "HELP" && words[1] != "TYPE")) return {};  // plain
    const std::string& name = words[2];
    if (!IsMetricName(name)) return Bad("bad metric name in " + words[1]);
    auto family = Family(name);
    if (!family) return Fail(family.error());
    PromFamily& f = **family;
    if (!f.samples.empty()) return Bad(words[1] + " after samples of " + name);
    const size_t rest_at = 7 + name.size() + 1;
    const std::string rest = line.size() > rest_at ? line.substr(rest_at) : "";
    if (words[1] == "TYPE") {
      if (f.type != "untyped" || rest.empty()) return Bad("second or empty TYPE for " + name);
      if (rest != "counter" && rest != "gauge" && rest != "untyped") return Bad("type " + rest);
      if (rest == "counter" && !EndsWith(name, "_total")) return Bad("counter without _total");
      f.type = rest;
      return {};
    }
    if (!f.help.empty()) return Bad("second HELP for " + name);
    for (size_t i = 0; i < rest.size(); ++i) {
      if (rest[i] != '\\') {
        f.help += rest[i];
      } else if (i + 1 < rest.size() && (rest[i + 1] == '\\' || rest[i + 1] == 'n')) {
        f.help += rest[++i] == 'n' ? '\n' : '\\';
      } else {
        return Bad("bad escape in HELP");
      }
    }
    return {};
  }

  Status Sample(const std::string& line) {
    PromSample sample;
    size_t i = line.find_first_of("{ ");
    if (i == std::string::npos) return Bad("no value");
    sample.name = line.substr(0, i);
    if (!IsMetricName(sample.name)) return Bad("bad metric name " + sample.name);
    std::string key = sample.name + "{";
    if (line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        const size_t eq = line.find('=', i);
        if (eq == std::string::npos) return Bad("label without '='");
        const std::string label = line.substr(i, eq - i);
        if (!IsLabelName(label)) return Bad("bad label name " + label);
        if (eq + 1 >= line.size() || line[eq + 1] != '"') return Bad("unquoted label value");
        std::string value;
        for (i = eq + 2; i < line.size() && line[i] != '"'; ++i) {
          if (line[i] != '\\') {
            value += line[i];
            continue;
          }
          if (++i >= line.size()) return Bad("dangling escape");
          if (line[i] == 'n') {
            value += '\n';
          } else if (line[i] == '\\' || line[i] == '"') {
            value += line[i];
          } else {
            return Bad("bad escape in label value");
          }
        }
        if (i >= line.size()) return Bad("unterminated label value");
        if (!sample.labels.emplace(label, value).second) return Bad("duplicate label " + label);
        ++i;
        if (i < line.size() && line[i] == ',') ++i;
      }
      if (i >= line.size()) return Bad("unterminated label set");
      ++i;
    }
    for (const auto& [k, v] : sample.labels) key += k + "=" + v + ",";
    if (i >= line.size() || line[i] != ' ') return Bad("no space before value");
    const auto fields = Split(line.substr(i + 1), ' ');
    if (fields.empty() || fields.size() > 2) return Bad("expected value [timestamp]");
    auto value = ParseValue(fields[0]);
    if (!value) return Bad("bad value " + fields[0]);
    if (fields.size() == 2 && !ParseInt64(fields[1])) return Bad("bad timestamp");
    sample.value = *value;
    if (!series.insert(key).second) return Bad("duplicate series " + key);
    auto family = Family(sample.name);
    if (!family) return Fail(family.error());
    if ((*family)->type == "counter" && (std::isnan(sample.value) || sample.value < 0)) {
      return Bad("negative or NaN counter");
    }
    (*family)->samples.push_back(std::move(sample));
    return {};
  }
};

}  // namespace

Result<std::vector<PromFamily>> ParsePrometheusText(const std::string& text) {
  Parser parser;
  if (!text.empty() && text.back() != '\n') {
    return Fail(ErrorCode::kInvalidArgument, "end", "last line lacks a newline");
  }
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    ++parser.line_no;
    if (line.empty()) continue;
    const Status status = line.front() == '#' ? parser.Comment(line) : parser.Sample(line);
    if (!status) return Fail(status.error());
  }
  return parser.families;
}

const PromSample* FindSample(const std::vector<PromFamily>& families, const std::string& name,
                             const std::map<std::string, std::string>& labels) {
  for (const auto& family : families) {
    for (const auto& sample : family.samples) {
      if (sample.name == name && sample.labels == labels) return &sample;
    }
  }
  return nullptr;
}

}  // namespace agentboot::testing
