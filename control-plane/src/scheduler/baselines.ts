import { type PlacementPolicy, Scheduler, type SchedulerOptions } from './engine'
import type { ClusterCapacity } from './types'

/**
 * Baselines for the benchmark (issue 4 §7). They run inside the same Scheduler — same capacity model, filters
 * (residency, capability, health, node fit), quotas, queue and reservations — and differ only in how a cluster is
 * chosen and how divisible work is split, so a comparison measures the placement policy and nothing else.
 */

/** First-fit in cluster order: the first cluster (in the order the fleet was given) where the work fits. */
export const FIRST_FIT: PlacementPolicy = { name: 'first-fit', selection: 'first', division: 'greedy' }

/**
 * Karmada-like: Karmada's `Divided` replica scheduling with `DynamicWeight: AvailableReplicas` — replicas are split
 * across clusters in proportion to how many each can still hold; a single-cluster placement goes to the cluster
 * that can hold the most. No energy, carbon, PUE or locality awareness.
 */
export const KARMADA_LIKE: PlacementPolicy = { name: 'karmada-like', selection: 'score', division: 'proportional', score: (fit) => fit }

type BaselineOptions = Omit<SchedulerOptions, 'policy' | 'weights'>

export function firstFitScheduler(capacities: Iterable<ClusterCapacity>, options: BaselineOptions = {}): Scheduler {
  return new Scheduler(capacities, { ...options, policy: FIRST_FIT })
}

export function karmadaLikeScheduler(capacities: Iterable<ClusterCapacity>, options: BaselineOptions = {}): Scheduler {
  return new Scheduler(capacities, { ...options, policy: KARMADA_LIKE })
}
