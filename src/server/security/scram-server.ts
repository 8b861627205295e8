/**
 * SASL/SCRAM-SHA-256 and SCRAM-SHA-512 server (RFC 5802 / RFC 7677; Kafka's `ScramSaslServer`):
 * client-first → server-first (client nonce + a fresh server nonce, salt, iterations of the stored
 * credential) → client-final (nonce and channel binding checked, proof verified against StoredKey)
 * → server-final (`v=` ServerSignature). Credentials come from the metadata image
 * (UserScramCredentialRecord) through `lookup`; nothing is derived from a password here, so a
 * connection costs two HMACs and a hash. Token-based (`tokenauth`) logins are refused: kts has no
 * delegation tokens.
 */
import {
  authMessage, formatServerFirst, parseClientFinal, parseClientFirst, ScramFormatError, secureRandomNonce,
  serverSignature, usernameOf, verifyClientProof, type ScramCredential, type ScramMechanism,
} from '../../protocol/security/scram.js'
import {invalidCredentials, SaslAuthenticationFailure, type SaslMechanismServer} from './sasl-mechanism-server.js'

/** Credential lookup: (mechanism, user name) → stored credential. */
export type ScramCredentialLookup = (mechanism: ScramMechanism, user: string) => ScramCredential | undefined

type State = 'RECEIVE_CLIENT_FIRST' | 'RECEIVE_CLIENT_FINAL' | 'COMPLETE' | 'FAILED'

export class ScramServer implements SaslMechanismServer {
  readonly mechanism: string
  authorizationId = ''
  private state: State = 'RECEIVE_CLIENT_FIRST'
  private clientFirstBare = ''
  private gs2Header = ''
  private serverFirst = ''
  private nonce = ''
  private credential: ScramCredential | null = null

  constructor(private readonly m: ScramMechanism, private readonly lookup: ScramCredentialLookup) {
    this.mechanism = m.name
  }

  get complete(): boolean {
    return this.state === 'COMPLETE'
  }

  async evaluate(token: Buffer): Promise<Buffer> {
    try {
      return this.step(token.toString('utf8'))
    } catch (err) {
      this.state = 'FAILED'
      if (err instanceof SaslAuthenticationFailure) throw err
      if (err instanceof ScramFormatError) throw invalidCredentials(this.m.name)
      throw err
    }
  }

  private step(text: string): Buffer {
    switch (this.state) {
      case 'RECEIVE_CLIENT_FIRST': {
        const first = parseClientFirst(text)
        if (first.extensions.tokenauth === 'true') throw new SaslAuthenticationFailure('Authentication failed: delegation tokens are not supported')
        let user: string
        try {
          user = usernameOf(first.saslName)
        } catch {
          throw invalidCredentials(this.m.name)
        }
        if (first.authorizationId !== '' && first.authorizationId !== user) {
          throw new SaslAuthenticationFailure('Authentication failed: Client requested an authorization id that is different from username')
        }
        const cred = this.lookup(this.m, user)
        if (cred === undefined) throw invalidCredentials(this.m.name)
        this.credential = cred
        this.authorizationId = user
        this.clientFirstBare = first.bare
        this.gs2Header = first.gs2Header
        this.nonce = first.nonce + secureRandomNonce()
        this.serverFirst = formatServerFirst(this.nonce, cred.salt, cred.iterations)
        this.state = 'RECEIVE_CLIENT_FINAL'
        return Buffer.from(this.serverFirst, 'utf8')
      }
      case 'RECEIVE_CLIENT_FINAL': {
        const final = parseClientFinal(text)
        // Kafka checks endsWith, not equality: librdkafka sends client nonce + the server's whole `r` value.
        if (!final.nonce.endsWith(this.nonce)) throw new SaslAuthenticationFailure('Authentication failed: Invalid client nonce in the final client message.')
        if (Buffer.from(final.channelBinding, 'base64').toString('utf8') !== this.gs2Header) {
          throw new SaslAuthenticationFailure('Authentication failed: Invalid channel binding in the final client message.')
        }
        const auth = authMessage(this.clientFirstBare, this.serverFirst, final.withoutProof)
        const cred = this.credential!
        if (!verifyClientProof(this.m, cred, auth, final.proof)) throw invalidCredentials(this.m.name)
        this.state = 'COMPLETE'
        return Buffer.from(`v=${serverSignature(this.m, cred.serverKey, auth).toString('base64')}`, 'utf8')
      }
      default:
        throw new SaslAuthenticationFailure(`Unexpected SASL token in state ${this.state}`)
    }
  }
}
