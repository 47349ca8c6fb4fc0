// Constants the schema and the runtime share, in a module that loads nothing (the server never loads the schema
// library: what it needs of the schema is generated, see descriptors-data.ts).

/** Marker on an enum schema: values outside `enum` are kept on decode (with a warning) instead of rejected. */
export const OPEN_ENUM = 'x-open-enum';
export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;
