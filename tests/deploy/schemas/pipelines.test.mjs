// pipelines/*.yml against Microsoft's published Azure Pipelines schema
// (../shared/schemas/azure-pipelines/service-schema.json, from microsoft/azure-pipelines-vscode),
// plus the example's promise: a self-hosted agentboot pool, and Azure reached only through a
// service connection (workload identity federation), with no secret in the YAML.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv from "ajv";
import YAML from "yaml";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "../../..");
const schemaFile = join(root, "../shared/schemas/azure-pipelines/service-schema.json");
const schema = JSON.parse(readFileSync(schemaFile, "utf8"));
// The schema's patterns are written for non-Unicode regular expressions.
const ajv = new Ajv({ strict: false, unicodeRegExp: false });
const validate = ajv.compile(schema);

function load(name) {
  return YAML.parse(readFileSync(join(root, "pipelines", name), "utf8"));
}

test("every pipeline is valid against the Azure Pipelines schema", () => {
  const files = readdirSync(join(root, "pipelines")).filter((f) => /\.ya?ml$/.test(f));
  assert.ok(files.length >= 2, `pipelines: ${files}`);
  for (const file of files) {
    const ok = validate(load(file));
    assert.ok(ok, `${file}: ${ajv.errorsText(validate.errors)}`);
  }
});

test("the schema rejects what it should (the check can fail)", () => {
  const broken = load("azure-pipelines.yml");
  broken.stages[0].jobs[0].steps.push({ task: "PublishPipelineArtifact@1", inptus: {} });
  assert.equal(validate(broken), false);
  assert.equal(validate({ jobs: [{ job: "x", steps: [{ scriptt: "echo" }] }] }), false);
});

test("the example deploys from the agentboot pool with a federated service connection", () => {
  const example = load("deploy-example.yml");
  assert.equal(example.pool.name, "agentboot-linux");
  assert.ok(example.pool.demands.includes("agentboot"));
  const steps = example.stages.flatMap((s) => s.jobs)
    .flatMap((j) => j.strategy.runOnce.deploy.steps);
  const azure = steps.filter((s) => s.task === "AzureCLI@2");
  assert.ok(azure.length >= 2);
  for (const step of azure) {
    assert.equal(step.inputs.azureSubscription, "$(serviceConnection)");
  }
  assert.match(example.variables.serviceConnection, /wif/);
  const text = readFileSync(join(root, "pipelines/deploy-example.yml"), "utf8");
  assert.doesNotMatch(text, /clientSecret|AZP_TOKEN|personalAccessToken|password/i);
  assert.match(text, /images\/vmss\/main\.bicep/);
  assert.match(text, /kubectl apply -k images\/kubernetes\/keda/);
});
