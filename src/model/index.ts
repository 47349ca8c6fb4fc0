export * from './models.js';
export {
  unknownProperties,
  pointerToken,
  decodeModel,
  encodeModel,
  stringifyModel,
  readTrustedModel,
  generatedSource,
  type Issue,
  type DecodeOptions,
  type DecodeResult,
  type JsonValue,
  type UnknownProperties,
} from './codec.js';
export { equals, isOneOf } from './equals.js';
export { parseDateTime, formatDateTime } from './datetime.js';
export * as schema from './schema.js';
export type { ModelName } from './registry.js';
export { MODELS } from './registry.js';
