// SaslHandshake (17): v0-1, advertised on every listener as Kafka does.
// * On SASL listeners the connection's SaslServerAuthenticator (security/sasl-server-authenticator.ts)
//   answers it before authentication and for re-authentication; it reaches this handler only on
//   PLAINTEXT and SSL listeners, where Kafka's `KafkaApis.handleSaslHandshakeRequest` answers
//   ILLEGAL_SASL_STATE.
import {SaslHandshakeApi, type SaslHandshakeRequest, type SaslHandshakeResponse} from '../../protocol/generated/messages/sasl-handshake.js'
import {ErrorCode} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import type {CommonServices} from '../services.js'
import {defineApi} from './registry.js'

export const saslHandshake = defineApi<SaslHandshakeRequest, CommonServices>(SaslHandshakeApi, 0, 1,
  (): Input<SaslHandshakeResponse> => ({errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: []}))
