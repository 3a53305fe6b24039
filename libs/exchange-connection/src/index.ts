export * from './client/errors.js';
export * from './client/client-types.js';
export * from './venues/venue-adapter.js';
