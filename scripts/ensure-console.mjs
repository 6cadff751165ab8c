// Build the console when console/dist is missing or older than its sources, so `npm start` on a fresh
// clone serves it without a separate step. Plain Node: it runs before anything else is set up.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const consoleDir = join(root, 'console')
const built = join(consoleDir, 'dist', 'index.html')

function newest(path) {
  if (!existsSync(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  let latest = 0
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)))
  return latest
}

const sources = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json'].map((p) => newest(join(consoleDir, p)))
if (!existsSync(join(consoleDir, 'src'))) process.exit(0)
if (existsSync(built) && statSync(built).mtimeMs >= Math.max(...sources)) process.exit(0)

console.log('building the console (console/dist is missing or older than console/src)…')
const result = spawnSync('npm', ['run', 'build', '-w', 'console'], { cwd: root, stdio: 'inherit' })
process.exit(result.status ?? 1)
