import {Flags} from '@oclif/core'
import {KtsCommand} from '../../cli/base-command.js'
import {TerseError} from '../../cli/errors.js'
import {parseSignal, stopServers, type StopResult} from '../../cli/server/stop-servers.js'

/**
 * `kts server stop [--process-role broker|controller] [--node-id N]` (kafka-server-stop.sh, Kafka
 * 3.7+, kafka-tools.md §6.3): sends SIGTERM (or `$SIGNAL`) to the matching kts servers of this user
 * and waits until they have exited. Nothing running (or nothing matching): `No kafka server to
 * stop` on stdout, exit 1.
 */
export default class ServerStop extends KtsCommand {
  static override summary = 'Stop running kts servers (SIGTERM, then wait until they exit).'
  static override description = 'Stops the kts servers started by this user (`kts server start`, foreground or -daemon), found through their pid files ($KTS_PID_DIR, else $XDG_RUNTIME_DIR/kts, else <tmpdir>/kts-<uid>). SIGNAL=KILL (or another signal name) sends that signal instead of TERM, as Kafka\'s script does.'
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --process-role=broker',
    '<%= config.bin %> <%= command.id %> --node-id=2',
  ]

  static override flags = {
    'process-role': Flags.string({summary: 'Stop only nodes whose process.roles is exactly this role.', options: ['broker', 'controller']}),
    'node-id': Flags.integer({summary: 'Stop only the node with this node.id (takes precedence over --process-role).'}),
  }

  async run(): Promise<StopResult | void> {
    const {flags} = await this.parse(ServerStop)
    const nodeId = flags['node-id']
    const processRole = flags['process-role'] as 'broker' | 'controller' | undefined
    if (nodeId !== undefined && processRole !== undefined && !this.jsonEnabled()) {
      process.stdout.write('When both node-id and process-role are provided, the value for node-id will take precedence\n')
    }
    let signal: NodeJS.Signals
    try {
      signal = parseSignal(process.env.SIGNAL)
    } catch (err) {
      throw new TerseError((err as Error).message)
    }
    const result = await stopServers({nodeId, processRole}, {signal})
    if (result === null) {
      if (this.jsonEnabled()) throw new TerseError('No kafka server to stop')
      process.stdout.write('No kafka server to stop\n') // stdout, as Kafka's script
      this.exit(1)
    }
    if (result.stillRunning.length > 0) {
      const pids = result.stillRunning.map((r) => `${r.pid} (node.id ${r.nodeId})`).join(', ')
      throw new TerseError(`Sent ${signal}, but these kts servers are still running after 60 s: ${pids}`)
    }
    return result
  }
}
