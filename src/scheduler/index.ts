export * from './time.js';
export * from './event-queue.js';
export * from './kernel.js';
export * from './clock.js';
export * from './bus.js';
export * from './rx-scheduler.js';
