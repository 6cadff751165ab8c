import * as k8s from '@pulumi/kubernetes'
import * as pulumi from '@pulumi/pulumi'
import type { DatabaseConfig, ObjectStoreConfig } from '../config'
import { barmanObjectStore, CNPG_API_VERSION, instancePlacement, instanceResources, instanceStorage, scheduledBackupSpec } from './cnpg'

/** What B1 learns from the primary stack's outputs. */
export interface PrimaryArchive {
  /** The primary's CNPG cluster: also the server name its WAL is archived under. */
  clusterName: string
  destinationPath: string
  endpointUrl: string
}

export interface ReplicaDatabaseArgs {
  provider: k8s.Provider
  namespace: pulumi.Input<string>
  clusterName: string
  zones: readonly string[]
  database: DatabaseConfig
  primary: PrimaryArchive
  /** Secret in this center that can read the primary's archive. */
  archiveCredentialsSecret: string
  /** This center's own bucket for scheduled full backups. */
  backupStore: ObjectStoreConfig
  backupSchedule: string
}

/**
 * The remote copy in B1: a CloudNativePG replica cluster that bootstraps from the primary's base backup and then
 * replays its WAL archive (asynchronous, object storage only: no network path from B1 into city A is needed), plus
 * scheduled full backups of its own to B1's bucket. Promotion (`replica.enabled: false`) is the takeover's last step.
 */
export class ReplicaDatabase extends pulumi.ComponentResource {
  readonly clusterName: string
  readonly backupDestinationPath: string

  constructor(name: string, args: ReplicaDatabaseArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super('suanpan:infra:ReplicaDatabase', name, {}, opts)
    const childOpts = { parent: this, provider: args.provider }
    const cluster = args.clusterName
    const source = args.primary.clusterName

    new k8s.apiextensions.CustomResource(
      name,
      {
        apiVersion: CNPG_API_VERSION,
        kind: 'Cluster',
        metadata: { name: cluster, namespace: args.namespace, labels: { 'app.kubernetes.io/part-of': 'suanpan' } },
        spec: {
          instances: args.database.instances,
          primaryUpdateStrategy: 'unsupervised',
          bootstrap: { recovery: { source } },
          replica: { enabled: true, source },
          externalClusters: [
            {
              name: source,
              barmanObjectStore: {
                ...barmanObjectStore({
                  destinationPath: args.primary.destinationPath,
                  endpointUrl: args.primary.endpointUrl,
                  credentialsSecret: args.archiveCredentialsSecret,
                }),
                serverName: source,
              },
            },
          ],
          storage: instanceStorage(args.database),
          resources: instanceResources,
          ...instancePlacement(cluster, args.zones),
          // The designated primary of a replica cluster backs up to a store of its own (CNPG "replica clusters").
          backup: {
            barmanObjectStore: { ...barmanObjectStore(args.backupStore), data: { compression: 'gzip' } },
            retentionPolicy: args.database.backupRetention,
          },
        },
      },
      childOpts,
    )

    new k8s.apiextensions.CustomResource(
      `${name}-full-backup`,
      {
        apiVersion: CNPG_API_VERSION,
        kind: 'ScheduledBackup',
        metadata: { name: `${cluster}-full`, namespace: args.namespace },
        spec: scheduledBackupSpec(cluster, args.backupSchedule, false),
      },
      childOpts,
    )

    this.clusterName = cluster
    this.backupDestinationPath = args.backupStore.destinationPath
    this.registerOutputs({ clusterName: cluster })
  }
}
