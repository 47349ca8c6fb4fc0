// The model without its schema: types, codec, dates, equality. What the server loads (the schema library is not).
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
export type { ModelName } from './registry.js';
export { WireText } from './wire-text.js';
