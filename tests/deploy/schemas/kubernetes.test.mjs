// images/kubernetes: every manifest a kustomization lists is valid against the Kubernetes
// (kubernetes-models) and KEDA (@kubernetes-models/keda) schemas, uses no field those models do
// not know (the schemas accept unknown keys, a typo would pass), and keeps the contract the
// README promises: workload identity, no PAT, preStop drain, grace period above the drain,
// probes on /healthz and /readyz, the placeholder agent as KEDA's parent.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "../../..");
const k8s = join(root, "images/kubernetes");

const models = {
  "v1/ServiceAccount": "kubernetes-models/v1/ServiceAccount",
  "batch/v1/Job": "kubernetes-models/batch/v1/Job",
  "batch/v1/CronJob": "kubernetes-models/batch/v1/CronJob",
  "apps/v1/Deployment": "kubernetes-models/apps/v1/Deployment",
  "keda.sh/v1alpha1/ScaledJob": "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledJob",
  "keda.sh/v1alpha1/TriggerAuthentication":
    "@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication",
};

// kustomize build, as far as these manifests need it: resources (files or folders with a
// kustomization), namespace and images.
function build(dir) {
  const kustomization = YAML.parse(readFileSync(join(dir, "kustomization.yaml"), "utf8"));
  assert.equal(kustomization.kind, "Kustomization", dir);
  const docs = [];
  for (const resource of kustomization.resources) {
    const path = join(dir, resource);
    assert.ok(existsSync(path), `${dir}: resource ${resource} does not exist`);
    if (statSync(path).isDirectory()) docs.push(...build(path));
    else docs.push(...YAML.parseAllDocuments(readFileSync(path, "utf8")).map((d) => d.toJS()));
  }
  for (const doc of docs) {
    if (kustomization.namespace) doc.metadata.namespace = kustomization.namespace;
    for (const image of kustomization.images ?? []) {
      for (const c of containersOf(doc)) {
        if (c.image === image.name) c.image = `${image.newName}:${image.newTag}`;
      }
    }
  }
  return docs;
}

function podSpecOf(doc) {
  if (doc.kind === "Deployment" || doc.kind === "Job") return doc.spec.template.spec;
  if (doc.kind === "CronJob") return doc.spec.jobTemplate.spec.template.spec;
  if (doc.kind === "ScaledJob") return doc.spec.jobTargetRef.template.spec;
  return undefined;
}
function podLabelsOf(doc) {
  if (doc.kind === "ScaledJob") return doc.spec.jobTargetRef.template.metadata.labels;
  if (doc.kind === "CronJob") return doc.spec.jobTemplate.spec.template.metadata.labels;
  return doc.spec.template.metadata.labels;
}
function containersOf(doc) {
  return podSpecOf(doc)?.containers ?? [];
}

// The property names a model's TypeScript interface declares.
function knownKeys(module) {
  const dts = readFileSync(join(here, "node_modules", `${module}.d.ts`), "utf8");
  const block = dts.slice(dts.indexOf("export interface"), dts.indexOf("\n}", dts.indexOf("export interface")));
  return new Set([...block.matchAll(/^ {4}"?([A-Za-z0-9_$]+)"?\??:/gm)].map((m) => m[1]));
}
function assertKnownKeys(object, module, where) {
  const known = knownKeys(module);
  for (const key of Object.keys(object ?? {})) {
    assert.ok(known.has(key), `${where}: unknown field '${key}' (${module})`);
  }
}
function assertPodFieldsKnown(doc, where) {
  const pod = podSpecOf(doc);
  assertKnownKeys(pod, "kubernetes-models/v1/PodSpec", `${where} pod`);
  for (const c of pod.containers) {
    assertKnownKeys(c, "kubernetes-models/v1/Container", `${where} container`);
    assertKnownKeys(c.livenessProbe, "kubernetes-models/v1/Probe", `${where} livenessProbe`);
    assertKnownKeys(c.readinessProbe, "kubernetes-models/v1/Probe", `${where} readinessProbe`);
    assertKnownKeys(c.lifecycle, "kubernetes-models/v1/Lifecycle", `${where} lifecycle`);
    assertKnownKeys(c.securityContext, "kubernetes-models/v1/SecurityContext", `${where} securityContext`);
  }
}

async function validate(doc, where) {
  const module = models[`${doc.apiVersion}/${doc.kind}`];
  assert.ok(module, `${where}: no schema for ${doc.apiVersion} ${doc.kind}`);
  const exported = await import(module);
  const Model = exported[doc.kind];
  new Model(doc).validate();  // throws with the schema's message
  if (podSpecOf(doc)) assertPodFieldsKnown(doc, where);
}

function env(container, name) {
  return container.env?.find((e) => e.name === name)?.value;
}

