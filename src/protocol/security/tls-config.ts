/**
 * TLS material and settings from Kafka's `ssl.*` properties, for node:tls — shared by the broker's
 * SSL listeners (server side) and every client connection (tools, replica fetchers, controller
 * channel, Raft). Kafka's `SslConfigs` / `DefaultSslEngineFactory`, mapped onto node:tls:
 *
 * - keystore: `ssl.keystore.type` PEM (`ssl.keystore.location` holding key + certificate chain, or
 *   inline `ssl.keystore.certificate.chain` + `ssl.keystore.key`; `ssl.key.password` decrypts the
 *   key) or PKCS12 (`ssl.keystore.location` + `ssl.keystore.password` → node's `pfx`).
 * - truststore: `ssl.truststore.type` PEM (`ssl.truststore.location` or inline
 *   `ssl.truststore.certificates`) or PKCS12 (node's `pfx` accepts only a store with a key, so a
 *   certificate-only PKCS12 truststore is refused with the openssl line that converts it).
 * - JKS (Kafka's default type) is refused with the keytool line that converts it to PKCS12; with no
 *   type set, the file's content decides (PEM text, else PKCS12; JKS magic refused).
 * - `ssl.enabled.protocols` (TLSv1.2,TLSv1.3) → min/max version; `ssl.cipher.suites` (OpenSSL or
 *   IANA names, passed to OpenSSL as given; TLSv1.3 suites go to `ciphersuites`).
 *
 * Errors are `TlsConfigError`, one line naming the key and never a password.
 */
import fs from 'node:fs'
import type tls from 'node:tls'

export class TlsConfigError extends Error {
  override name = 'TlsConfigError'
}

/** Reads a property (after per-listener resolution). */
export type PropertyLookup = (key: string) => string | undefined

const JKS_MAGIC = 0xfeedfeed

function readStore(key: string, location: string): Buffer {
  try {
    return fs.readFileSync(location)
  } catch (err) {
    throw new TlsConfigError(`Failed to load SSL keystore/truststore ${key}=${location}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (err as Error).message}`)
  }
}

function storeType(prefix: 'ssl.keystore' | 'ssl.truststore', get: PropertyLookup, bytes: Buffer | null): 'PEM' | 'PKCS12' {
  const explicit = get(`${prefix}.type`)?.trim().toUpperCase()
  const isJks = explicit === 'JKS' || (explicit === undefined && bytes !== null && bytes.length >= 4 && bytes.readUInt32BE(0) === JKS_MAGIC)
  if (isJks) {
    const loc = get(`${prefix}.location`) ?? 'store.jks'
    throw new TlsConfigError(`${prefix}.type JKS is not supported by kts (no JVM): convert it with 'keytool -importkeystore -srckeystore ${loc} -destkeystore ${loc.replace(/\.jks$/, '')}.p12 -deststoretype PKCS12' and set ${prefix}.type=PKCS12`)
  }
  if (explicit === 'PEM' || explicit === 'PKCS12') return explicit
  if (explicit !== undefined) throw new TlsConfigError(`Invalid value ${explicit} for configuration ${prefix}.type: PEM, PKCS12 or JKS`)
  return bytes !== null && bytes.toString('latin1', 0, Math.min(bytes.length, 4096)).includes('-----BEGIN') ? 'PEM' : 'PKCS12'
}

/** node:tls options shared by both sides (material, protocol versions, ciphers). */
export function tlsOptions(get: PropertyLookup): tls.SecureContextOptions {
  const out: tls.SecureContextOptions = {}
  // --- keystore
  const ksLocation = get('ssl.keystore.location')
  const ksChain = get('ssl.keystore.certificate.chain')
  const ksKey = get('ssl.keystore.key')
  const keyPassword = get('ssl.key.password')
  if (ksChain !== undefined || ksKey !== undefined) {
    if (ksChain === undefined || ksKey === undefined) throw new TlsConfigError('ssl.keystore.certificate.chain and ssl.keystore.key must be set together')
    out.cert = ksChain
    out.key = ksKey
    if (keyPassword !== undefined) out.passphrase = keyPassword
  } else if (ksLocation !== undefined && ksLocation.trim() !== '') {
    const bytes = readStore('ssl.keystore.location', ksLocation)
    if (storeType('ssl.keystore', get, bytes) === 'PEM') {
      out.cert = bytes
      out.key = bytes
      const pw = keyPassword ?? get('ssl.keystore.password')
      if (pw !== undefined) out.passphrase = pw
    } else {
      out.pfx = bytes
      const pw = get('ssl.keystore.password')
      if (pw !== undefined) out.passphrase = pw
    }
  }
  // --- truststore
  const tsLocation = get('ssl.truststore.location')
  const tsInline = get('ssl.truststore.certificates')
  if (tsInline !== undefined) out.ca = tsInline
  else if (tsLocation !== undefined && tsLocation.trim() !== '') {
    const bytes = readStore('ssl.truststore.location', tsLocation)
    if (storeType('ssl.truststore', get, bytes) === 'PEM') out.ca = bytes
    else {
      throw new TlsConfigError(`ssl.truststore.type PKCS12 is not supported by kts: convert it to PEM with 'openssl pkcs12 -in ${tsLocation} -nokeys -out truststore.pem' and set ssl.truststore.type=PEM, ssl.truststore.location=truststore.pem`)
    }
  }
  // --- protocols and ciphers
  const protocols = (get('ssl.enabled.protocols') ?? 'TLSv1.2,TLSv1.3').split(',').map((s) => s.trim()).filter((s) => s)
  const known = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const
  for (const p of protocols) if (!(known as readonly string[]).includes(p)) throw new TlsConfigError(`Invalid value ${p} for configuration ssl.enabled.protocols: one of ${known.join(', ')}`)
  if (protocols.length === 0) throw new TlsConfigError('ssl.enabled.protocols must not be empty')
  const sorted = known.filter((k) => protocols.includes(k))
  out.minVersion = sorted[0] as tls.SecureVersion
  out.maxVersion = sorted[sorted.length - 1] as tls.SecureVersion
  const ciphers = (get('ssl.cipher.suites') ?? '').split(',').map((s) => s.trim()).filter((s) => s)
  if (ciphers.length > 0) {
    const v13 = ciphers.filter((c) => c.startsWith('TLS_AES') || c.startsWith('TLS_CHACHA20'))
    const older = ciphers.filter((c) => !v13.includes(c))
    if (older.length > 0) out.ciphers = older.join(':')
    if (v13.length > 0) (out as {ciphersuites?: string}).ciphersuites = v13.join(':')
  }
  return out
}

/** Client-side options: material plus hostname verification (`ssl.endpoint.identification.algorithm`, default https). */
export function clientTlsOptions(get: PropertyLookup): tls.ConnectionOptions {
  const out: tls.ConnectionOptions = {...tlsOptions(get)}
  const algorithm = get('ssl.endpoint.identification.algorithm') ?? 'https'
  if (algorithm.trim() === '') out.checkServerIdentity = () => undefined
  return out
}
