/**
 * A second install of the kts package for tests, as `npm install -g` would lay it out, but whose
 * shipped files the test controls: `<tmp>/bin/run.js` and `package.json`/`oclif.manifest.json`
 * are copies, `dist` and `node_modules` are symlinks to this repository's, and `config/kraft/*`
 * holds the files the test gives. So `kts storage format` / `kts server start` without a config
 * path use the sandbox's `config/kraft/server.properties` (oclif's `config.root` is the sandbox)
 * and never touch the real defaults such as `/tmp/kraft-combined-logs`. Needs a build (`dist/`).
 */
import fs from 'node:fs'
import path from 'node:path'
import {repoRoot} from './run-cli.js'
import {makeTempDir, removeTempDir} from './temp-dir.js'

export interface PackageSandbox {
  /** The sandbox package root (what oclif sees as `config.root`). */
  root: string
  /** Its `bin/run.js`, for `runCli(args, {runJs})`. */
  runJs: string
  /** Deletes the sandbox (not the symlink targets). */
  remove(): void
}

/** Creates a sandbox whose `config/kraft/<name>` files have the given contents. */
export function makePackageSandbox(kraftConfigs: Record<string, string>): PackageSandbox {
  const repo = repoRoot()
  const root = makeTempDir('kts-package-')
  fs.mkdirSync(path.join(root, 'bin'))
  fs.copyFileSync(path.join(repo, 'bin', 'run.js'), path.join(root, 'bin', 'run.js'))
  for (const f of ['package.json', 'oclif.manifest.json']) fs.copyFileSync(path.join(repo, f), path.join(root, f))
  for (const d of ['dist', 'node_modules']) fs.symlinkSync(fs.realpathSync(path.join(repo, d)), path.join(root, d), 'dir')
  fs.mkdirSync(path.join(root, 'config', 'kraft'), {recursive: true})
  for (const [name, text] of Object.entries(kraftConfigs)) fs.writeFileSync(path.join(root, 'config', 'kraft', name), text)
  return {root, runJs: path.join(root, 'bin', 'run.js'), remove: () => removeTempDir(root)}
}
