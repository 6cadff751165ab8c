import * as k8s from '@pulumi/kubernetes'
import * as pulumi from '@pulumi/pulumi'
import type { DatabaseConfig, ObjectStoreConfig } from '../config'
import { barmanObjectStore, CNPG_API_VERSION, instancePlacement, instanceResources, instanceStorage, scheduledBackupSpec } from './cnpg'

export interface PrimaryDatabaseArgs {
  provider: k8s.Provider
  namespace: pulumi.Input<string>
  clusterName: string
  zones: readonly string[]
  database: DatabaseConfig
  /** WAL archive and base backups; B1's replica cluster restores from here. */
  archive: ObjectStoreConfig
  backupSchedule: string
}

/**
 * How many standbys must confirm each commit so that one of them is always in another zone: with the instances in
 * equal halves, the primary's own zone holds `perZone - 1` standbys, so a quorum of `perZone` must reach further.
 */
export function synchronousQuorum(instances: number, zones: number): number {
  return Math.ceil(instances / zones)
}

/**
 * The national database: a CloudNativePG Cluster spread over the same-city zones with quorum synchronous replication
 * (RPO 0 for the loss of a whole zone), continuous WAL archiving to object storage, and scheduled base backups.
 */
export class PrimaryDatabase extends pulumi.ComponentResource {
  readonly clusterName: string
  readonly archiveDestinationPath: string
  readonly archiveEndpointUrl: string

  constructor(name: string, args: PrimaryDatabaseArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super('suanpan:infra:PrimaryDatabase', name, {}, opts)
    const childOpts = { parent: this, provider: args.provider }
    const cluster = args.clusterName

    new k8s.apiextensions.CustomResource(
      name,
      {
        apiVersion: CNPG_API_VERSION,
        kind: 'Cluster',
        metadata: { name: cluster, namespace: args.namespace, labels: { 'app.kubernetes.io/part-of': 'suanpan' } },
        spec: {
          instances: args.database.instances,
          primaryUpdateStrategy: 'unsupervised',
          postgresql: {
            synchronous: {
              method: 'any',
              number: synchronousQuorum(args.database.instances, args.zones.length),
              // While every zone is up each commit waits for the other zone (RPO 0 when one is lost); after a loss
              // the quorum shrinks to the healthy standbys so the surviving zone keeps taking writes.
              dataDurability: 'preferred',
            },
          },
          bootstrap: { initdb: { database: 'suanpan', owner: 'suanpan' } },
          storage: instanceStorage(args.database),
          resources: instanceResources,
          ...instancePlacement(cluster, args.zones),
          backup: {
            barmanObjectStore: { ...barmanObjectStore(args.archive), data: { compression: 'gzip' } },
            retentionPolicy: args.database.backupRetention,
          },
        },
      },
      childOpts,
    )

    // `immediate` gives B1 a base backup to bootstrap from as soon as the cluster exists.
    new k8s.apiextensions.CustomResource(
      `${name}-base-backup`,
      {
        apiVersion: CNPG_API_VERSION,
        kind: 'ScheduledBackup',
        metadata: { name: `${cluster}-base`, namespace: args.namespace },
        spec: scheduledBackupSpec(cluster, args.backupSchedule, true),
      },
      childOpts,
    )

    this.clusterName = cluster
    this.archiveDestinationPath = args.archive.destinationPath
    this.archiveEndpointUrl = args.archive.endpointUrl
    this.registerOutputs({ clusterName: cluster })
  }
}
