import type { V1Pod } from '@kubernetes/client-node'
import { describe, expect, it } from 'vitest'
import { KubeInventoryError } from './errors'
import { holdsNodeResources, podRequests, requestsByNode } from './pod-requests'

const Mi = 2 ** 20

function pod(spec: Partial<NonNullable<V1Pod['spec']>>, phase = 'Running', nodeName = 'n1'): V1Pod {
  return { metadata: { name: 'p', namespace: 'ns' }, spec: { nodeName, containers: [], ...spec }, status: { phase } }
}

const requests = (r: Record<string, string>) => ({ resources: { requests: r } })

describe('podRequests (the scheduler rules of k8s.io/component-helpers/resource)', () => {
  it('adds up regular containers, cpu in millicores and memory in bytes', () => {
    const totals = podRequests(
      pod({
        containers: [
          { name: 'a', ...requests({ cpu: '100m', memory: '64Mi' }) },
          { name: 'b', ...requests({ cpu: '0.5' }) },
        ],
      }),
    )
    expect(Object.fromEntries(totals)).toEqual({ cpu: 600, memory: 64 * Mi })
  })

  it('takes the max of the init containers and the steady state, per resource', () => {
    const totals = podRequests(
      pod({
        containers: [{ name: 'app', ...requests({ cpu: '1', memory: '1Gi' }) }],
        initContainers: [
          { name: 'migrate', ...requests({ cpu: '3', memory: '100Mi' }) },
          { name: 'download', ...requests({ cpu: '500m', memory: '2Gi' }) },
        ],
      }),
    )
    expect(Object.fromEntries(totals)).toEqual({ cpu: 3000, memory: 2048 * Mi })
  })

  it('adds sidecars (restartPolicy Always) to the steady state and to the init containers that start after them', () => {
    const totals = podRequests(
      pod({
        containers: [{ name: 'app', ...requests({ cpu: '1' }) }],
        initContainers: [
          { name: 'early-init', ...requests({ cpu: '1200m' }) }, // runs before the sidecar: 1200m alone
          { name: 'mesh', restartPolicy: 'Always', ...requests({ cpu: '300m' }) },
          { name: 'late-init', ...requests({ cpu: '1' }) }, // runs next to the sidecar: 1300m
        ],
      }),
    )
    // steady 1000 + 300 = 1300; init peaks 1200, 300, 1300 → 1300
    expect(totals.get('cpu')).toBe(1300)
  })

  it('uses a limit where the request is missing (what API defaulting does) and adds the RuntimeClass overhead', () => {
    const totals = podRequests(
      pod({
        containers: [{ name: 'gpu', resources: { limits: { 'nvidia.com/gpu': '2', cpu: '2' }, requests: { cpu: '1' } } }],
        overhead: { cpu: '100m', memory: '50Mi' },
      }),
    )
    expect(Object.fromEntries(totals)).toEqual({ cpu: 1100, memory: 50 * Mi, 'nvidia.com/gpu': 2 })
  })

  it('lets pod-level requests (cpu, memory) replace the containers sum', () => {
    const totals = podRequests(
      pod({
        resources: { requests: { cpu: '2', memory: '1Gi' } },
        containers: [{ name: 'a', ...requests({ cpu: '100m', memory: '10Mi', 'example.com/dev': '1' }) }],
      }),
    )
    expect(Object.fromEntries(totals)).toEqual({ cpu: 2000, memory: 1024 * Mi, 'example.com/dev': 1 })
  })

  it('names pod, container and field of a malformed quantity', () => {
    expect(() => podRequests(pod({ containers: [{ name: 'web', ...requests({ memory: '1GB' }) }] }))).toThrow(KubeInventoryError)
    expect(() => podRequests(pod({ containers: [{ name: 'web', ...requests({ memory: '1GB' }) }] }))).toThrow(
      /pod ns\/p container "web" resources.requests.memory: invalid Kubernetes quantity "1GB"/,
    )
  })
})

describe('requestsByNode', () => {
  it('counts only scheduled pods that are not Succeeded or Failed', () => {
    const pods = [
      pod({ containers: [{ name: 'a', ...requests({ cpu: '1' }) }] }, 'Running'),
      pod({ containers: [{ name: 'a', ...requests({ cpu: '1' }) }] }, 'Pending'),
      pod({ containers: [{ name: 'a', ...requests({ cpu: '1' }) }] }, 'Unknown'),
      pod({ containers: [{ name: 'a', ...requests({ cpu: '8' }) }] }, 'Succeeded'),
      pod({ containers: [{ name: 'a', ...requests({ cpu: '8' }) }] }, 'Failed'),
      pod({ containers: [{ name: 'a', ...requests({ cpu: '8' }) }] }, 'Pending', ''),
      pod({ containers: [{ name: 'a', ...requests({ cpu: '2' }) }] }, 'Running', 'n2'),
    ]
    expect(pods.map(holdsNodeResources)).toEqual([true, true, true, false, false, false, true])
    const byNode = requestsByNode(pods)
    expect(byNode.get('n1')?.get('cpu')).toBe(3000)
    expect(byNode.get('n2')?.get('cpu')).toBe(2000)
    expect(byNode.has('')).toBe(false)
  })
})
