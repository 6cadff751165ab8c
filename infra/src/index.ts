import * as k8s from '@pulumi/kubernetes'
import type * as pulumi from '@pulumi/pulumi'
import { Agent } from './components/agent'
import { ControlPlane } from './components/control-plane'
import { Drills } from './components/drills'
import { PrimaryDatabase } from './components/primary-database'
import { ReplicaDatabase } from './components/replica-database'
import { VictoriaMetrics } from './components/victoria-metrics'
import { type InfraConfig, loadConfig } from './config'
import { CENTER_LABEL } from './kube'
import { readPrimary } from './primary-reference'

const DATABASE_CLUSTER = 'suanpan-db'

/** Stack outputs, plain or Output values. */
type Outputs = Record<string, pulumi.Input<unknown>>

/**
 * One stack per center (DESIGN §7). Pulumi's nodejs runtime calls this default export and records what it returns
 * as the stack's outputs.
 */
export default async function suanpan(): Promise<Outputs> {
  const config = loadConfig()
  const provider = new k8s.Provider(`center-${config.center.toLowerCase()}`, { context: config.kubeContext })
  const ns = new k8s.core.v1.Namespace(
    'namespace',
    {
      metadata: {
        name: config.namespace,
        labels: {
          'app.kubernetes.io/part-of': 'suanpan',
          [CENTER_LABEL]: config.center,
          'pod-security.kubernetes.io/enforce': 'restricted',
        },
      },
    },
    { provider },
  )
  // Taken from the Namespace resource so that everything inside waits for it.
  const namespace = ns.metadata.name
  const common = { center: config.center, kubeContext: config.kubeContext, namespace }
  const drills = (c: InfraConfig) =>
    new Drills('drills', {
      provider,
      namespace,
      image: c.image,
      center: c.center,
      drills: c.drills,
      controlPlaneUrl: c.controlPlaneUrl,
      rtoTargetSeconds: c.rtoTargetSeconds,
      rpoTargetSeconds: c.rpoTargetSeconds,
    })
  const controlPlane = (c: InfraConfig, victoriaMetricsUrl: pulumi.Input<string>) =>
    new ControlPlane('control-plane', {
      provider,
      namespace,
      image: c.image,
      replicas: c.replicas,
      zones: c.zones,
      databaseUrlSecret: c.databaseUrlSecret,
      victoriaMetricsUrl,
      critical: c.center !== 'B1',
    })

  switch (config.center) {
    case 'A1': {
      const database = new PrimaryDatabase('database', {
        provider,
        namespace,
        clusterName: DATABASE_CLUSTER,
        zones: config.zones,
        database: config.database,
        archive: config.objectStore,
        backupSchedule: config.backupSchedule,
      })
      const history = new VictoriaMetrics('victoria-metrics', {
        provider,
        namespace,
        zones: config.zones,
        settings: config.victoriaMetrics,
      })
      const api = controlPlane(config, history.url)
      new Agent('agent', { provider, namespace, image: config.image, settings: config.agent, controlPlaneUrl: config.controlPlaneUrl })
      drills(config)
      return {
        ...common,
        databaseCluster: database.clusterName,
        archiveDestinationPath: database.archiveDestinationPath,
        archiveEndpointUrl: database.archiveEndpointUrl,
        victoriaMetricsUrl: history.url,
        controlPlaneService: api.serviceName,
      }
    }
    case 'A2': {
      const primary = await readPrimary(config.primaryStack)
      // Same Kubernetes cluster as the primary: A2's pool writes to the primary's database and history.
      const api = controlPlane(config, primary.victoriaMetricsUrl)
      drills(config)
      return { ...common, primaryStack: config.primaryStack, controlPlaneService: api.serviceName }
    }
    case 'B1': {
      const primary = await readPrimary(config.primaryStack)
      const database = new ReplicaDatabase('database', {
        provider,
        namespace,
        clusterName: `${primary.databaseCluster}-b1`,
        zones: config.zones,
        database: config.database,
        primary: {
          clusterName: primary.databaseCluster,
          destinationPath: primary.archiveDestinationPath,
          endpointUrl: primary.archiveEndpointUrl,
        },
        archiveCredentialsSecret: config.archiveCredentialsSecret,
        backupStore: config.objectStore,
        backupSchedule: config.backupSchedule,
      })
      const history = new VictoriaMetrics('victoria-metrics', {
        provider,
        namespace,
        zones: config.zones,
        settings: config.victoriaMetrics,
      })
      const api = controlPlane(config, history.url)
      new Agent('agent', { provider, namespace, image: config.image, settings: config.agent, controlPlaneUrl: config.controlPlaneUrl })
      drills(config)
      return {
        ...common,
        primaryStack: config.primaryStack,
        databaseCluster: database.clusterName,
        backupDestinationPath: database.backupDestinationPath,
        controlPlaneService: api.serviceName,
      }
    }
  }
}
