/**
 * The questions `kts cluster start` asks on a terminal when given no flags (inquirer, loaded on
 * first use). Never asked in a pipe: there the flags' defaults apply.
 */
import type {ClusterLayout} from './layout.js'

export async function askLayout(defaults: ClusterLayout, defaultDir: string): Promise<{layout: ClusterLayout, dir: string}> {
  const {default: inquirer} = await import('inquirer')
  const {mode} = await inquirer.prompt<{mode: string}>([{type: 'select', name: 'mode', message: 'Layout', default: 'combined', choices: [
    {name: 'combined: every node is a broker and a controller', value: 'combined'},
    {name: 'separate: controller-only nodes plus broker-only nodes', value: 'separate'},
  ]}])
  const combined = mode === 'combined'
  const number = async (message: string, dflt: number): Promise<number> => {
    const {n} = await inquirer.prompt<{n: number | undefined}>([{type: 'number', name: 'n', message, default: dflt, min: 1}])
    return n !== undefined && Number.isFinite(n) && n >= 1 ? Math.floor(n) : dflt
  }
  const brokers = await number(combined ? 'Nodes' : 'Brokers', defaults.brokers)
  const controllers = combined ? brokers : await number('Controllers (voters)', 3)
  const {dir} = await inquirer.prompt<{dir: string}>([{type: 'input', name: 'dir', message: 'Directory', default: defaultDir}])
  const basePort = await number('First broker port (controllers from +100)', defaults.basePort)
  return {layout: {...defaults, combined, brokers, controllers, basePort}, dir: dir || defaultDir}
}
