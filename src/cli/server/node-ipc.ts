/**
 * The messages a `kts server start` child process sends its parent over Node's IPC channel, and
 * how it was started. Two parents use it:
 * - `kts server start -daemon` (KTS_SERVER_IPC=daemon): waits for `started` or `failed`, then
 *   disconnects and returns; the child lives on, detached.
 * - `startKafka({mode: 'child-process'})` (KTS_SERVER_IPC=attached): keeps the channel open; the
 *   child shuts its node down when the channel closes (its parent exited or disconnected), so a
 *   test process that dies leaves no node behind.
 */

/** The environment variable that tells a `kts server start` process who started it. */
export const SERVER_IPC_ENV = 'KTS_SERVER_IPC'

export type ServerIpcMode = 'daemon' | 'attached'

/** A listener with the port it is bound to. */
export interface BoundListener {
  name: string
  host: string
  port: number
}

/** The child's node accepts connections on every listener. */
export interface StartedMessage {
  type: 'started'
  pid: number
  nodeId: number
  clusterId: string
  listeners: BoundListener[]
}

/** The child failed to start; `message` is the one line it also printed. The child exits 1 next. */
export interface FailedMessage {
  type: 'failed'
  message: string
}

export type NodeProcessMessage = StartedMessage | FailedMessage

/** The IPC mode of this process, or null when it was not started by one of the parents above. */
export function serverIpcMode(env: NodeJS.ProcessEnv = process.env): ServerIpcMode | null {
  const v = env[SERVER_IPC_ENV]
  if ((v === 'daemon' || v === 'attached') && typeof process.send === 'function') return v
  return null
}

/** Sends `msg` to the parent; resolves once it is handed to the channel (or at once when there is none). */
export function sendToParent(msg: NodeProcessMessage): Promise<void> {
  return new Promise((resolve) => {
    if (typeof process.send !== 'function' || !process.connected) {
      resolve()
      return
    }
    process.send(msg, undefined, {}, () => resolve())
  })
}

/** Type guard for messages received from a child. */
export function isNodeProcessMessage(m: unknown): m is NodeProcessMessage {
  return typeof m === 'object' && m !== null && ((m as {type?: unknown}).type === 'started' || (m as {type?: unknown}).type === 'failed')
}