// The pod contract both variants share.
function assertAgentPod(doc, drainTimeout) {
  const pod = podSpecOf(doc);
  const where = `${doc.kind}/${doc.metadata.name}`;
  assert.equal(pod.serviceAccountName, "agentboot", where);
  assert.equal(podLabelsOf(doc)["azure.workload.identity/use"], "true", where);
  const [c] = pod.containers;
  assert.equal(pod.securityContext.runAsNonRoot, true, where);
  assert.deepEqual(c.lifecycle.preStop.exec.command, ["/usr/bin/agentboot", "drain"], where);
  assert.equal(c.livenessProbe.httpGet.path, "/healthz", where);
  assert.equal(c.readinessProbe.httpGet.path, "/readyz", where);
  const port = c.ports.find((p) => p.name === c.livenessProbe.httpGet.port).containerPort;
  assert.equal(env(c, "AGENTBOOT_HEALTH_LISTEN"), `0.0.0.0:${port}`, where);
  assert.equal(Number(env(c, "AGENTBOOT_DRAIN_TIMEOUT")), drainTimeout, where);
  // The drain, the listener's stop (agentboot's default --stop-timeout, 120 s) and the
  // deregistration must fit in the grace period, or the kubelet kills the running job.
  assert.ok(pod.terminationGracePeriodSeconds >= drainTimeout + 120 + 60,
    `${where}: terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds} too short`);
}

function noPat(docs) {
  const text = JSON.stringify(docs);
  assert.doesNotMatch(text, /personalAccessToken|AZP_TOKEN|secretTargetRef/i);
}

test("keda variant: valid manifests, workload identity, placeholder parent, drain", async () => {
  const docs = build(join(k8s, "keda"));
  for (const doc of docs) await validate(doc, `keda ${doc.kind}/${doc.metadata.name}`);
  const byKind = Object.fromEntries(docs.map((d) => [d.kind, d]));
  assert.deepEqual(Object.keys(byKind).sort(),
    ["Job", "ScaledJob", "ServiceAccount", "TriggerAuthentication"]);
  for (const d of docs) assert.equal(d.metadata.namespace, "azp");
  const sa = byKind.ServiceAccount;
  assert.match(sa.metadata.annotations["azure.workload.identity/client-id"], /^[0-9a-f-]{36}$/);

  const auth = byKind.TriggerAuthentication;
  assertKnownKeys(auth.spec, "@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthenticationSpec", "auth");
  assertKnownKeys(auth.spec.podIdentity, "@kubernetes-models/keda/keda.sh/v1alpha1/AuthPodIdentity", "podIdentity");
  assert.equal(auth.spec.podIdentity.provider, "azure-workload");

  const scaled = byKind.ScaledJob;
  assertKnownKeys(scaled.spec, "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledJobSpec", "ScaledJob spec");
  const [trigger] = scaled.spec.triggers;
  assertKnownKeys(trigger, "@kubernetes-models/keda/keda.sh/v1alpha1/ScaleTriggers", "trigger");
  assert.equal(trigger.type, "azure-pipelines");
  assert.equal(trigger.authenticationRef.name, auth.metadata.name);
  assert.equal(scaled.spec.rollout.strategy, "gradual");
  const [worker] = containersOf(scaled);
  assert.deepEqual(worker.args, ["run", "--once"]);
  assert.equal(trigger.metadata.poolName, env(worker, "AZP_POOL"));
  assert.ok(worker.env.some((e) => e.name === trigger.metadata.organizationURLFromEnv));
  assert.equal(worker.image, "registry.example.com/agentboot:0.1.0");
  assertAgentPod(scaled, 600);

  // The placeholder is the parent KEDA matches demands against, registered the same way.
  const placeholder = byKind.Job;
  const [p] = containersOf(placeholder);
  assert.deepEqual(p.args.slice(0, 2), ["register", "--placeholder"]);
  assert.equal(p.args[p.args.indexOf("--agent-name") + 1], trigger.metadata.parent);
  assert.equal(env(p, "AZP_POOL"), trigger.metadata.poolName);
  assert.equal(podSpecOf(placeholder).serviceAccountName, "agentboot");
  assert.equal(podLabelsOf(placeholder)["azure.workload.identity/use"], "true");
  noPat(docs);
});

test("deployment variant: valid manifests, drain on stop", async () => {
  const docs = build(join(k8s, "deployment"));
  for (const doc of docs) await validate(doc, `deployment ${doc.kind}/${doc.metadata.name}`);
  const deployment = docs.find((d) => d.kind === "Deployment");
  assertKnownKeys(deployment.spec, "kubernetes-models/apps/v1/DeploymentSpec", "Deployment spec");
  assert.deepEqual(containersOf(deployment)[0].args, ["run"]);
  assert.equal(deployment.spec.strategy.rollingUpdate.maxUnavailable, 0);
  assertAgentPod(deployment, 600);
  noPat(docs);
});

test("the checks catch a broken manifest", async () => {
  const [scaled] = build(join(k8s, "keda")).filter((d) => d.kind === "ScaledJob");
  const typo = structuredClone(scaled);
  typo.spec.jobTargetRef.template.spec.containers[0].lifecyle = {};
  assert.throws(() => assertPodFieldsKnown(typo, "typo"), /unknown field 'lifecyle'/);
  const wrongType = structuredClone(scaled);
  wrongType.spec.jobTargetRef.template.spec.terminationGracePeriodSeconds = "840";
  await assert.rejects(validate(wrongType, "wrong type"));
  const short = structuredClone(scaled);
  short.spec.jobTargetRef.template.spec.terminationGracePeriodSeconds = 600;
  assert.throws(() => assertAgentPod(short, 600), /too short/);
});
