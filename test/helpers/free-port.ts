/**
 * A random free TCP port on the loopback interface: binds 127.0.0.1:0, reads the port the kernel
 * chose and closes the socket. The port can in principle be taken again before the caller binds
 * it; the kernel hands out ephemeral ports in rotation, so that is rare on a test machine.
 */
import net from 'node:net'

/** Resolves with a port (1..65535) that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      if (address === null || typeof address === 'string') {
        server.close()
        reject(new Error('could not read the port of a loopback listener'))
        return
      }
      const port = address.port
      server.close((err) => (err ? reject(err) : resolve(port)))
    })
  })
}

/** `n` distinct free loopback ports (all listeners are held open until every port is known). */
export async function freePorts(n: number): Promise<number[]> {
  const servers: net.Server[] = []
  try {
    const ports: number[] = []
    for (let i = 0; i < n; i++) {
      const server = net.createServer()
      servers.push(server)
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(0, '127.0.0.1', () => resolve())
      })
      const address = server.address()
      if (address === null || typeof address === 'string') throw new Error('could not read the port of a loopback listener')
      ports.push(address.port)
    }
    return ports
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))))
  }
}
