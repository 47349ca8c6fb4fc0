// The model: its types and codec (core.ts), and the schema they come from.
export * from './core.js';
export * as schema from './schema.js';
export { MODELS } from './registry.js';
