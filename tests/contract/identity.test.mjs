// Fidelity contract: @azure/identity, unmodified, must obtain tokens from agentboot-sim through
// each route agentboot supports. The simulator is the binary named by AGENTBOOT_SIM_BIN (or an
// already running one described by the env file in AGENTBOOT_SIM_ENV_FILE).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFile } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const AZURE_DEVOPS = "499b84ac-1321-427f-aa17-267ca6975798";
let sim;
let workdir;
let vars;

function parseEnvFile(text) {
  const out = {};
  for (const line of text.split("\n")) {
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    let value = line.slice(eq + 1);
    if (value.startsWith("'")) value = value.slice(1, -1).replaceAll("'\\''", "'");
    out[line.slice(0, eq)] = value;
  }
  return out;
}

async function waitForFile(path, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`${path} did not appear`);
    if (sim && sim.exitCode !== null) throw new Error(`agentboot-sim exited (${sim.exitCode})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

before(async () => {
  let envFile = process.env.AGENTBOOT_SIM_ENV_FILE;
  if (process.env.AGENTBOOT_SIM_BIN) {
    workdir = mkdtempSync(join(tmpdir(), "agentboot-contract-"));
    envFile = join(workdir, "sim.env");
    sim = spawn(process.env.AGENTBOOT_SIM_BIN,
      ["--env-file", envFile, "--state-dir", join(workdir, "state"), "--quiet"],
      { stdio: ["ignore", "inherit", "inherit"] });
  }
  assert.ok(envFile, "set AGENTBOOT_SIM_BIN or AGENTBOOT_SIM_ENV_FILE");
  await waitForFile(envFile, 30000);
  vars = parseEnvFile(readFileSync(envFile, "utf8"));
});

after(() => {
  if (sim && sim.exitCode === null) sim.kill("SIGTERM");
  if (workdir) rmSync(workdir, { recursive: true, force: true });
});

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
