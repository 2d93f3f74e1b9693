#include "agentboot/identity.h"

namespace agentboot::identity {

namespace {
constexpr std::string_view kDefaultSuffix = "/.default";
}  // namespace

std::string TokenRequest::Scope() const {
  // A value that already has a '/' is a full scope (or a resource URI with a path): keep it.
  if (resource.find('/') != std::string::npos) return resource;
  return resource + std::string(kDefaultSuffix);
}

std::string ResourceFromScope(std::string_view scope) {
  if (EndsWith(scope, kDefaultSuffix)) scope.remove_suffix(kDefaultSuffix.size());
  return std::string(scope);
}

}  // namespace agentboot::identity
