// Fidelity contract: Microsoft's azure-devops-node-api, unmodified, must work against
// agentboot-sim's Azure DevOps with a managed identity token from the sim's IMDS: connect, list
// pools, add, find, get and delete an agent, and report a bad token as a 401.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import * as azdev from "azure-devops-node-api";
import { AZURE_DEVOPS, startSim } from "./sim_harness.mjs";

// The simulator is local: the library must not route it through a proxy from the environment.
for (const name of ["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"]) {
  delete process.env[name];
}

let sim;
let orgUrl;
let token;

async function imdsToken(host) {
  const url = `${host}/metadata/identity/oauth2/token?api-version=2018-02-01` +
    `&resource=${AZURE_DEVOPS}`;
  const response = await fetch(url, { headers: { Metadata: "true" } });
  assert.equal(response.status, 200, "IMDS must issue a token");
  const body = await response.json();
  assert.ok(body.access_token, "IMDS answer carries access_token");
  return body.access_token;
}

function connection(bearer) {
  return new azdev.WebApi(orgUrl, azdev.getBearerHandler(bearer));
}

// An agent body as config.sh sends it: the public half of a fresh 2048-bit RSA key, exponent
// and modulus in standard base64.
function agentBody(name) {
  const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = publicKey.export({ format: "jwk" });
  const base64 = (value) => Buffer.from(value, "base64url").toString("base64");
  return {
    name,
    version: "4.255.0",
    osDescription: "Linux contract test",
    enabled: true,
    maxParallelism: 1,
    authorization: { publicKey: { exponent: base64(jwk.e), modulus: base64(jwk.n) } },
  };
}

before(async () => {
  sim = await startSim();
  orgUrl = sim.vars.AZP_URL;
  assert.ok(orgUrl, "the env file names AZP_URL");
  token = await imdsToken(sim.vars.AZURE_POD_IDENTITY_AUTHORITY_HOST);
});

after(() => sim?.stop());

test("connect() returns connectionData naming the managed identity", async () => {
  const data = await connection(token).connect();
  assert.equal(data.authenticatedUser.id, sim.vars.AGENTBOOT_SIM_SYSTEM_ASSIGNED_OBJECT_ID);
  assert.equal(data.authorizedUser.id, data.authenticatedUser.id);
  assert.ok(data.instanceId, "connectionData carries instanceId");
});

test("getAgentPools() lists the Default and linux pools", async () => {
  const agentApi = await connection(token).getTaskAgentApi();
  const pools = await agentApi.getAgentPools();
  const names = pools.map((pool) => pool.name);
  assert.ok(names.includes("Default"), `pools: ${names}`);
  assert.ok(names.includes("linux"), `pools: ${names}`);
  const only = await agentApi.getAgentPools("Default");
  assert.deepEqual(only.map((pool) => [pool.id, pool.name]), [[1, "Default"]]);
});

test("addAgent, getAgents by name, getAgent and deleteAgent round-trip", async () => {
  const agentApi = await connection(token).getTaskAgentApi();
  const name = `contract-${randomBytes(4).toString("hex")}`;

  const added = await agentApi.addAgent(agentBody(name), 1);
  assert.equal(added.name, name);
  assert.ok(Number.isInteger(added.id) && added.id > 0, "the server assigns an id");
  assert.ok(added.authorization?.clientId, "the server assigns a clientId");
  assert.ok(added.authorization?.authorizationUrl, "the server names the token endpoint");
  assert.ok(added.createdOn instanceof Date, "dates are deserialised by the library");

  const found = await agentApi.getAgents(1, name);
  assert.deepEqual(found.map((agent) => agent.id), [added.id]);

  const fetched = await agentApi.getAgent(1, added.id, true);
  assert.equal(fetched.name, name);
  assert.equal(fetched.version, "4.255.0");
  assert.equal(fetched.authorization.clientId, added.authorization.clientId);

  await agentApi.deleteAgent(1, added.id);
  assert.deepEqual(await agentApi.getAgents(1, name), []);
  // typed-rest-client turns the server's 404 into a null result rather than an error.
  assert.equal(await agentApi.getAgent(1, added.id), null);
  const raw = await fetch(`${orgUrl}/_apis/distributedtask/pools/1/agents/${added.id}`, {
    headers: { Authorization: `Bearer ${token}`, Accept: "application/json" },
  });
  assert.equal(raw.status, 404);
  assert.equal((await raw.json()).typeKey, "TaskAgentNotFoundException");
});

test("a bad token is reported as a 401 authentication failure", async () => {
  const bogus = connection("not-a-valid-token");
  await assert.rejects(bogus.connect(), (error) => {
    assert.equal(error.statusCode, 401, String(error));
    return true;
  });
  await assert.rejects(async () => {
    const agentApi = await bogus.getTaskAgentApi();
    await agentApi.getAgentPools();
  }, (error) => {
    assert.equal(error.statusCode, 401, String(error));
    return true;
  });
});
