/**
 * SASL/PLAIN server (RFC 4616; Kafka's `PlainSaslServer` with `PlainServerCallbackHandler`): one
 * token `[authzid] \0 authcid \0 passwd`, checked against the listener's JAAS `user_<name>` options
 * in constant time. Errors follow Kafka's wording.
 */
import crypto from 'node:crypto'
import {SaslAuthenticationFailure, type SaslMechanismServer} from './sasl-mechanism-server.js'

export class PlainServer implements SaslMechanismServer {
  readonly mechanism = 'PLAIN'
  complete = false
  authorizationId = ''

  constructor(private readonly users: ReadonlyMap<string, string>) {}

  async evaluate(token: Buffer): Promise<Buffer> {
    const parts = token.toString('utf8').split('\0')
    if (parts.length !== 3) throw new SaslAuthenticationFailure('Invalid SASL/PLAIN response: expected 3 tokens, got ' + parts.length)
    const [authzid, username, password] = parts
    if (username === '') throw new SaslAuthenticationFailure('Authentication failed: username not specified')
    if (password === '') throw new SaslAuthenticationFailure('Authentication failed: password not specified')
    const expected = this.users.get(username)
    const a = Buffer.from(password, 'utf8')
    const b = Buffer.from(expected ?? '', 'utf8')
    const ok = expected !== undefined && a.length === b.length && crypto.timingSafeEqual(a, b)
    if (!ok) throw new SaslAuthenticationFailure('Authentication failed: Invalid username or password')
    if (authzid !== '' && authzid !== username) {
      throw new SaslAuthenticationFailure('Authentication failed: Client requested an authorization id that is different from username')
    }
    this.authorizationId = username
    this.complete = true
    return Buffer.alloc(0)
  }
}
