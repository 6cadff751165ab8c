import type * as k8s from '@pulumi/kubernetes'
import type * as pulumi from '@pulumi/pulumi'
import type { DatabaseConfig, ObjectStoreConfig } from '../config'
import { HOST_LABEL, resources, ZONE_LABEL, zoneAffinity } from '../kube'

/** The parts of the CloudNativePG `postgresql.cnpg.io/v1` API this program writes (checked against CNPG 1.27–1.31). */
export const CNPG_API_VERSION = 'postgresql.cnpg.io/v1'

export interface BarmanObjectStore {
  destinationPath: pulumi.Input<string>
  endpointURL: pulumi.Input<string>
  serverName?: pulumi.Input<string>
  s3Credentials: {
    accessKeyId: { name: string; key: string }
    secretAccessKey: { name: string; key: string }
  }
  wal: { compression: 'gzip'; maxParallel: number }
  data?: { compression: 'gzip' }
}

/** The object store a cluster archives to or restores from; the Secret follows CNPG's key names. */
export function barmanObjectStore(
  store: Pick<ObjectStoreConfig, 'credentialsSecret'> & {
    destinationPath: pulumi.Input<string>
    endpointUrl: pulumi.Input<string>
  },
): BarmanObjectStore {
  return {
    destinationPath: store.destinationPath,
    endpointURL: store.endpointUrl,
    s3Credentials: {
      accessKeyId: { name: store.credentialsSecret, key: 'ACCESS_KEY_ID' },
      secretAccessKey: { name: store.credentialsSecret, key: 'ACCESS_SECRET_KEY' },
    },
    wal: { compression: 'gzip', maxParallel: 8 },
  }
}

/** Placement shared by the primary and the replica cluster: instances on distinct hosts, spread evenly over the zones. */
export function instancePlacement(cluster: string, zones: readonly string[]) {
  const nodeAffinity = zoneAffinity(zones).nodeAffinity as k8s.types.input.core.v1.NodeAffinity
  return {
    affinity: { enablePodAntiAffinity: true, topologyKey: HOST_LABEL, podAntiAffinityType: 'required', nodeAffinity },
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: ZONE_LABEL,
        whenUnsatisfiable: 'DoNotSchedule',
        nodeTaintsPolicy: 'Honor',
        labelSelector: { matchLabels: { 'cnpg.io/cluster': cluster } },
      },
    ] satisfies k8s.types.input.core.v1.TopologySpreadConstraint[],
  }
}

export function instanceStorage(database: DatabaseConfig) {
  return { size: database.storageSize, ...(database.storageClass ? { storageClass: database.storageClass } : {}) }
}

export const instanceResources = resources('2', '8Gi', '4', '8Gi')

/** A ScheduledBackup of a cluster to the object store its `spec.backup` names. */
export function scheduledBackupSpec(cluster: string, schedule: string, immediate: boolean) {
  return {
    // Six fields, seconds first; CloudNativePG reads it in the operator's time zone (UTC).
    schedule,
    cluster: { name: cluster },
    method: 'barmanObjectStore',
    backupOwnerReference: 'self',
    target: 'prefer-standby',
    immediate,
  }
}
