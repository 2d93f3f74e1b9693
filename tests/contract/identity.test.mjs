// Fidelity contract: @azure/identity, unmodified, must obtain tokens from agentboot-sim through
// each route agentboot supports. The simulator is the binary named by AGENTBOOT_SIM_BIN (or an
// already running one described by the env file in AGENTBOOT_SIM_ENV_FILE).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { AZURE_DEVOPS, startSim } from "./sim_harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
let sim;
let vars;

before(async () => {
  sim = await startSim();
  vars = sim.vars;
});

after(() => sim?.stop());

// Runs get_token.mjs with exactly the variables of one host type (nothing inherited that an SDK
// would use to detect another one).
function getToken(flavour, extraEnv) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(AZURE_|IDENTITY_|MSI_|IMDS_|NODE_EXTRA_CA_CERTS$)/.test(key)) continue;
    env[key] = value;
  }
  // The simulator is local: no proxy may intercept it.
  env.NO_PROXY = "127.0.0.1,localhost";
  Object.assign(env, extraEnv);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [join(here, "get_token.mjs"), flavour],
      { env, cwd: here, timeout: 60000 }, (error, stdout, stderr) => {
        let result;
        try {
          result = JSON.parse(stdout);
        } catch {
          return reject(new Error(`${flavour}: no JSON output (${error}); stderr: ${stderr}`));
        }
        if (result.error) return reject(new Error(`${flavour}: ${result.error}`));
        resolve(result);
      });
  });
}

function claimsOf(token) {
  const payload = token.split(".")[1];
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
}

test("ManagedIdentityCredential via the IMDS override (system-assigned)", async () => {
  const { token, expiresOn } = await getToken("imds", {
    AZURE_POD_IDENTITY_AUTHORITY_HOST: vars.AZURE_POD_IDENTITY_AUTHORITY_HOST,
  });
  const claims = claimsOf(token);
  assert.equal(claims.aud, AZURE_DEVOPS);
  assert.equal(claims.oid, vars.AGENTBOOT_SIM_SYSTEM_ASSIGNED_OBJECT_ID);
  assert.ok(expiresOn > Date.now() + 3600 * 1000, "a managed identity token lives ~24 h");
});

test("ManagedIdentityCredential via IMDS with a user-assigned client id", async () => {
  const { token } = await getToken("imds-user-assigned", {
    AZURE_POD_IDENTITY_AUTHORITY_HOST: vars.AZURE_POD_IDENTITY_AUTHORITY_HOST,
    SIM_USER_ASSIGNED_CLIENT_ID: vars.AGENTBOOT_SIM_USER_ASSIGNED_CLIENT_ID,
  });
  const claims = claimsOf(token);
  assert.equal(claims.aud, AZURE_DEVOPS);
  assert.equal(claims.oid, vars.AGENTBOOT_SIM_USER_ASSIGNED_OBJECT_ID);
});

test("ManagedIdentityCredential via App Service (IDENTITY_ENDPOINT/IDENTITY_HEADER)", async () => {
  const { token } = await getToken("appservice", {
    IDENTITY_ENDPOINT: vars.AGENTBOOT_SIM_APPSERVICE_IDENTITY_ENDPOINT,
    IDENTITY_HEADER: vars.AGENTBOOT_SIM_APPSERVICE_IDENTITY_HEADER,
  });
  const claims = claimsOf(token);
  assert.equal(claims.aud, AZURE_DEVOPS);
  assert.equal(claims.oid, vars.AGENTBOOT_SIM_SYSTEM_ASSIGNED_OBJECT_ID);
});

test("WorkloadIdentityCredential over TLS with the sim's federated token", async () => {
  const { token } = await getToken("workload", {
    NODE_EXTRA_CA_CERTS: vars.AGENTBOOT_SIM_CA_FILE,
    AZURE_AUTHORITY_HOST: vars.AGENTBOOT_SIM_WORKLOAD_AUTHORITY_HOST,
    AZURE_TENANT_ID: vars.AGENTBOOT_SIM_WORKLOAD_TENANT_ID,
    AZURE_CLIENT_ID: vars.AGENTBOOT_SIM_WORKLOAD_CLIENT_ID,
    AZURE_FEDERATED_TOKEN_FILE: vars.AGENTBOOT_SIM_WORKLOAD_FEDERATED_TOKEN_FILE,
  });
  const claims = claimsOf(token);
  assert.equal(claims.aud, AZURE_DEVOPS);
  assert.equal(claims.oid, vars.AGENTBOOT_SIM_WORKLOAD_OBJECT_ID);
  assert.equal(claims.appid, vars.AGENTBOOT_SIM_WORKLOAD_CLIENT_ID);
});
