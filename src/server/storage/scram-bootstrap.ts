/**
 * `kts storage format --add-scram` (Kafka's `StorageTool` / `ScramParser`, KIP-900): each value
 * `SCRAM-SHA-256=[name=alice,password=alice-secret]` (also `iterations=8192`, `salt=<base64>`,
 * `saltedpassword=<base64>` with `salt`; values may be double-quoted) becomes a
 * UserScramCredentialRecord in the bootstrap metadata, which the first active controller writes
 * into the metadata log. Default iterations 4096; 4096..16384 accepted, as Kafka.
 * Errors: StorageError, one line, never the password.
 */
import crypto from 'node:crypto'
import {
  credentialFromSaltedPassword, SCRAM_MAX_ITERATIONS, saltedPasswordSync, scramMechanismByName, type ScramMechanism,
} from '../../protocol/security/scram.js'
import {StorageError} from './storage-errors.js'

/** One parsed `--add-scram` value as the record it becomes. */
export interface BootstrapScramCredential {
  name: string
  mechanism: ScramMechanism
  salt: Buffer
  storedKey: Buffer
  serverKey: Buffer
  iterations: number
}

const DEFAULT_ITERATIONS = 4096

function unquote(v: string): string {
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v
}

/** Parses one `--add-scram` value. @throws StorageError */
export function parseAddScram(text: string): BootstrapScramCredential {
  const m = /^\s*([A-Za-z0-9-]+)\s*=\s*\[(.*)\]\s*$/.exec(text)
  if (!m) throw new StorageError(`Failed to parse SCRAM argument '${text.replace(/password=[^,\]]*/g, 'password=[hidden]')}': expected a string of the form SCRAM-SHA-256=[name=alice,password=alice-secret]`)
  const mechanism = scramMechanismByName(m[1].toUpperCase())
  if (!mechanism) throw new StorageError(`The add-scram mechanism ${m[1]} is not supported.`)
  const opts: Record<string, string> = {}
  for (const part of m[2].split(',').map((s) => s.trim()).filter((s) => s)) {
    const i = part.indexOf('=')
    if (i <= 0) throw new StorageError(`Failed to parse SCRAM argument of ${mechanism.name}: expected key=value entries (name, password, salt, saltedpassword, iterations)`)
    const key = part.slice(0, i).trim().toLowerCase()
    if (!['name', 'password', 'salt', 'saltedpassword', 'iterations'].includes(key)) throw new StorageError(`Unknown SCRAM configuration key ${key} in --add-scram`)
    opts[key] = unquote(part.slice(i + 1).trim())
  }
  if (opts.name === undefined || opts.name === '') throw new StorageError(`You must supply 'name' to add-scram`)
  if (opts.password === undefined && opts.saltedpassword === undefined) throw new StorageError(`You must supply one of 'password' or 'saltedpassword' to add-scram`)
  if (opts.password !== undefined && opts.saltedpassword !== undefined) throw new StorageError(`You must only supply one of 'password' or 'saltedpassword' to add-scram`)
  if (opts.saltedpassword !== undefined && opts.salt === undefined) throw new StorageError(`You must supply 'salt' with 'saltedpassword' to add-scram`)
  let iterations = DEFAULT_ITERATIONS
  if (opts.iterations !== undefined) {
    iterations = Number(opts.iterations)
    if (!Number.isInteger(iterations)) throw new StorageError(`Invalid iterations ${opts.iterations} in --add-scram`)
  }
  if (iterations < mechanism.minIterations) throw new StorageError(`The number of iterations must be at least ${mechanism.minIterations} for ${mechanism.name}.`)
  if (iterations > SCRAM_MAX_ITERATIONS) throw new StorageError(`The number of iterations must be at most ${SCRAM_MAX_ITERATIONS} for ${mechanism.name}.`)
  const salt = opts.salt !== undefined ? Buffer.from(opts.salt, 'base64') : crypto.randomBytes(32)
  if (salt.length === 0) throw new StorageError(`Invalid salt in --add-scram: expected base64 bytes`)
  let salted: Buffer
  if (opts.saltedpassword !== undefined) {
    salted = Buffer.from(opts.saltedpassword, 'base64')
    if (salted.length !== mechanism.keyLength) throw new StorageError(`Invalid saltedpassword in --add-scram: expected ${mechanism.keyLength} base64 bytes for ${mechanism.name}`)
  } else {
    salted = saltedPasswordSync(mechanism, opts.password, salt, iterations)
  }
  const cred = credentialFromSaltedPassword(mechanism, salt, salted, iterations)
  return {name: opts.name, mechanism, ...cred}
}
