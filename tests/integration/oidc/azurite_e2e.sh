#!/usr/bin/env bash
# Workload identity from anywhere, end to end, on loopback:
#   agentboot oidc keys -> discovery + jwks -> publish (bearer token from the host's identity, the
#   simulator's IMDS) to Azurite (Microsoft's storage emulator, OAuth "basic" over HTTPS) -> the
#   simulator's Entra trusts that issuer and fetches its documents from Azurite -> a token minted
#   with the key -> `agentboot token --identity workload` succeeds; with a space added to the
#   configured subject it fails and `oidc check` names the cause; a key that is not published fails
#   the signature check.
# Usage: azurite_e2e.sh <agentboot binary> <agentboot-sim binary>
set -euo pipefail
if [[ $# -ne 2 ]]; then
  echo "usage: $0 <agentboot> <agentboot-sim>" >&2
  exit 2
fi
agentboot="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
sim_bin="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ ! -d "$here/node_modules" ]]; then
  # The lock file pins every package; nothing else is fetched at test time.
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
passed=0
failed=0
check() {  # check NAME COMMAND...: runs the command, counts and reports the result
  local name="$1"
  shift
  if "$@"; then
    passed=$((passed + 1))
    echo "ok   $name"
  else
    failed=$((failed + 1))
    echo "FAIL $name"
  fi
}
wait_for() {  # wait_for FILE PATTERN: up to 60 s for PATTERN to appear in FILE
  for _ in $(seq 1 600); do
    if grep -q "$2" "$1" 2>/dev/null; then return 0; fi
    kill -0 "${pids[-1]}" 2>/dev/null || break  # the process that writes it has exited
    sleep 0.1
  done
  echo "timed out waiting for '$2' in $1:" >&2
  cat "$1" >&2 || true
  return 1
}

# A throwaway CA and a server certificate for 127.0.0.1, for Azurite's HTTPS listener (Azurite
# accepts bearer tokens over HTTPS only: BlobTokenAuthenticator.validate).
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 1 \
  -subj "/CN=agentboot oidc test CA" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout azurite.key -out azurite.csr \
  -subj "/CN=127.0.0.1" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > ext.cnf
openssl x509 -req -in azurite.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 \
  -extfile ext.cnf -out azurite.pem 2>/dev/null

# Azurite in OAuth "basic" mode: it checks a bearer token's iss (an Entra STS prefix), aud (Azure
# Storage's) and lifetime, not its signature (BlobTokenAuthenticator.authenticateBasic).
"$here/node_modules/.bin/azurite-blob" --blobHost 127.0.0.1 --blobPort 0 --oauth basic \
  --cert azurite.pem --key azurite.key --inMemoryPersistence \
  --disableTelemetry > azurite.log 2>&1 &
pids+=($!)
wait_for azurite.log "successfully listens on https://"
storage="$(grep -o 'https://127.0.0.1:[0-9]*' azurite.log | head -1)"

# The simulator's Entra trusts Azurite's CA when it fetches a federated issuer's documents.
"$sim_bin" --quiet --issuer-ca-file ca.pem --env-file sim.env > sim.log 2>&1 &
pids+=($!)
wait_for sim.env "AGENTBOOT_SIM_CONTROL="
set -a
# shellcheck disable=SC1091
. ./sim.env
set +a
cat ca.pem "$AGENTBOOT_SIM_CA_FILE" > trust.pem  # agentboot talks to both over HTTPS

endpoint="$storage/devstoreaccount1"  # Azurite's path-style blob endpoint
issuer="$endpoint/oidc/"
subject="system:serviceaccount:agents:agentboot"

# 1-2. Keys, discovery document, JWKS.
check "oidc keys" "$agentboot" oidc keys --out keys
key="$(ls keys/sa-*.key)"
pub="$(ls keys/sa-*.pub)"
check "oidc discovery" "$agentboot" oidc discovery --issuer "$issuer" --out openid-configuration.json
check "oidc jwks" "$agentboot" oidc jwks --public-key "$pub" --out jwks.json
check "jwks kid is the openssl kid" test "$(jq -r '.keys[0].kid' jwks.json)" = \
  "$(openssl pkey -pubin -in "$pub" -outform DER | openssl dgst -sha256 -binary | base64 |
    tr '+/' '-_' | tr -d '=')"

# 3. Publish with the host's identity (the simulator's IMDS): no key, no SAS.
anonymous_put() {
  curl -s -o /dev/null -w '%{http_code}' --cacert ca.pem -X PUT -H 'x-ms-blob-type: BlockBlob' \
    -H 'x-ms-version: 2021-08-06' --data-binary @jwks.json "$issuer$1"
}
check "publish" "$agentboot" --identity imds --ca-file trust.pem oidc publish \
  --endpoint "$endpoint" --container oidc --create-container
check "Azurite refuses an anonymous write" test "$(anonymous_put openid/v1/jwks)" -ge 400
for doc in ".well-known/openid-configuration:openid-configuration.json" "openid/v1/jwks:jwks.json"; do
  path="${doc%%:*}"
  file="${doc#*:}"
  curl -s --cacert ca.pem -D "$file.headers" -o "$file.served" "$issuer$path"
  check "anonymous GET $path returns the same bytes" cmp -s "$file" "$file.served"
  check "GET $path is application/json" grep -qi '^content-type: application/json' "$file.headers"
done

# 4. A federated credential whose subject has a space added: Entra refuses, check names it.
add_credential() {
  curl -s -o /dev/null -w '%{http_code}' -X POST "$AGENTBOOT_SIM_CONTROL/federated-credentials" \
    -d "{\"issuer\":\"$issuer\",\"subject\":\"$1\",\"audience\":\"api://AzureADTokenExchange\"}"
}
check "credential with a space added" test "$(add_credential "$subject ")" = 200
check "oidc token" "$agentboot" oidc token --key "$key" --issuer "$issuer" --subject "$subject" \
  --out token
export AZURE_CLIENT_ID="$AGENTBOOT_SIM_WORKLOAD_CLIENT_ID" AZURE_TENANT_ID="$AGENTBOOT_SIM_TENANT_ID"
export AZURE_FEDERATED_TOKEN_FILE="$work/token" AZURE_AUTHORITY_HOST="$AGENTBOOT_SIM_WORKLOAD_AUTHORITY_HOST"
rc=0
"$agentboot" --identity workload --ca-file trust.pem token > token.out 2> token.err || rc=$?
check "token fails with the space (exit 4)" test "$rc" = 4
check "Entra says subject (AADSTS700213)" grep -q AADSTS700213 token.err
rc=0
"$agentboot" --ca-file trust.pem oidc check --issuer "$issuer" --subject "$subject " \
  --token-file token > check.out || rc=$?
check "oidc check fails (exit 4)" test "$rc" = 4
check "oidc check names the whitespace" grep -q "subject: 'system:serviceaccount:agents:agentboot ' contains whitespace" check.out
check "oidc check names the mismatch" grep -q "differ only in whitespace (Entra: AADSTS700213)" check.out
check "oidc check prints the Kubernetes subject" grep -q "^kubernetes subject: $subject (namespace agents, service account agentboot)" check.out
check "oidc check prints the az snippet" grep -q "^  --subject '$subject' " check.out

# 5. The right subject: the exchange succeeds (the simulator fetched Azurite's documents).
check "credential with the right subject" test "$(add_credential "$subject")" = 200
rc=0
"$agentboot" --identity workload --ca-file trust.pem token > token.out 2> token.err || rc=$?
check "token --identity workload succeeds" test "$rc" = 0
check "the token came from the workload source" grep -q "^source    : workload" token.out
rc=0
"$agentboot" --ca-file trust.pem oidc check --issuer "$issuer" --subject "$subject" \
  --token-file token > check.out || rc=$?
check "oidc check passes" test "$rc" = 0
check "oidc check says ok" grep -q "^ok: Entra would accept this credential and this token" check.out

# 6. A key that was never published: the signature check against Azurite's JWKS fails.
"$agentboot" oidc keys --out other > /dev/null
"$agentboot" oidc token --key "$(ls other/sa-*.key)" --issuer "$issuer" --subject "$subject" \
  --out token > /dev/null
rc=0
"$agentboot" --identity workload --ca-file trust.pem token > token.out 2> token.err || rc=$?
check "unpublished key is refused (exit 4)" test "$rc" = 4
check "Entra says signature (AADSTS700027)" grep -q AADSTS700027 token.err
rc=0
"$agentboot" --ca-file trust.pem oidc check --issuer "$issuer" --subject "$subject" \
  --token-file token > check.out || rc=$?
check "oidc check finds no key for the kid" grep -q "the JWKS has no key with the token's kid" check.out

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
