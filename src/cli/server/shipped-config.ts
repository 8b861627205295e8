/**
 * The server.properties files shipped in the package (`config/kraft/*.properties`, as Kafka ships
 * them) and the fallback that lets `kts server start config/kraft/server.properties` work from any
 * directory: a relative path naming one of them that does not exist in the current directory
 * resolves to the package's own file, with a notice saying so. Any other missing file stays an error.
 */
import fs from 'node:fs'
import path from 'node:path'

/** The shipped configs, relative to the package root. */
export const SHIPPED_CONFIGS = ['config/kraft/server.properties', 'config/kraft/broker.properties', 'config/kraft/controller.properties'] as const

export interface ResolvedConfigPath {
  /** Absolute path of the file to load. */
  path: string
  /** True when the user named a file (Kafka's rules: unformatted storage is an error), false for the default. */
  explicit: boolean
  /** One line to print when the shipped file replaced a missing relative path, else null. */
  notice: string | null
}

/**
 * Resolves the `server start` config argument.
 * - none: the package's `config/kraft/server.properties` (explicit: false);
 * - an existing file (relative to `cwd`) or any absolute path: that file;
 * - a missing relative path that normalises to one of `SHIPPED_CONFIGS`: the package's file, with
 *   `notice` = `Using the shipped config/kraft/server.properties (/abs/path): ./config/kraft/server.properties does not exist`;
 * - anything else: the path as given (loading it then fails with Kafka's "No such file" error).
 */
export function resolveServerConfigPath(arg: string | undefined, packageRoot: string, cwd = process.cwd()): ResolvedConfigPath {
  if (arg === undefined) return {path: path.join(packageRoot, 'config', 'kraft', 'server.properties'), explicit: false, notice: null}
  const resolved = path.resolve(cwd, arg)
  if (path.isAbsolute(arg) || fs.existsSync(resolved)) return {path: resolved, explicit: true, notice: null}
  const relative = path.normalize(arg).split(path.sep).join('/')
  const shipped = SHIPPED_CONFIGS.find((c) => c === relative)
  if (shipped === undefined) return {path: resolved, explicit: true, notice: null}
  const file = path.join(packageRoot, ...shipped.split('/'))
  if (!fs.existsSync(file)) return {path: resolved, explicit: true, notice: null}
  return {path: file, explicit: true, notice: `Using the shipped ${shipped} (${file}): ./${relative} does not exist`}
}
