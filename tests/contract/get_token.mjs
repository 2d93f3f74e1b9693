// Child process for one contract case: builds the credential from this process's environment
// (SDKs read it at construction, NODE_EXTRA_CA_CERTS only at startup) and prints the token as
// JSON on stdout.
import {
  ManagedIdentityCredential,
  WorkloadIdentityCredential,
} from "@azure/identity";

const flavour = process.argv[2];
const scope = "499b84ac-1321-427f-aa17-267ca6975798/.default";

function credentialFor(name) {
  switch (name) {
    case "imds":
    case "appservice":
      return new ManagedIdentityCredential();
    case "imds-user-assigned":
      return new ManagedIdentityCredential({ clientId: process.env.SIM_USER_ASSIGNED_CLIENT_ID });
    case "workload":
      return new WorkloadIdentityCredential({
        tenantId: process.env.AZURE_TENANT_ID,
        clientId: process.env.AZURE_CLIENT_ID,
        tokenFilePath: process.env.AZURE_FEDERATED_TOKEN_FILE,
        authorityHost: process.env.AZURE_AUTHORITY_HOST,
        disableInstanceDiscovery: true,
      });
    default:
      throw new Error(`unknown flavour ${name}`);
  }
}

try {
  const token = await credentialFor(flavour).getToken(scope);
  process.stdout.write(JSON.stringify({ token: token.token, expiresOn: token.expiresOnTimestamp }));
} catch (error) {
  process.stdout.write(JSON.stringify({ error: String(error && error.message ? error.message : error) }));
  process.exitCode = 1;
}
