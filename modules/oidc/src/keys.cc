// Service-account signing keys: reading every key a PEM file holds, the way client-go's
// keyutil.ParsePublicKeysPEM does (kubernetes/client-go util/keyutil/key.go), and writing new ones.
#include "agentboot/oidc.h"

namespace agentboot::oidc {
namespace {

struct PemBlock {
  std::string label;
  std::string text;  // BEGIN line through END line
};

std::vector<PemBlock> SplitPem(std::string_view pem) {
  static constexpr std::string_view kBegin = "-----BEGIN ";
  static constexpr std::string_view kEnd = "-----END ";
  std::vector<PemBlock> blocks;
  size_t pos = 0;
  while ((pos = pem.find(kBegin, pos)) != std::string_view::npos) {
    const size_t label_end = pem.find("-----", pos + kBegin.size());
    if (label_end == std::string_view::npos) break;
    const std::string label(pem.substr(pos + kBegin.size(), label_end - pos - kBegin.size()));
    const std::string end_marker = std::string(kEnd) + label + "-----";
    const size_t end = pem.find(end_marker, label_end);
    if (end == std::string_view::npos) break;
    blocks.push_back({label, std::string(pem.substr(pos, end + end_marker.size() - pos)) + "\n"});
    pos = end + end_marker.size();
  }
  return blocks;
}

}  // namespace

Result<std::vector<jose::RsaKey>> ParseKeys(std::string_view pem, std::string_view context) {
  std::vector<jose::RsaKey> keys;
  bool saw_pkcs1_public = false;
  for (const PemBlock& block : SplitPem(pem)) {
    // Kubernetes reads the DER as PKIX or a certificate, so PKCS#1 public keys never parse.
    if (block.label == "RSA PUBLIC KEY") {
      saw_pkcs1_public = true;
      continue;
    }
    if (auto key = jose::RsaKey::FromPem(block.text)) keys.push_back(std::move(*key));
  }
  if (!keys.empty()) return keys;
  std::string advice =
      "Give a PEM RSA private key (PKCS#1 or PKCS#8), a PKIX \"PUBLIC KEY\" or a certificate.";
  if (saw_pkcs1_public) {
    advice =
        "Kubernetes and azwi do not read \"RSA PUBLIC KEY\" (PKCS#1) blocks: convert it with "
        "`openssl rsa -RSAPublicKey_in -pubout`.";
  }
  return Fail(ErrorCode::kInvalidArgument, std::string(context),
              "no RSA key found (EC keys are not supported)", advice);
}

Result<std::vector<jose::RsaKey>> LoadKeys(FileSystem& fs, const std::string& path) {
  auto text = fs.ReadFile(path);
  if (!text) {
    return Fail(
        text.error().code == ErrorCode::kNotFound ? ErrorCode::kInvalidArgument : text.error().code,
        "read " + path, text.error().detail, "Check the key file's path and permissions.");
  }
  return ParseKeys(*text, path);
}

Result<KeyFiles> WriteKeyFiles(FileSystem& fs, const std::string& dir, const jose::RsaKey& key) {
  KeyFiles files;
  files.kid = jose::KeyId(key);
  const std::string base = JoinUrl(dir, "sa-" + files.kid.substr(0, 12));
  files.public_path = base + ".pub";
  if (key.has_private()) files.private_path = base + ".key";
  for (const std::string& path : {files.private_path, files.public_path}) {
    if (!path.empty() && fs.Exists(path)) {
      return Fail(ErrorCode::kAlreadyExists, "write " + path, "the file exists",
                  "Keys are never overwritten: remove it or choose another --out directory.");
    }
  }
  if (auto made = fs.CreateDirectories(dir, 0700); !made) return Fail(made.error());
  if (key.has_private()) {
    // The private key first: a public key without its private half is of no use.
    if (auto written = fs.WriteFileAtomic(files.private_path, key.PrivatePem().Reveal(), 0600);
        !written) {
      return Fail(written.error());
    }
  }
  if (auto written = fs.WriteFileAtomic(files.public_path, key.PublicPem(), 0644); !written) {
    return Fail(written.error());
  }
  return files;
}

}  // namespace agentboot::oidc
