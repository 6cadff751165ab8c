import * as k8s from '@pulumi/kubernetes'
import * as pulumi from '@pulumi/pulumi'
import type { Center, DrillConfig } from '../config'
import { appLabels, containerSecurityContext, podSecurityContext, resources, secretEnv } from '../kube'
import { ADMIN_TOKEN_SECRET } from './control-plane'

export const DRILL_TIME_ZONE = 'Asia/Shanghai'

export interface DrillsArgs {
  provider: k8s.Provider
  namespace: pulumi.Input<string>
  image: pulumi.Input<string>
  center: Center
  drills: readonly DrillConfig[]
  controlPlaneUrl: string
  rtoTargetSeconds: number
  rpoTargetSeconds: number
}

/**
 * One CronJob per scheduled drill scenario, run from this center: `suanpan drill run <scenario>` against the national
 * API, with this center's RTO/RPO targets. A drill is never retried or overlapped: a second run would measure the first.
 */
export class Drills extends pulumi.ComponentResource {
  readonly cronJobNames: string[] = []

  constructor(name: string, args: DrillsArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super('suanpan:infra:Drills', name, {}, opts)
    const childOpts = { parent: this, provider: args.provider }

    for (const drill of args.drills) {
      const { labels } = appLabels(`suanpan-drill-${drill.scenario}`, 'drill')
      const cronJobName = `suanpan-drill-${drill.scenario}`
      new k8s.batch.v1.CronJob(
        `${name}-${drill.scenario}`,
        {
          metadata: {
            name: cronJobName,
            namespace: args.namespace,
            labels: { ...labels, 'suanpan.gov.cn/drill-scenario': drill.scenario },
          },
          spec: {
            schedule: drill.schedule,
            timeZone: DRILL_TIME_ZONE,
            concurrencyPolicy: 'Forbid',
            startingDeadlineSeconds: 600,
            successfulJobsHistoryLimit: 5,
            failedJobsHistoryLimit: 5,
            jobTemplate: {
              spec: {
                backoffLimit: 0,
                // Every drill step is bounded by the drill itself; this is the backstop for a hung runner.
                activeDeadlineSeconds: 3 * 3600,
                template: {
                  metadata: { labels },
                  spec: {
                    restartPolicy: 'Never',
                    automountServiceAccountToken: false,
                    securityContext: podSecurityContext,
                    containers: [
                      {
                        name: 'drill',
                        image: args.image,
                        args: [
                          'drill',
                          'run',
                          drill.scenario,
                          '--center',
                          args.center,
                          '--rto-target-seconds',
                          String(args.rtoTargetSeconds),
                          '--rpo-target-seconds',
                          String(args.rpoTargetSeconds),
                          '--json',
                        ],
                        env: [
                          { name: 'SUANPAN_URL', value: args.controlPlaneUrl },
                          secretEnv('SUANPAN_ADMIN_TOKEN', ADMIN_TOKEN_SECRET, 'token'),
                        ],
                        resources: resources('100m', '128Mi', '500m', '512Mi'),
                        securityContext: containerSecurityContext,
                      },
                    ],
                  },
                },
              },
            },
          },
        },
        childOpts,
      )
      this.cronJobNames.push(cronJobName)
    }
    this.registerOutputs({ cronJobNames: this.cronJobNames })
  }
}
