'use client';
// ssot-realtime/react: hooks over the JS API, on useSyncExternalStore.
// Importing this module loads no wasm (server rendering imports it too).
export { ClientProvider } from './ClientProvider.js';
export { useClient } from './useClient.js';
export { useClientStatus } from './useClientStatus.js';
export { useList } from './useList.js';
export { useGet } from './useGet.js';
export { useSuspenseList } from './useSuspenseList.js';
export { useSuspenseGet } from './useSuspenseGet.js';
export { useCreate } from './useCreate.js';
export { useUpdate } from './useUpdate.js';
export { useDelete } from './useDelete.js';
export { useChannel } from './useChannel.js';
export { usePresence } from './usePresence.js';
export { useConnection } from './useConnection.js';
export { isOptimistic } from './isOptimistic.js';
