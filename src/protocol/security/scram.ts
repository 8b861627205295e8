/**
 * SCRAM (RFC 5802, RFC 7677) as Kafka uses it for SASL/SCRAM-SHA-256 and SCRAM-SHA-512: the key
 * derivation (Hi = PBKDF2-HMAC), the credentials a server stores (salt, StoredKey, ServerKey,
 * iterations; Kafka's `ScramCredential`, the fields of UserScramCredentialRecord), proofs and
 * signatures, and the four messages (Kafka's `ScramMessages`, `ScramFormatter`).
 *
 * Key derivation is asynchronous (`crypto.pbkdf2` runs on libuv's thread pool), so 4096+ iterations
 * never block the event loop. Shared by the broker (server side) and every client (src/protocol/client).
 */
import crypto from 'node:crypto'

/** A SCRAM mechanism Kafka supports, with its id in UserScramCredentialRecord.mechanism (`ScramMechanism`). */
export interface ScramMechanism {
  /** `SCRAM-SHA-256` / `SCRAM-SHA-512`. */
  name: 'SCRAM-SHA-256' | 'SCRAM-SHA-512'
  /** Kafka's `ScramMechanism.type()`: 1 SCRAM-SHA-256, 2 SCRAM-SHA-512. */
  type: number
  /** Node's digest name. */
  hash: 'sha256' | 'sha512'
  /** Digest length, bytes. */
  keyLength: number
  /** Kafka's minimum iterations (4096 for both). */
  minIterations: number
}

export const SCRAM_SHA_256: ScramMechanism = {name: 'SCRAM-SHA-256', type: 1, hash: 'sha256', keyLength: 32, minIterations: 4096}
export const SCRAM_SHA_512: ScramMechanism = {name: 'SCRAM-SHA-512', type: 2, hash: 'sha512', keyLength: 64, minIterations: 4096}
export const SCRAM_MECHANISMS: readonly ScramMechanism[] = [SCRAM_SHA_256, SCRAM_SHA_512]
/** Kafka's upper bound on iterations for AlterUserScramCredentials (`ScramMechanism.maxIterations`). */
export const SCRAM_MAX_ITERATIONS = 16384

/** The mechanism named `name` (case-sensitive, as Kafka), or undefined. */
export function scramMechanismByName(name: string): ScramMechanism | undefined {
  return SCRAM_MECHANISMS.find((m) => m.name === name)
}

/** The mechanism with UserScramCredentialRecord type `type`, or undefined. */
export function scramMechanismByType(type: number): ScramMechanism | undefined {
  return SCRAM_MECHANISMS.find((m) => m.type === type)
}

/** What a server stores per user and mechanism (Kafka `ScramCredential`). Never the password. */
export interface ScramCredential {
  salt: Buffer
  storedKey: Buffer
  serverKey: Buffer
  iterations: number
}

/** Hi(password, salt, i) = PBKDF2-HMAC-H (RFC 5802 §2.2), asynchronous. */
export function saltedPassword(m: ScramMechanism, password: string, salt: Buffer, iterations: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    crypto.pbkdf2(Buffer.from(password, 'utf8'), salt, iterations, m.keyLength, m.hash, (err, key) => (err ? reject(err) : resolve(key)))
  })
}

export function hmac(m: ScramMechanism, key: Buffer, data: Buffer | string): Buffer {
  return crypto.createHmac(m.hash, key).update(data).digest()
}

export function hash(m: ScramMechanism, data: Buffer): Buffer {
  return crypto.createHash(m.hash).update(data).digest()
}

export function xor(a: Buffer, b: Buffer): Buffer {
  if (a.length !== b.length) throw new Error('Argument arrays must be of the same length')
  const out = Buffer.allocUnsafe(a.length)
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i]
  return out
}

export function clientKey(m: ScramMechanism, salted: Buffer): Buffer {
  return hmac(m, salted, 'Client Key')
}

export function serverKey(m: ScramMechanism, salted: Buffer): Buffer {
  return hmac(m, salted, 'Server Key')
}

export function storedKey(m: ScramMechanism, key: Buffer): Buffer {
  return hash(m, key)
}

/** The credential for a salted password (Kafka `ScramFormatter.generateCredential(salt, saltedPassword, i)`). */
export function credentialFromSaltedPassword(m: ScramMechanism, salt: Buffer, salted: Buffer, iterations: number): ScramCredential {
  return {salt, storedKey: storedKey(m, clientKey(m, salted)), serverKey: serverKey(m, salted), iterations}
}

/** A fresh credential for `password` with a random 32-byte salt (or `salt`). */
export async function generateCredential(m: ScramMechanism, password: string, iterations: number, salt: Buffer = crypto.randomBytes(32)): Promise<ScramCredential> {
  return credentialFromSaltedPassword(m, salt, await saltedPassword(m, password, salt, iterations), iterations)
}

/** A random printable nonce (Kafka `ScramFormatter.secureRandomString`: base-36 digits of 130+ random bits). */
export function secureRandomNonce(): string {
  return crypto.randomBytes(24).toString('base64url').replace(/[-_]/g, 'x')
}

/** `saslname` of RFC 5802 §5.1: `=` → `=3D`, `,` → `=2C`. */
export function saslName(username: string): string {
  return username.replace(/=/g, '=3D').replace(/,/g, '=2C')
}

