/**
 * The entry point of a startKafka() child process: `node node-main.js <server.properties>` runs the
 * node as `kts server start <server.properties>` does (run-node-process.ts, with KTS_SERVER_IPC=attached),
 * without loading the CLI layer (oclif), which saves start-up time. The build bundles it (esbuild).
 * A start-up failure is one line on stderr (and over IPC) and exit code 1.
 */
import {runNodeProcess} from '../cli/server/run-node-process.js'
import {loadServerConfig} from '../server/config/server-config.js'

const configPath = process.argv[2]
try {
  if (configPath === undefined) throw new Error('usage: node node-main.js <server.properties>')
  await runNodeProcess({config: loadServerConfig(configPath), configPath})
} catch (err) {
  process.stderr.write(`${(err as Error).message.split('\n')[0]}\n`)
  process.exitCode = 1
}
