/** The root directory of the installed kts package (where its package.json, bin/ and config/ are). */
import fs from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

let root: string | null = null

/** Walks up from this module to the package.json named `kts`. @throws Error when there is none */
export function packageRoot(): string {
  if (root !== null) return root
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json')
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as {name?: string}).name === 'kts') {
      root = dir
      return dir
    }
    if (path.dirname(dir) === dir) throw new Error(`cannot find the kts package root above ${fileURLToPath(import.meta.url)}`)
  }
}
