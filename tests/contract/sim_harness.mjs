// Shared by the contract tests: starts agentboot-sim (the binary named by AGENTBOOT_SIM_BIN) or
// attaches to a running one (the env file named by AGENTBOOT_SIM_ENV_FILE) and reads the
// variables it publishes.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const AZURE_DEVOPS = "499b84ac-1321-427f-aa17-267ca6975798";

export function parseEnvFile(text) {
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

async function waitForFile(path, sim, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`${path} did not appear`);
    if (sim && sim.exitCode !== null) throw new Error(`agentboot-sim exited (${sim.exitCode})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// Resolves to { vars, stop }: the env file's variables and a function that ends a simulator
// this call started (and removes its scratch directory).
export async function startSim() {
  let envFile = process.env.AGENTBOOT_SIM_ENV_FILE;
  let sim;
  let workdir;
  if (process.env.AGENTBOOT_SIM_BIN) {
    workdir = mkdtempSync(join(tmpdir(), "agentboot-contract-"));
    envFile = join(workdir, "sim.env");
    sim = spawn(process.env.AGENTBOOT_SIM_BIN,
      ["--env-file", envFile, "--state-dir", join(workdir, "state"), "--quiet"],
      { stdio: ["ignore", "inherit", "inherit"] });
  }
  assert.ok(envFile, "set AGENTBOOT_SIM_BIN or AGENTBOOT_SIM_ENV_FILE");
  await waitForFile(envFile, sim, 30000);
  const vars = parseEnvFile(readFileSync(envFile, "utf8"));
  const stop = () => {
    if (sim && sim.exitCode === null) sim.kill("SIGTERM");
    if (workdir) rmSync(workdir, { recursive: true, force: true });
  };
  return { vars, stop };
}
