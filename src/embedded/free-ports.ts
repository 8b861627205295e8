/**
 * Free TCP ports: binds `n` listeners on `host` port 0 at once, reads the ports the kernel chose and
 * closes them. A port can in principle be taken again before the node binds it; startKafka then
 * retries with new ports.
 */
import net from 'node:net'

/** `n` distinct ports that were free on `host` a moment ago. */
export async function freePorts(n: number, host: string): Promise<number[]> {
  const servers: net.Server[] = []
  try {
    const ports: number[] = []
    for (let i = 0; i < n; i++) {
      const server = net.createServer()
      servers.push(server)
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(0, host, () => resolve())
      })
      ports.push((server.address() as net.AddressInfo).port)
    }
    return ports
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))))
  }
}
