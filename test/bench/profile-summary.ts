// Summarise CPU profiles of the control plane:
//   npx tsx test/bench/profile-summary.ts /tmp/prof [--top 15]
// (record them with `npm run bench:ingest -- --store sqlite --profile /tmp/prof`).
import { parseArgs } from 'node:util'
import { formatSummary, profileFiles, summarizeProfiles } from './cpuprofile'

const { values, positionals } = parseArgs({ options: { top: { type: 'string', default: '15' } }, allowPositionals: true })
const path = positionals[0]
if (!path) {
  console.error('usage: tsx test/bench/profile-summary.ts <file.cpuprofile | directory> [--top 15]')
  process.exit(2)
}
const files = profileFiles(path)
if (files.length === 0) {
  console.error(`no .cpuprofile files in ${path}`)
  process.exit(1)
}
console.log(formatSummary(summarizeProfiles(files), Number(values.top)))
