// Queries shared by more than one component (the same params share one live view).
export const ROOMS_QUERY = { orderBy: { id: 'asc' } };
export const USERS_QUERY = { orderBy: { id: 'asc' } };
export const PRODUCTS_QUERY = { orderBy: { name: 'asc' } };
export const ACTIVITY_QUERY = { orderBy: { createdAt: 'desc' } };
export const roomMessagesQuery = (roomId) => ({ where: { roomId }, orderBy: { createdAt: 'asc' } });
// The server only sends users their own notifications; the `where` also keeps out
// those an admin creates for others (the engine shows a mutation's answer at once
// in every local view whose query it matches).
export const notificationsQuery = (userId) => ({ where: { userId }, orderBy: { createdAt: 'desc' } });
