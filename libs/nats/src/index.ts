// The public API of @exchange-connection/nats, named one by one; everything else is internal.

// Replicas coordinated over NATS JetStream: give a NatsCoordination to ExchangeConnectionModule as
// `coordination`, or call `coordinate()` with the options of a SupervisedConnection.
export { NatsCoordination, NATS_COORDINATION_DEFAULTS, defaultInstanceId, natsCoordinationFromEnv } from './nats-coordination.js';
export type { CoordinationEnv, NatsCoordinationOptions, NatsCoordinationSettings } from './nats-coordination.js';
// One connection as every replica sees it.
export { CoordinatedConnection } from './coordinated-connection.js';
export type { CoordinatedConnectionStats, CoordinationStats, Ownership } from './coordination-types.js';
// What goes on the wire, for services that consume the subjects without this package's help.
export { sequenceVerdict } from './fan-out-envelope.js';
export type { ChannelTrack, FanOutEnvelope, SequenceVerdict } from './fan-out-envelope.js';
export { connectionSubjects, decodeSubjectToken, encodeSubjectToken } from './subject-names.js';
export type { ConnectionSubjects } from './subject-names.js';
