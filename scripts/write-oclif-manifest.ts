// Writes oclif.manifest.json (what `oclif manifest` writes) with @oclif/core's own Plugin loader,
// so `kts <command>` does not import every command module at start-up. Runs from dist/scripts after `tsc` (npm run build).
import fs from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {Plugin} from '@oclif/core'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const file = path.join(root, 'oclif.manifest.json')
fs.rmSync(file, {force: true})
const plugin = new Plugin({root, type: 'core', ignoreManifest: true, errorOnManifestCreate: true, isRoot: true})
await plugin.load()
fs.writeFileSync(file, JSON.stringify(plugin.manifest, null, 2) + '\n')
console.log(`wrote ${path.relative(process.cwd(), file)} (${Object.keys(plugin.manifest.commands).length} commands)`)
