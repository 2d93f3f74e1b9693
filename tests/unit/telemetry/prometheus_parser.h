// A strict parser for the Prometheus text exposition format 0.0.4, for tests only: it rejects
// what a lenient scraper might accept (samples before their TYPE, split families, duplicate
// series, bad names or escapes) so the tests catch output a real Prometheus could misread.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "agentboot/base.h"

namespace agentboot::testing {

struct PromSample {
  std::string name;
  std::map<std::string, std::string> labels;  // unescaped values
  double value = 0;
};

struct PromFamily {
  std::string name;
  std::string type;  // counter, gauge, untyped (summary/histogram are rejected: not used here)
  std::string help;  // unescaped
  std::vector<PromSample> samples;
};

// Families in input order. kInvalidArgument with the line number on the first violation.
Result<std::vector<PromFamily>> ParsePrometheusText(const std::string& text);

// Convenience for assertions: the value of one series, if present.
const PromSample* FindSample(const std::vector<PromFamily>& families, const std::string& name,
                             const std::map<std::string, std::string>& labels = {});

}  // namespace agentboot::testing
