/**
 * Client properties and bootstrap servers of the tools, without loading any client library (so a
 * tool that does not use kafkajs, such as `kts consumer-groups`, does not pay for loading it):
 * Java `.properties` files (`--command-config`, `--producer.config`, ...), `k=v` arguments, and
 * `--bootstrap-server host:port[,host:port...]`. Re-exported by `admin-client.ts`.
 */
import fs from 'node:fs'
import {parse as parseProperties} from 'dot-properties'
import {TerseError, UsageError} from '../errors.js'
import {clientSecurityFromProperties, ClientSecurityError, type ClientSecurity} from '../../protocol/security/client-security.js'

/** Client properties as Java `Properties` (string keys and values). */
export type ClientProperties = Record<string, string>

/**
 * Reads a Java `.properties` file.
 * @throws TerseError when the file cannot be read.
 */
export function readPropertiesFile(file: string): ClientProperties {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (err) {
    throw new TerseError(`${file} (${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (err as Error).message})`, {cause: err})
  }
  const parsed = parseProperties(text)
  const out: ClientProperties = {}
  for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') out[k] = v
  return out
}

/**
 * Splits `k=v` command-line properties at the first `=` (no `=` → empty value), as Kafka's
 * `CommandLineUtils.parseKeyValueArgs` does.
 */
export function parseKeyValueArgs(args: readonly string[] | undefined): ClientProperties {
  const out: ClientProperties = {}
  for (const arg of args ?? []) {
    const i = arg.indexOf('=')
    if (i < 0) out[arg] = ''
    else out[arg.slice(0, i)] = arg.slice(i + 1)
  }
  return out
}

/**
 * Parses `host:port[,host:port...]`.
 * @throws UsageError `Please provide valid host:port like host1:9091,host2:9092` when an entry lacks a port.
 */
export function parseBootstrapServers(value: string): string[] {
  const entries = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0)
  if (entries.length === 0 || entries.some((e) => !/^.+:\d+$/.test(e))) {
    throw new UsageError('Please provide valid host:port like host1:9091,host2:9092')
  }
  return entries
}

/**
 * The connection security of the tools' own protocol client from client properties
 * (`security.protocol`, `sasl.mechanism`, `sasl.jaas.config`, `ssl.truststore.*`, `ssl.keystore.*`,
 * `ssl.endpoint.identification.algorithm`), as Kafka's clients read them.
 * @throws TerseError one line (unknown protocol or mechanism, malformed JAAS config, unreadable store)
 */
export function clientSecurity(props: ClientProperties): ClientSecurity {
  try {
    return clientSecurityFromProperties(props)
  } catch (err) {
    if (err instanceof ClientSecurityError) throw new TerseError(err.message, {cause: err})
    throw err
  }
}
