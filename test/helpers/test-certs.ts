/**
 * Test certificates generated at run time with /usr/bin/openssl (never committed): a CA, a server
 * certificate for 127.0.0.1/localhost and a client certificate (`CN=client,OU=eng,O=kts`), all
 * signed by the CA, as PEM files, plus a PKCS12 server keystore (password `ks-secret`) and an
 * encrypted PEM server key (password `key-secret`).
 */
import fs from 'node:fs'
import path from 'node:path'
import {runProcessOk} from './run-process.js'

export const OPENSSL = '/usr/bin/openssl'

export interface TestCerts {
  dir: string
  caCert: string
  serverCert: string
  serverKey: string
  /** Server key + certificate in one PEM file (Kafka's PEM keystore location). */
  serverPem: string
  /** PKCS12 keystore of the server key and certificate, password `ks-secret`. */
  serverP12: string
  /** Encrypted PEM key + certificate (password `key-secret`). */
  serverEncryptedPem: string
  clientCert: string
  clientKey: string
  /** Client key + certificate in one PEM file. */
  clientPem: string
}

export function hasOpenssl(): boolean {
  return fs.existsSync(OPENSSL)
}

async function openssl(args: string[], cwd: string): Promise<void> {
  await runProcessOk(OPENSSL, args, {cwd, timeoutMs: 30_000})
}

/** Generates the certificates into `dir` (EC P-256 keys: fast). */
export async function generateTestCerts(dir: string): Promise<TestCerts> {
  const f = (name: string): string => path.join(dir, name)
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  await openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/O=kts-test/CN=kts-test-ca'], dir)
  fs.writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n')
  await openssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/O=kts/CN=localhost'], dir)
  await openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'server.ext'], dir)
  await openssl(['req', ...ec, '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/O=kts/OU=eng/CN=client'], dir)
  await openssl(['x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.crt', '-days', '2'], dir)
  fs.writeFileSync(f('server.pem'), fs.readFileSync(f('server.key'), 'utf8') + fs.readFileSync(f('server.crt'), 'utf8'))
  fs.writeFileSync(f('client.pem'), fs.readFileSync(f('client.key'), 'utf8') + fs.readFileSync(f('client.crt'), 'utf8'))
  await openssl(['pkcs12', '-export', '-in', 'server.crt', '-inkey', 'server.key', '-certfile', 'ca.crt', '-out', 'server.p12', '-passout', 'pass:ks-secret'], dir)
  await openssl(['pkey', '-in', 'server.key', '-aes256', '-passout', 'pass:key-secret', '-out', 'server-enc.key'], dir)
  fs.writeFileSync(f('server-enc.pem'), fs.readFileSync(f('server-enc.key'), 'utf8') + fs.readFileSync(f('server.crt'), 'utf8'))
  return {
    dir, caCert: f('ca.crt'), serverCert: f('server.crt'), serverKey: f('server.key'), serverPem: f('server.pem'),
    serverP12: f('server.p12'), serverEncryptedPem: f('server-enc.pem'), clientCert: f('client.crt'), clientKey: f('client.key'), clientPem: f('client.pem'),
  }
}
