// A VM scale set of Azure Pipelines agents run by agentboot: the VMs register themselves in the
// pool with a user-assigned managed identity (no PAT, no secret anywhere), report health on
// /healthz to the Application Health extension, and drain before scale-in or eviction
// (terminate notification -> Azure Scheduled Event -> agentboot drains within the notice).
// Deploy: az deployment group create -g RG -f images/vmss/main.bicep -p orgUrl=... poolName=...
//           packageUrl=... scriptUrl=... subnetId=... sshPublicKey=...

@description('Azure DevOps organization URL, https://dev.azure.com/ORG.')
param orgUrl string

@description('Agent pool the VMs join (the identity needs Administrator on it).')
param poolName string

@description('Seconds a drain waits for the running job; the terminate notice is derived from it.')
@minValue(120)
@maxValue(720)
param drainTimeoutSeconds int = 600

@description('URL of agentboot_<version>_amd64.deb (a storage blob the identity can read).')
param packageUrl string

@description('URL of install-agentboot.sh (images/vmss/install-agentboot.sh).')
param scriptUrl string

@description('Subnet of the scale set.')
param subnetId string

param sshPublicKey string
param location string = resourceGroup().location
param vmssName string = 'agentboot'
param vmSize string = 'Standard_D2s_v5'
param instanceCount int = 2
param adminUsername string = 'azureuser'

// The listener's stop (--stop-timeout 60 in the unit) and the deregistration come after the
// drain; the same margin is in install-agentboot.sh (stop_margin) and the unit's TimeoutStopSec.
var stopMarginSeconds = 180
// Azure allows 5 to 15 minutes of notice before a scale-in or delete proceeds.
var terminateNoticeMinutes = max(5, (drainTimeoutSeconds + stopMarginSeconds + 59) / 60)
var healthPort = 8080
var packageFileName = last(split(packageUrl, '/'))

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${vmssName}-identity'
  location: location
}

resource vmss 'Microsoft.Compute/virtualMachineScaleSets@2024-07-01' = {
  name: vmssName
  location: location
  sku: {
    name: vmSize
    capacity: instanceCount
  }
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    orchestrationMode: 'Uniform'
    upgradePolicy: {
      mode: 'Manual'
    }
    // Unhealthy instances (no /healthz) are repaired after the grace period.
    automaticRepairsPolicy: {
      enabled: true
      gracePeriod: 'PT30M'
    }
    virtualMachineProfile: {
      osProfile: {
        computerNamePrefix: vmssName
        adminUsername: adminUsername
        linuxConfiguration: {
          disablePasswordAuthentication: true
          ssh: {
            publicKeys: [
              {
                path: '/home/${adminUsername}/.ssh/authorized_keys'
                keyData: sshPublicKey
              }
            ]
          }
        }
      }
      storageProfile: {
        imageReference: {
          publisher: 'Debian'
          offer: 'debian-12'
          sku: '12-gen2'
          version: 'latest'
        }
        osDisk: {
          createOption: 'FromImage'
          managedDisk: {
            storageAccountType: 'Premium_LRS'
          }
        }
      }
      networkProfile: {
        networkInterfaceConfigurations: [
          {
            name: '${vmssName}-nic'
            properties: {
              primary: true
              ipConfigurations: [
                {
                  name: 'ipconfig'
                  properties: {
                    subnet: {
                      id: subnetId
                    }
                  }
                }
              ]
            }
          }
        ]
      }
      scheduledEventsProfile: {
        terminateNotificationProfile: {
          enable: true
          notBeforeTimeout: 'PT${terminateNoticeMinutes}M'
        }
      }
      extensionProfile: {
        extensions: [
          {
            name: 'agentboot'
            properties: {
              publisher: 'Microsoft.Azure.Extensions'
              type: 'CustomScript'
              typeHandlerVersion: '2.1'
              autoUpgradeMinorVersion: true
              settings: {
                fileUris: [
                  scriptUrl
                  packageUrl
                ]
              }
              protectedSettings: {
                commandToExecute: 'bash install-agentboot.sh --org-url \'${orgUrl}\' --pool \'${poolName}\' --client-id ${identity.properties.clientId} --drain-timeout ${drainTimeoutSeconds} --package ./${packageFileName}'
                managedIdentity: {
                  clientId: identity.properties.clientId
                }
              }
            }
          }
          {
            name: 'health'
            properties: {
              publisher: 'Microsoft.ManagedServices'
              type: 'ApplicationHealthLinux'
              typeHandlerVersion: '2.0'
              autoUpgradeMinorVersion: true
              provisionAfterExtensions: [
                'agentboot'
              ]
              settings: {
                protocol: 'http'
                port: healthPort
                requestPath: '/healthz'
                intervalInSeconds: 30
                numberOfProbes: 3
                gracePeriod: 600
              }
            }
          }
        ]
      }
    }
  }
}

output identityClientId string = identity.properties.clientId
output identityPrincipalId string = identity.properties.principalId
output terminateNotice string = 'PT${terminateNoticeMinutes}M'
