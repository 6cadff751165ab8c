/** The three centers of the two-site three-center topology (DESIGN §7). */
export const CENTERS = ['A1', 'A2', 'B1'] as const
export type Center = (typeof CENTERS)[number]

/** The same-city pair: one Kubernetes cluster in city A, stretched over these two zones (node label values). */
export const SAME_CITY_ZONES = ['A1', 'A2'] as const

/** Drill scenarios the `suanpan drill run` command knows (DESIGN §7). */
export const DRILL_SCENARIOS = ['a1-lost', 'same-city-partition', 'remote-takeover', 'backup-restore'] as const
export type DrillScenario = (typeof DRILL_SCENARIOS)[number]