/** Inverse of `saslName`. @throws Error on a `=` not followed by `2C` / `3D`. */
export function usernameOf(name: string): string {
  if (/=(?!2C|3D)/.test(name)) throw new Error(`Invalid username: ${name}`)
  return name.replace(/=2C/g, ',').replace(/=3D/g, '=')
}

/** client-first-message (`n,[a=authzid],n=saslname,r=nonce[,ext...]`). */
export interface ClientFirstMessage {
  /** The gs2 header, e.g. `n,,`. */
  gs2Header: string
  authorizationId: string
  saslName: string
  nonce: string
  /** Extensions (`tokenauth=true`, ...) as `key=value` pairs. */
  extensions: Record<string, string>
  /** client-first-message-bare (for the AuthMessage). */
  bare: string
}

/** A malformed SCRAM message (the message never includes secrets). */
export class ScramFormatError extends Error {
  override name = 'ScramFormatError'
}

const PRINTABLE = '[\\x21-\\x2b\\x2d-\\x7e]+'
const CLIENT_FIRST = new RegExp(`^(n,(?:a=([^,]*))?,)(n=([^,]*),r=(${PRINTABLE})((?:,[A-Za-z]+=[^,]*)*))$`)

/** Parses client-first-message. @throws ScramFormatError (no nonce, channel binding requested, ...). */
export function parseClientFirst(text: string): ClientFirstMessage {
  const m = CLIENT_FIRST.exec(text)
  if (!m) throw new ScramFormatError('Invalid SCRAM client first message format')
  const extensions: Record<string, string> = {}
  for (const kv of m[6].split(',').filter((s) => s)) {
    const i = kv.indexOf('=')
    extensions[kv.slice(0, i)] = kv.slice(i + 1)
  }
  return {gs2Header: m[1], authorizationId: m[2] ?? '', saslName: m[4], nonce: m[5], extensions, bare: m[3]}
}

export function formatClientFirst(username: string, nonce: string): {message: string, bare: string} {
  const bare = `n=${saslName(username)},r=${nonce}`
  return {message: `n,,${bare}`, bare}
}

/** server-first-message `r=nonce,s=base64 salt,i=iterations`. */
export interface ServerFirstMessage {
  nonce: string
  salt: Buffer
  iterations: number
  text: string
}

export function formatServerFirst(nonce: string, salt: Buffer, iterations: number): string {
  return `r=${nonce},s=${salt.toString('base64')},i=${iterations}`
}

/** @throws ScramFormatError */
export function parseServerFirst(text: string): ServerFirstMessage {
  const m = /^(?:m=[^,]*,)?r=([^,]+),s=([A-Za-z0-9+/=]+),i=(\d+)(?:,.*)?$/.exec(text)
  if (!m) throw new ScramFormatError('Invalid SCRAM server first message format')
  return {nonce: m[1], salt: Buffer.from(m[2], 'base64'), iterations: Number(m[3]), text}
}

/** client-final-message `c=base64(gs2 header),r=nonce[,ext],p=base64 proof`. */
export interface ClientFinalMessage {
  channelBinding: string
  nonce: string
  proof: Buffer
  /** client-final-message-without-proof (for the AuthMessage). */
  withoutProof: string
}

/** @throws ScramFormatError */
export function parseClientFinal(text: string): ClientFinalMessage {
  const m = /^(c=([A-Za-z0-9+/=]*),r=([\x21-\x2b\x2d-\x7e]+)(?:,[A-Za-z]+=[^,]*)*),p=([A-Za-z0-9+/=]+)$/.exec(text)
  if (!m) throw new ScramFormatError('Invalid SCRAM client final message format')
  return {channelBinding: m[2], nonce: m[3], proof: Buffer.from(m[4], 'base64'), withoutProof: m[1]}
}

export function formatClientFinalWithoutProof(gs2Header: string, nonce: string): string {
  return `c=${Buffer.from(gs2Header).toString('base64')},r=${nonce}`
}

/** AuthMessage = client-first-bare "," server-first "," client-final-without-proof. */
export function authMessage(clientFirstBare: string, serverFirst: string, clientFinalWithoutProof: string): string {
  return `${clientFirstBare},${serverFirst},${clientFinalWithoutProof}`
}

/** ClientProof = ClientKey XOR HMAC(StoredKey, AuthMessage). */
export function clientProof(m: ScramMechanism, salted: Buffer, auth: string): Buffer {
  const ck = clientKey(m, salted)
  return xor(ck, hmac(m, storedKey(m, ck), auth))
}

/** Server check: H(ClientProof XOR HMAC(StoredKey, AuthMessage)) == StoredKey, in constant time. */
export function verifyClientProof(m: ScramMechanism, cred: ScramCredential, auth: string, proof: Buffer): boolean {
  if (proof.length !== cred.storedKey.length) return false
  const ck = xor(proof, hmac(m, cred.storedKey, auth))
  return crypto.timingSafeEqual(hash(m, ck), cred.storedKey)
}

/** ServerSignature = HMAC(ServerKey, AuthMessage). */
export function serverSignature(m: ScramMechanism, serverKeyBytes: Buffer, auth: string): Buffer {
  return hmac(m, serverKeyBytes, auth)
}

/** Synchronous Hi() for tools that run before any connection exists (`kts storage format --add-scram`); never on a broker's event loop. */
export function saltedPasswordSync(m: ScramMechanism, password: string, salt: Buffer, iterations: number): Buffer {
  return crypto.pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, m.keyLength, m.hash)
}
