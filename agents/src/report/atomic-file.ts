import { open, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/** Temp files start with a dot and end in `.tmp`; whoever owns the directory may delete leftovers on start. */
export const TEMP_SUFFIX = '.tmp'

let counter = 0

/**
 * Replaces `file` with `data` so that a reader (or a restart after a crash) sees either the old or the new content,
 * never a torn write: write a sibling temp file, flush it, rename it over the target.
 */
export async function writeFileAtomic(file: string, data: string, opts: { fsync?: boolean } = {}): Promise<void> {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${counter}${TEMP_SUFFIX}`)
  const handle = await open(temp, 'w')
  try {
    await handle.writeFile(data, 'utf8')
    // Without this, a power cut after the rename can leave an empty file under the final name.
    if (opts.fsync !== false) await handle.sync()
  } catch (err) {
    await handle.close()
    await rm(temp, { force: true })
    throw err
  }
  await handle.close()
  try {
    await rename(temp, file)
  } catch (err) {
    await rm(temp, { force: true })
    throw err
  }
}
