// Generates the sim's TLS material at start: a self-signed CA and a server certificate for
// 127.0.0.1 and localhost, signed by it.
#pragma once

#include <string>

#include "agentboot/base.h"

namespace agentboot::sim::detail {

struct TlsFiles {
  std::string ca_file;           // CA certificate (PEM): what clients trust
  std::string cert_file;         // server certificate (PEM)
  std::string private_key_file;  // server private key (PEM, mode 0600)
};

// Writes ca.pem, server.pem and server-key.pem into `directory`. kInternal when OpenSSL fails.
[[nodiscard]] Result<TlsFiles> GenerateTlsFiles(const std::string& directory);

}  // namespace agentboot::sim::detail
