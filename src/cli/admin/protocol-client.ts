/** The tools' protocol client connection: see src/protocol/client/broker-connection.ts (shared with the broker). */
export {BrokerConnection, ProtocolClientError, type ConnectionOptions} from '../../protocol/client/broker-connection.js'
