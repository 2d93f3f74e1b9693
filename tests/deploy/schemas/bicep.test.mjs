// images/vmss/main.bicep, checked offline (no Bicep compiler here): the custom script
// extension's command line uses only options install-agentboot.sh accepts and passes every one it
// requires; every ${...} names a declared parameter, variable or resource; and the timing chain
// holds for every allowed drain timeout: drain + margin <= systemd's TimeoutStopSec (the drop-in
// the script writes) <= the terminate notice, which Azure bounds to 5..15 minutes. The same
// margin is in the Bicep file, the script and the unit; the health probe hits agentboot's port.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const vmss = join(here, "../../../images/vmss");
const bicep = readFileSync(join(vmss, "main.bicep"), "utf8");
const script = readFileSync(join(vmss, "install-agentboot.sh"), "utf8");
const unit = readFileSync(join(vmss, "agentboot.service"), "utf8");
const defaults = readFileSync(join(vmss, "default"), "utf8");

function bicepParams(text) {
  const params = {};
  const re = /((?:@\w+\([^)]*\)\s*\n)*)param (\w+) (\w+)(?: = (.+))?/g;
  for (const m of text.matchAll(re)) {
    const decorators = Object.fromEntries([...m[1].matchAll(/@(\w+)\(([^)]*)\)/g)].map((d) => [d[1], d[2]]));
    params[m[2]] = { type: m[3], default: m[4], decorators };
  }
  return params;
}
const declared = (text) => new Set([
  ...Object.keys(bicepParams(text)),
  ...[...text.matchAll(/^(?:var|resource) (\w+)/gm)].map((m) => m[1]),
]);
const variable = (text, name) => text.match(new RegExp(`^var ${name} = (.+)$`, "m"))?.[1];
const scriptOptions = (text) => new Set([...text.matchAll(/^\s+(--[a-z-]+)\)/gm)].map((m) => m[1]));
const commandLine = (text) => text.match(/commandToExecute: '(.+)'$/m)?.[1];

// Evaluates the Bicep notice formula: max(a, b) and integer division, as Bicep does.
function noticeMinutes(text, drain) {
  const formula = variable(text, "terminateNoticeMinutes");
  const m = formula?.match(/^max\((\d+), \(drainTimeoutSeconds \+ stopMarginSeconds \+ (\d+)\) \/ 60\)$/);
  assert.ok(m, `unexpected terminateNoticeMinutes formula: ${formula}`);
  const margin = Number(variable(text, "stopMarginSeconds"));
  return Math.max(Number(m[1]), Math.trunc((drain + margin + Number(m[2])) / 60));
}

function checkCommand(text, options) {
  const command = commandLine(text);
  assert.ok(command, "no commandToExecute");
  assert.match(command, /^bash install-agentboot\.sh /);
  const used = [...command.matchAll(/ (--[a-z-]+) /g)].map((m) => m[1]);
  for (const option of used) assert.ok(options.has(option), `the script has no ${option}`);
  for (const required of ["--org-url", "--pool"]) assert.ok(used.includes(required), `${required} missing`);
  const names = declared(text);
  for (const [, expr] of text.matchAll(/\$\{([^}]+)\}/g)) {
    const name = expr.match(/^\w+/)[0];
    assert.ok(names.has(name), `\${${expr}} names nothing declared`);
  }
  return used;
}

test("the extension's command line matches install-agentboot.sh", () => {
  const options = scriptOptions(script);
  assert.ok(options.has("--org-url") && options.has("--drain-timeout"), [...options].join(" "));
  const used = checkCommand(bicep, options);
  assert.deepEqual(used, ["--org-url", "--pool", "--client-id", "--drain-timeout", "--package"]);
  const command = commandLine(bicep);
  assert.match(command, /--client-id \$\{identity\.properties\.clientId\}/);
  assert.match(command, /--drain-timeout \$\{drainTimeoutSeconds\}/);
  assert.match(bicep, /type: 'UserAssigned'/);
  assert.match(bicep, /fileUris: \[\s+scriptUrl\s+packageUrl\s+\]/);
});

test("drain, systemd stop timeout and terminate notice fit for every allowed drain timeout", () => {
  const params = bicepParams(bicep);
  const drain = params.drainTimeoutSeconds;
  const [min, max] = [Number(drain.decorators.minValue), Number(drain.decorators.maxValue)];
  assert.ok(min > 0 && max > min);
  const margin = Number(variable(bicep, "stopMarginSeconds"));
  assert.equal(Number(script.match(/stop_margin=(\d+)/)[1]), margin, "script and Bicep margins differ");
  const stopTimeout = Number(unit.match(/--stop-timeout (\d+)/)[1]);
  assert.ok(stopTimeout < margin, "the listener's stop does not fit in the margin");
  const defaultDrain = Number(defaults.match(/^AGENTBOOT_DRAIN_TIMEOUT=(\d+)$/m)[1]);
  assert.equal(Number(unit.match(/^TimeoutStopSec=(\d+)$/m)[1]), defaultDrain + margin, "unit vs default drain");
  assert.equal(Number(drain.default), defaultDrain, "Bicep default vs package default");
  for (let seconds = min; seconds <= max; seconds++) {
    const minutes = noticeMinutes(bicep, seconds);
    const timeoutStopSec = seconds + margin;  // the drop-in install-agentboot.sh writes
    assert.ok(minutes >= 5 && minutes <= 15, `drain ${seconds}: notice ${minutes} min outside 5..15`);
    assert.ok(timeoutStopSec <= minutes * 60, `drain ${seconds}: systemd waits longer than the notice`);
  }
  assert.ok(noticeMinutes(bicep, max + 60) > 15, "maxValue is not the largest drain that fits");
  assert.match(bicep, /notBeforeTimeout: 'PT\$\{terminateNoticeMinutes\}M'/);
  assert.match(bicep, /terminateNotificationProfile: \{\s+enable: true/);
});

test("the health extension probes agentboot's /healthz", () => {
  const port = Number(defaults.match(/^AGENTBOOT_HEALTH_LISTEN=[\d.]+:(\d+)$/m)[1]);
  assert.equal(Number(variable(bicep, "healthPort")), port);
  assert.match(bicep, /type: 'ApplicationHealthLinux'/);
  assert.match(bicep, /requestPath: '\/healthz'/);
  assert.match(bicep, /port: healthPort/);
});

test("the checks catch a broken template", () => {
  const options = scriptOptions(script);
  assert.throws(() => checkCommand(bicep.replace("--client-id", "--clientid"), options), /no --clientid/);
  assert.throws(() => checkCommand(bicep.replace("--pool \\'${poolName}\\' ", ""), options), /--pool missing/);
  assert.throws(() => checkCommand(bicep.replace("${drainTimeoutSeconds} --package", "${drainTimeout} --package"),
    options), /names nothing declared/);
  const late = bicep.replace("+ 59) / 60", "+ 0) / 60");
  assert.throws(() => {
    for (let s = 120; s <= 720; s++) assert.ok(s + 180 <= noticeMinutes(late, s) * 60);
  });
});
