// Builds a SimContext for unit tests (keys generated once per binary; no sockets).
#pragma once

#include <memory>

#include "sim_internal.h"

namespace agentboot::sim::testing {

// RSA generation is slow: make the two keys once per binary and copy them through PEM.
inline jose::RsaKey CachedKey(int which) {
  static const std::string pems[2] = {jose::RsaKey::Generate(2048)->PrivatePem().Reveal(),
                                      jose::RsaKey::Generate(2048)->PrivatePem().Reveal()};
  return std::move(*jose::RsaKey::FromPem(pems[which]));
}

inline std::unique_ptr<detail::SimContext> MakeContext() {
  SimConfig config;
  config.state_dir = "/nonexistent-state-dir";
  return std::make_unique<detail::SimContext>(config, CachedKey(0), CachedKey(1));
}

inline detail::HttpRequest Get(std::string path) {
  detail::HttpRequest request;
  request.method = "GET";
  request.path = std::move(path);
  return request;
}

}  // namespace agentboot::sim::testing
