/**
 * What `kts metadata-quorum add-controller --command-config <controller's server.properties>`
 * reads from the controller's configuration (Kafka 3.9 `MetadataQuorumCommand.getControllerId`,
 * `getMetadataDirectoryId`, `getControllerAdvertisedListeners`): its node id, the directory id in
 * the `meta.properties` of its metadata log dir (written by `kts storage format`), and the
 * advertised endpoints of its controller listeners. Errors are Kafka's `TerseException` texts.
 */
import {TerseError} from '../errors.js'
import type {ClientProperties} from '../admin/client-properties.js'
import {readMetaPropertiesRaw} from '../../server/storage/meta-properties.js'

export interface ControllerToAdd {
  id: number
  directoryId: string
  endpoints: {name: string, host: string, port: number}[]
}

function listenerMap(text: string | undefined, into: Map<string, {host: string, port: number}>): void {
  for (const part of (text ?? '').split(',').map(s => s.trim()).filter(Boolean)) {
    const m = /^([A-Za-z0-9_.-]+):\/\/(\[[^\]]*\]|[^:]*):(\d+)$/.exec(part)
    if (!m) throw new TerseError(`Unable to parse ${part} to a broker endpoint`)
    into.set(m[1].toUpperCase(), {host: m[2].replace(/^\[(.*)\]$/, '$1'), port: Number(m[3])})
  }
}

/** @throws TerseError with Kafka's message when the file is not a usable controller configuration */
export function controllerToAdd(props: ClientProperties): ControllerToAdd {
  const valid = 'Is this a valid controller configuration file?'
  if (props['node.id'] === undefined) throw new TerseError(`node.id not found in configuration file. ${valid}`)
  const id = Number(props['node.id'])
  if (!Number.isInteger(id)) throw new TerseError(`For input string: "${props['node.id']}"`)
  if (id < 0) throw new TerseError(`node.id was negative in configuration file. ${valid}`)
  if (!(props['process.roles'] ?? '').includes('controller')) throw new TerseError(`process.roles did not contain 'controller' in configuration file. ${valid}`)
  const dir = props['metadata.log.dir'] ?? props['log.dirs']?.trim().split(',')[0]
  if (dir === undefined) throw new TerseError(`Neither metadata.log.dir nor log.dirs were found. ${valid}`)
  let meta: Record<string, string> | null
  try {
    meta = readMetaPropertiesRaw(dir)
  } catch {
    meta = null
  }
  if (meta === null) throw new TerseError(`Unable to read meta.properties from ${dir}`)
  const directoryId = meta['directory.id']
  if (directoryId === undefined) throw new TerseError(`No directory id found in ${dir}`)
  const listeners = new Map<string, {host: string, port: number}>()
  listenerMap(props.listeners, listeners)
  listenerMap(props['advertised.listeners'], listeners)
  if (props['controller.listener.names'] === undefined) throw new TerseError(`controller.listener.names was not found. ${valid}`)
  const endpoints = props['controller.listener.names'].split(',').map(n => n.trim().toUpperCase()).map(name => {
    const e = listeners.get(name)
    if (!e) throw new TerseError(`Cannot find information about controller listener name: ${name}`)
    return {name, host: e.host === '' ? 'localhost' : e.host, port: e.port}
  })
  return {id, directoryId, endpoints}
}

/** An endpoint as `add-controller` prints it: `CONTROLLER://host:port` (IPv6 hosts in brackets). */
export function describeEndpoint(e: {name: string, host: string, port: number}): string {
  return `${e.name}://${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`
}
