export * from './model/index.js';
export * from './lifecycle/index.js';
