// Small helpers: randomness from OpenSSL, timestamp formats, resource normalisation.
#include <array>
#include <ctime>

#include <openssl/rand.h>

#include "sim_internal.h"

namespace agentboot::sim::detail {

namespace {

std::tm UtcTm(TimePoint t) {
  const std::time_t seconds = static_cast<std::time_t>(ToUnixSeconds(t));
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return tm;
}

}  // namespace

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  // RAND_bytes only fails when the OS entropy source is broken; the sim cannot run then anyway.
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    std::abort();
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  for (const char c : raw) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(kHex[u >> 4]);
    out.push_back(kHex[u & 0x0f]);
  }
  return out;
}

std::string RandomGuid() {
  std::string hex = RandomHex(16);
  hex[12] = '4';                                              // version 4
  hex[16] = "89ab"[static_cast<unsigned char>(hex[16]) % 4];  // RFC 4122 variant
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

std::string UnixString(TimePoint t) { return std::to_string(ToUnixSeconds(t)); }

std::string FormatRfc1123(TimePoint t) {
  const std::tm tm = UtcTm(t);
  std::array<char, 64> buffer{};
  const size_t n = std::strftime(buffer.data(), buffer.size(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(buffer.data(), n);
}

std::string FormatAppService2017(TimePoint t) {
  const std::tm tm = UtcTm(t);
  const int hour12 = tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12;
  std::array<char, 64> buffer{};
  const int n = std::snprintf(buffer.data(), buffer.size(), "%d/%d/%d %d:%02d:%02d %s +00:00",
                              tm.tm_mon + 1, tm.tm_mday, tm.tm_year + 1900, hour12, tm.tm_min,
                              tm.tm_sec, tm.tm_hour < 12 ? "AM" : "PM");
  return std::string(buffer.data(), static_cast<size_t>(n > 0 ? n : 0));
}

std::string NormalizeResource(std::string_view resource_or_scope) {
  std::string resource = Trim(resource_or_scope);
  if (EndsWith(resource, "/.default")) resource.resize(resource.size() - 9);
  // Azure DevOps' resource URI and its application id name the same resource.
  std::string bare = resource;
  while (!bare.empty() && bare.back() == '/') bare.pop_back();
  if (EqualsIgnoreCase(bare, "https://app.vssps.visualstudio.com") ||
      EqualsIgnoreCase(bare, "api://499b84ac-1321-427f-aa17-267ca6975798")) {
    return std::string(kAzureDevOpsResource);
  }
  return resource;
}

}  // namespace agentboot::sim::detail
