// SaslAuthenticate (36): v0-2 (KIP-152, KIP-368), advertised on every listener as Kafka does.
// * On SASL listeners the connection's SaslServerAuthenticator answers it during (re-)authentication;
//   it reaches this handler only outside an exchange, where Kafka's
//   `KafkaApis.handleSaslAuthenticateRequest` answers SASL_AUTHENTICATION_FAILED.
import {SaslAuthenticateApi, type SaslAuthenticateRequest, type SaslAuthenticateResponse} from '../../protocol/generated/messages/sasl-authenticate.js'
import {ErrorCode} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import type {CommonServices} from '../services.js'
import {defineApi} from './registry.js'

export const saslAuthenticate = defineApi<SaslAuthenticateRequest, CommonServices>(SaslAuthenticateApi, 0, 2,
  (): Input<SaslAuthenticateResponse> => ({
    errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
    errorMessage: 'SaslAuthenticate request received after successful authentication',
    authBytes: Buffer.alloc(0),
    sessionLifetimeMs: 0,
  }))
