// Summarise CPU profiles of the control plane:
//   npx tsx test/bench/profile-summary.ts /tmp/prof [--top 15] [--all-threads]
// Record them with `npm run bench:ingest -- --store sqlite --profile /tmp/prof`; when the directory holds
// the run's phases.json, each phase (measured ingest cycles, ledger queries) is summarised on its own.
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { createSourceResolver, formatSummary, mainThreadFiles, type Phases, profileFiles, summarizeProfiles } from './cpuprofile'

const { values, positionals } = parseArgs({
  options: { top: { type: 'string', default: '15' }, 'all-threads': { type: 'boolean', default: false } },
  allowPositionals: true,
})
const path = positionals[0]
if (!path) {
  console.error('usage: tsx test/bench/profile-summary.ts <file.cpuprofile | directory> [--top 15] [--all-threads]')
  process.exit(2)
}
const all = profileFiles(path)
const files = values['all-threads'] ? all : mainThreadFiles(all)
if (files.length === 0) {
  console.error(`no .cpuprofile files in ${path}`)
  process.exit(1)
}
const top = Number(values.top)
const resolver = await createSourceResolver()
const phasesFile = statSync(path).isDirectory() ? join(path, 'phases.json') : null
if (phasesFile && existsSync(phasesFile)) {
  const phases = JSON.parse(readFileSync(phasesFile, 'utf8')) as Phases
  for (const [phase, window] of Object.entries(phases)) {
    console.log(`${formatSummary(summarizeProfiles(files, window, resolver), top, phase)}\n`)
  }
} else {
  console.log(formatSummary(summarizeProfiles(files, undefined, resolver), top))
}
