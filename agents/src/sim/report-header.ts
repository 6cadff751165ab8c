/** The `agentVersion` simulated clusters report. */
export const SIM_AGENT_VERSION = 'suanpan-sim/0.1.0'

/** Throws unless `seq` can be a report sequence (the contract: a non-negative safe integer). */
export function checkSequence(seq: number): void {
  if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError(`sequence must be a non-negative safe integer, got ${seq}`)
}
